import { describe, expect, it } from 'vitest';
import { planPiece } from '../../src/core/plan/plan.ts';
import type { CompositionRequest } from '../../src/core/request.ts';
import { createRng } from '../../src/core/rng.ts';
import { StyleCatalog } from '../../src/core/catalog/index.ts';
import { GrooveLibrary, grooveDrums, keepsTime, renderClip } from '../../src/neural/drums.ts';

const library = GrooveLibrary.load()!;

function request(style: string, tempo: number): CompositionRequest {
  return { style, mood: 'energetic', durationSec: 30, tempo, key: null, meter: null, instruments: [], energy: null, seed: 42, loop: false, prompt: '' };
}

describe('groove library drums', () => {
  it('is built from Groove MIDI beats and fills with microtiming', () => {
    expect(library).not.toBeNull();
    expect(library.clips.filter((c) => c.kind === 'beat').length).toBeGreaterThan(100);
    expect(library.clips.filter((c) => c.kind === 'fill').length).toBeGreaterThan(100);
    expect(library.clips.some((c) => c.notes.some((n) => n[3] !== 0))).toBe(true);
  });

  it('picks by style, tempo and energy, deterministically per seed', () => {
    const pick = (seed: number) => library.pick({ feel: 'funk', styles: ['funk', 'soul', 'neworleans'], bpm: 100, energy: 'high', kind: 'beat', meter: '4/4', rng: createRng(seed) });
    expect(pick(1)).toEqual(pick(1));
    expect(['funk', 'soul', 'neworleans']).toContain(pick(1)!.style);
    expect(Math.abs(Math.log2(100 / pick(1)!.bpm))).toBeLessThan(0.5);
    const jazz = library.pick({ feel: 'jazz-swing', styles: ['jazz'], bpm: 140, energy: 'low', kind: 'beat', meter: '4/4', rng: createRng(3) })!;
    expect(jazz.style).toBe('jazz');
  });

  it('picks only beats that keep time in every bar (kick and snare; a ride or hat pulse for swing)', () => {
    for (const style of StyleCatalog.styleIds.map((id) => StyleCatalog.style(id)).filter((s) => s.arrangement.grooveStyles.length)) {
      const feel = style.drumFeel as Exclude<typeof style.drumFeel, 'none'>;
      for (let seed = 0; seed < 20; seed++) {
        const beat = library.pick({ feel, styles: style.arrangement.grooveStyles, bpm: 60 + seed * 7, energy: (['low', 'medium', 'high'] as const)[seed % 3]!, kind: 'beat', meter: '4/4', rng: createRng(seed) })!;
        expect(keepsTime(beat, feel), `${feel} ${beat.id}`).toBe(true);
        expect(style.arrangement.grooveStyles).toContain(beat.style);
      }
    }
    // The check itself: a clip whose first bar is hi-hat alone does not keep time.
    const hatsFirst = { ...library.clips.find((c) => c.kind === 'beat' && c.meter === '4/4' && keepsTime(c, 'rock'))! };
    hatsFirst.notes = hatsFirst.notes.filter(([step, key]) => step >= 16 || key === 42);
    expect(keepsTime(hatsFirst, 'rock')).toBe(false);
  });

  it('loops a clip over the requested steps, keeping microtiming', () => {
    const clip = library.clips.find((c) => c.kind === 'beat' && c.meter === '4/4')!;
    const notes = renderClip(clip, 1920, 64);
    expect(notes.length).toBe(clip.notes.filter((n) => n[0] < 64).length * 2);
    for (const n of notes) expect(n.tick).toBeGreaterThanOrEqual(1920 - 60);
    const straight = renderClip(clip, 0, 32, 0);
    for (const n of straight) expect(n.tick % 120).toBe(0);
  });

  it('writes a drum part for a plan with a fill in each section’s last bar', () => {
    const req = request('funk', 104);
    const plan = planPiece(req, createRng(req.seed).fork('plan'));
    const a = grooveDrums(plan, createRng(5))!;
    expect(a).toEqual(grooveDrums(plan, createRng(5)));
    expect(a.length).toBeGreaterThan(50);
    const end = plan.sections.reduce((m, s) => Math.max(m, (s.startBar + s.bars) * plan.barTicks), 0);
    for (const n of a) expect(n.tick).toBeLessThan(end);
    for (const s of plan.sections.filter((x) => x.bars >= 2)) {
      const lastBar = (s.startBar + s.bars - 1) * plan.barTicks;
      expect(a.some((n) => n.tick >= lastBar - 60 && n.tick < lastBar + plan.barTicks)).toBe(true);
    }
    expect(grooveDrums(planPiece(request('ambient', 70), createRng(1)), createRng(1))).toEqual([]);
  });

  it('leaves styles the data set has no fitting style tags for to the composer’s own patterns (null)', () => {
    for (const style of ['edm', 'synthwave', 'chiptune', 'bossa-nova', 'folk']) {
      const plan = planPiece(request(style, 120), createRng(1));
      expect(StyleCatalog.style(style).arrangement.grooveStyles).toEqual([]);
      expect(grooveDrums(plan, createRng(1)), style).toBeNull();
    }
  });

  it('uses only clips whose Groove MIDI style tag the style names', () => {
    for (const [style, tempo] of [['jazz', 140], ['rock', 130], ['lofi', 84], ['hiphop', 90]] as const) {
      const plan = planPiece(request(style, tempo), createRng(2));
      const tags = new Set(StyleCatalog.style(style).arrangement.grooveStyles);
      const ids = new Set(grooveDrums(plan, createRng(2))!.length ? library.clips.filter((c) => tags.has(c.style)).map((c) => c.id) : []);
      expect(ids.size, style).toBeGreaterThan(0);
      const picked = library.pick({ feel: StyleCatalog.style(style).drumFeel as 'rock', styles: [...tags], bpm: tempo, energy: 'medium', kind: 'fill', meter: '4/4', rng: createRng(3) })!;
      expect(tags.has(picked.style), style).toBe(true);
    }
  });
});

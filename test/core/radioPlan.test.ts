import { describe, expect, it } from 'vitest';
import { Scale } from 'tonal';
import { barSamples, bpmOf, MAX_THEME_PARTS, nextSection, relatedKeys, startRadio, tally, type RadioChoice, type RadioState, type SectionSpec } from '../../src/core/radioPlan.ts';
import { RADIO_VALENCE_LADDER } from '../../src/core/catalog/radio.ts';
import { StyleCatalog } from '../../src/core/catalog/index.ts';

function run(state: RadioState, n: number, choices: Record<number, RadioChoice> = {}): SectionSpec[] {
  const specs: SectionSpec[] = [];
  for (let i = 0; i < n; i++) {
    const r = nextSection(state, choices[i] ?? null);
    specs.push(r.spec);
    state = r.state;
  }
  return specs;
}

const pcs = (key: { tonic: string; mode: string }) => new Set(Scale.get(`${key.tonic} ${key.mode}`).notes.map((n) => ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'].indexOf(n.replace('C#', 'Db').replace('D#', 'Eb').replace('F#', 'Gb').replace('G#', 'Ab').replace('A#', 'Bb'))));

describe('radio planner', () => {
  const start = startRadio({ style: 'lofi', mood: 'calm', seed: 42, sectionSec: 15 });
  const specs = run(start, 200);

  it('is deterministic', () => {
    expect(run(start, 200)).toEqual(specs);
  });

  it('chains sections of 15–30 s, whole bars on the 20 ms packet grid, start to end', () => {
    let at = 0;
    for (const s of specs) {
      expect(s.startSample).toBe(at);
      expect(s.lengthSamples / 48_000).toBeGreaterThanOrEqual(15);
      expect(s.lengthSamples / 48_000).toBeLessThanOrEqual(30);
      expect(s.lengthSamples % 960).toBe(0);
      expect(s.lengthSamples).toBe(s.bars * barSamples(s.beatUnits, s.meter));
      expect(s.bpm).toBeCloseTo(3000 / s.beatUnits, 9);
      const t = StyleCatalog.style(s.style).tempo;
      expect(s.bpm).toBeGreaterThanOrEqual(t.min);
      expect(s.bpm).toBeLessThanOrEqual(t.max);
      at += s.lengthSamples;
    }
  });

  it('continues a theme part by part, brings earlier themes back and brings new ones in', () => {
    expect(specs[0]!.kind).toBe('open');
    for (let i = 1; i < specs.length; i++) {
      const [a, b] = [specs[i - 1]!, specs[i]!];
      if (b.kind === 'continue') expect([b.themeSeed, b.themePart]).toEqual([a.themeSeed, a.themePart + 1]);
      expect(b.themePart).toBeLessThan(MAX_THEME_PARTS);
    }
    const kinds = new Set(specs.map((s) => s.kind));
    expect(kinds).toEqual(new Set(['open', 'continue', 'develop', 'return', 'new']));
    const returns = specs.filter((s, i) => s.kind === 'return' && specs.slice(0, i).some((p) => p.themeSeed === s.themeSeed));
    expect(returns.length).toBe(specs.filter((s) => s.kind === 'return').length);
    // An hour is not one loop: many themes over 200 sections (~55 min).
    expect(new Set(specs.map((s) => s.themeSeed)).size).toBeGreaterThan(10);
  });

  it('moves key only to closely related keys, and tempo by small planned steps', () => {
    let modulations = 0;
    for (let i = 1; i < specs.length; i++) {
      const [a, b] = [specs[i - 1]!, specs[i]!];
      if (`${a.key.tonic}${a.key.mode}` !== `${b.key.tonic}${b.key.mode}`) {
        modulations++;
        expect(b.kind === 'develop' || b.kind === 'new').toBe(true);
        expect(relatedKeys(a.key)).toContainEqual(b.key);
        const shared = [...pcs(a.key)].filter((pc) => pcs(b.key).has(pc)).length;
        expect(shared).toBeGreaterThanOrEqual(6);
      }
      expect(Math.abs(b.beatUnits - a.beatUnits)).toBeLessThanOrEqual(1);
      if (b.kind === 'continue') expect(b.beatUnits).toBe(a.beatUnits);
    }
    expect(modulations).toBeGreaterThan(5);
  });

  it('moves the next section one step for each choice of the room', () => {
    const base = run(start, 4);
    const at = 4;
    const state = [...Array(at)].reduce((s: RadioState) => nextSection(s, null).state, start);
    const prev = base[at - 1]!;
    const with_ = (c: RadioChoice) => nextSection(state, c).spec;
    const energy = with_('energy');
    expect(energy.energy).toBe(prev.energy === 'low' ? 'medium' : 'high');
    expect(energy.bpm).toBeGreaterThan(prev.bpm);
    expect(energy.themeSeed).toBe(prev.themeSeed);
    const calmer = with_('calmer');
    expect(calmer.bpm).toBeLessThanOrEqual(prev.bpm);
    const ladder = (m: string) => RADIO_VALENCE_LADDER.indexOf(m);
    expect(ladder(with_('happier').mood)).toBe(ladder(prev.mood) + 1);
    expect(ladder(with_('darker').mood)).toBe(ladder(prev.mood) - 1);
    // A change of mood that changes the mode goes to the relative key (the same pitches).
    const dark = with_('darker');
    expect(pcs(dark.key)).toEqual(pcs(prev.key));
    expect(with_('theme').themeSeed).not.toBe(prev.themeSeed);
    expect(with_('skip').themeSeed).not.toBe(prev.themeSeed);
    for (const c of ['energy', 'calmer', 'happier', 'darker', 'theme', 'skip'] as const) expect(with_(c).note).toMatch(/the room chose/);
  });

  it('counts votes: a strict majority wins, a tie moves nothing', () => {
    expect(tally(['calmer', 'calmer', 'energy']).choice).toBe('calmer');
    expect(tally(['calmer', 'energy']).choice).toBeNull();
    expect(tally([]).choice).toBeNull();
    expect(tally(['skip']).counts).toEqual({ skip: 1 });
  });

  it('keeps tempos whose quarter note is a whole number of 20 ms', () => {
    for (const style of StyleCatalog.styleIds) {
      const s = nextSection(startRadio({ style, mood: 'happy', seed: 1 }), null).spec;
      expect(Number.isInteger(s.beatUnits)).toBe(true);
      expect(3000 / s.bpm).toBeCloseTo(s.beatUnits, 9);
      expect(bpmOf(s.beatUnits)).toBe(s.bpm);
      expect((barSamples(s.beatUnits, s.meter) / 960) % 1).toBe(0);
    }
  });
});

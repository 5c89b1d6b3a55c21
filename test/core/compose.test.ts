import { describe, expect, it } from 'vitest';
import { StyleCatalog } from '../../src/core/catalog/index.ts';
import { compose } from '../../src/core/compose.ts';
import { scalePitchClasses, tonicChord, dominantChord } from '../../src/core/plan/harmony.ts';
import { ticksPerBar, ticksToSeconds, type Score } from '../../src/core/score.ts';
import { makeRequest } from '../support/requests.ts';

const DURATIONS = [1, 7, 30, 95];

function pitched(score: Score) {
  return score.tracks.filter((t) => t.role !== 'drums').flatMap((t) => t.notes.map((n) => ({ role: t.role, ...n })));
}

describe.each(StyleCatalog.styleIds)('style %s', (styleId) => {
  const style = StyleCatalog.style(styleId);

  it.each(DURATIONS)('obeys the score invariants at %i s', async (durationSec) => {
    const request = makeRequest({ style: styleId, mood: 'happy', durationSec, seed: 7 + durationSec });
    const { score, plan } = await compose(request);
    const bar = ticksPerBar(score.meter);

    // Notes in range, with sane lengths.
    for (const track of score.tracks) {
      for (const n of track.notes) {
        expect(n.pitch).toBeGreaterThanOrEqual(track.role === 'drums' ? 35 : 24);
        expect(n.pitch).toBeLessThanOrEqual(track.role === 'drums' ? 81 : 108);
        expect(n.velocity).toBeGreaterThanOrEqual(1);
        expect(n.velocity).toBeLessThanOrEqual(127);
        expect(n.durationTicks).toBeGreaterThan(0);
        expect(n.tick).toBeGreaterThanOrEqual(0);
      }
    }
    if (track(score, 'drums')) expect(track(score, 'drums')!.channel).toBe(9);

    // In key where the style is diatonic.
    if (style.diatonic) {
      const scale = scalePitchClasses(score.key);
      const outside = pitched(score).filter((n) => !scale.includes(n.pitch % 12));
      expect(outside).toEqual([]);
    }

    // Sections are bar-aligned, contiguous and cover the music; the ending starts on a downbeat.
    let cursor = 0;
    for (const section of score.sections) {
      expect(section.startTick % bar).toBe(0);
      expect(section.startTick).toBe(cursor);
      cursor = section.endTick;
    }
    const ending = score.sections[score.sections.length - 1]!;
    expect(ending.name).toBe('ending');
    expect(ending.startTick).toBe(score.endTick);

    // Cadence: the last chord is the tonic on the final downbeat; bass and lead land on the tonic.
    const tonicPc = tonicChord(score.key).rootPc;
    const lastChord = score.chords[score.chords.length - 1]!;
    expect(lastChord.startTick).toBe(score.endTick);
    expect(lastChord.symbol).toBe(tonicChord(score.key).symbol);
    const finalBass = track(score, 'bass')!.notes.filter((n) => n.tick === score.endTick);
    expect(finalBass.map((n) => n.pitch % 12)).toEqual([tonicPc]);
    const finalLead = track(score, 'lead')!.notes.filter((n) => n.tick >= score.endTick);
    expect(finalLead.map((n) => n.pitch % 12)).toEqual([tonicPc]);
    if (plan.timing.bars >= 2) {
      expect(score.chords[score.chords.length - 2]!.symbol).toBe(dominantChord(score.key, style.chordFlavor, style.diatonic).symbol);
    }

    // Exact duration: every note ends before the release tail, which ends at the requested length.
    const lastOff = Math.max(...score.tracks.flatMap((t) => t.notes.map((n) => n.tick + n.durationTicks)));
    const lastOffSec = ticksToSeconds(lastOff, score.bpm);
    expect(lastOffSec).toBeLessThanOrEqual(durationSec - plan.timing.releaseSec + 1e-6);
    expect(ticksToSeconds(score.endTick, score.bpm) + plan.timing.finalHoldSec + plan.timing.releaseSec).toBeCloseTo(durationSec, 6);
    expect(score.durationSec).toBe(durationSec);
  });

  it('loops seamlessly: whole bars, nothing across the seam, the last chord leads home', async () => {
    const request = makeRequest({ style: styleId, mood: 'calm', durationSec: 20, loop: true, seed: 99 });
    const { score } = await compose(request);
    const bar = ticksPerBar(score.meter);
    expect(score.endTick % bar).toBe(0);
    expect(ticksToSeconds(score.endTick, score.bpm)).toBeCloseTo(20, 6);
    expect(score.sections.map((s) => s.name)).not.toContain('ending');
    expect(score.sections[score.sections.length - 1]!.endTick).toBe(score.endTick);
    for (const t of score.tracks) for (const n of t.notes) expect(n.tick + n.durationTicks).toBeLessThanOrEqual(score.endTick);
    const first = score.chords[0]!;
    const last = score.chords[score.chords.length - 1]!;
    if (first.symbol === tonicChord(score.key).symbol && score.chords.length > 1) {
      expect(last.symbol).toBe(dominantChord(score.key, style.chordFlavor, style.diatonic).symbol);
    }
  });
});

describe('compose', () => {
  it('honours an explicit tempo exactly (non-loop) and the requested key and meter', async () => {
    const { score } = await compose(makeRequest({ style: 'folk', tempo: 97, key: { tonic: 'Eb', mode: 'major' }, meter: '6/8', durationSec: 25 }));
    expect(score.bpm).toBe(97);
    expect(score.key).toEqual({ tonic: 'Eb', mode: 'major' });
    expect(score.meter).toEqual({ numerator: 6, denominator: 8 });
  });

  it('nudges the tempo of a loop to fit whole bars, and says so', async () => {
    const { score, plan } = await compose(makeRequest({ style: 'funk', tempo: 105, durationSec: 20, loop: true }));
    expect(plan.timing.tempoAdjusted).toBe(true);
    expect(Math.abs(score.bpm - 105) / 105).toBeLessThan(0.1);
    expect(plan.notes.join(' ')).toMatch(/loop/);
  });

  it('gives the requested instruments their roles', async () => {
    const { score } = await compose(makeRequest({ instruments: [{ name: 'flute', program: 73 }, { name: 'cello', program: 42 }, { name: 'fretless bass', program: 35 }] }));
    expect(track(score, 'lead')!.program).toBe(73);
    expect(track(score, 'harmony')!.program).toBe(42);
    expect(track(score, 'bass')!.program).toBe(35);
  });

  it('is a function of request and seed', async () => {
    const a = await compose(makeRequest({ seed: 5 }));
    const b = await compose(makeRequest({ seed: 5 }));
    const c = await compose(makeRequest({ seed: 6 }));
    expect(JSON.stringify(a.score)).toBe(JSON.stringify(b.score));
    expect(JSON.stringify(a.score.tracks)).not.toBe(JSON.stringify(c.score.tracks));
  });

  it('writes a real melody: several distinct pitches and rhythms in a 30 s piece', async () => {
    for (const styleId of StyleCatalog.styleIds) {
      const { score } = await compose(makeRequest({ style: styleId, durationSec: 30, seed: 3 }));
      const lead = track(score, 'lead')!.notes;
      expect(lead.length, styleId).toBeGreaterThanOrEqual(8);
      expect(new Set(lead.map((n) => n.pitch)).size, styleId).toBeGreaterThanOrEqual(4);
      expect(new Set(lead.map((n) => n.durationTicks)).size, styleId).toBeGreaterThanOrEqual(2);
    }
  });
});

function track(score: Score, role: string) {
  return score.tracks.find((t) => t.role === role);
}

describe('key guard', () => {
  it('makes the whole score read in its key where it read as the relative major (Krumhansl–Schmuckler)', async () => {
    const { defaultMelodyGenerator } = await import('../../src/neural/defaultGenerator.ts');
    const { evalMusicRequest } = await import('../../src/eval/music/requests.ts');
    const { detectKey, expectedKsKey } = await import('../../src/core/keyProfile.ts');
    const generator = await defaultMelodyGenerator({ choice: 'neural' });
    // Pieces of the music eval (requests.ts) that the default generator composed out of key before the guard.
    for (const [style, index] of [['lofi', 3], ['jazz', 8], ['edm', 7], ['funk', 5]] as const) {
      const { score } = await compose(evalMusicRequest(style, index), generator);
      const notes = score.tracks.filter((t) => t.channel !== 9).flatMap((t) => t.notes.map((n) => ({ pitch: n.pitch, duration: n.durationTicks })));
      const got = detectKey(notes);
      const want = expectedKsKey(score.key);
      expect({ tonicPc: got.tonicPc, mode: got.mode }, `${style} #${index}`).toEqual(want);
    }
  }, 60_000);
});

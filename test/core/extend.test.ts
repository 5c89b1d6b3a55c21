import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { ExtendError, extendScore } from '../../src/core/extend.ts';
import { ticksPerBar, type Score } from '../../src/core/score.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { midiToScore } from '../../src/midi/transformSource.ts';
import { makeRequest } from '../support/requests.ts';

const notesBefore = (score: Score, tick: number) =>
  Object.fromEntries(
    score.tracks.map((t) => [t.role, t.notes.filter((n) => n.tick < tick).map((n) => [n.pitch, n.tick, n.durationTicks, n.velocity])] as const).filter(([, notes]) => notes.length > 0),
  );

describe('extendScore', () => {
  it('keeps every note of the original bars, then adds music and an ending at the longer length', async () => {
    const { score: original, plan } = await compose(makeRequest({ style: 'lofi', mood: 'calm', durationSec: 8, seed: 99 }));
    const { score, request, keptBars, addedBars } = await extendScore(original, 20);
    const splice = plan.timing.bars * ticksPerBar(original.meter);

    expect(keptBars).toBe(plan.timing.bars);
    expect(addedBars).toBeGreaterThanOrEqual(2);
    expect(score.durationSec).toBe(20);
    expect(score.bpm).toBe(original.bpm);
    expect(score.key).toEqual(original.key);
    expect(score.meter).toEqual(original.meter);
    expect(request).toMatchObject({ durationSec: 20, tempo: original.bpm, key: original.key, seed: 99, loop: false });
    // The opening is the original, note for note; its own final chord is gone.
    expect(notesBefore(score, splice)).toEqual(notesBefore(original, splice));
    for (const track of score.tracks) expect(track.program).toBe(original.tracks.find((t) => t.role === track.role)?.program ?? track.program);
    // New music after the splice, and the piece still ends on a final chord inside the length.
    expect(score.tracks.flatMap((t) => t.notes).filter((n) => n.tick >= splice && n.tick < score.endTick).length).toBeGreaterThan(10);
    expect(score.endTick).toBe((keptBars + addedBars) * ticksPerBar(original.meter));
    expect(score.sections.at(-1)!.name).toBe('ending');
    expect(score.tracks.find((t) => t.role === 'lead')!.notes.some((n) => n.tick === score.endTick || Math.abs(n.tick - score.endTick) < 480)).toBe(true);
    // Sections are in order, touch each other and cover the splice.
    for (let i = 1; i < score.sections.length; i++) expect(score.sections[i]!.startTick).toBe(score.sections[i - 1]!.endTick);
    expect(score.sections.some((s) => s.startTick === splice)).toBe(true);
    // The original's chords come first; the progression continues after.
    expect(score.chords.filter((c) => c.startTick < splice).map((c) => c.symbol)).toEqual(original.chords.filter((c) => c.startTick < splice).map((c) => c.symbol));
    // No note rings past the end of the audio.
    const totalTicks = (score.durationSec * score.bpm * score.ppq) / 60;
    for (const t of score.tracks) for (const n of t.notes) expect(n.tick + n.durationTicks).toBeLessThanOrEqual(totalTicks + 1);
  });

  it('is deterministic, and works from the posted MIDI file as from the score', async () => {
    const { score: original } = await compose(makeRequest({ style: 'synthwave', mood: 'energetic', durationSec: 6, tempo: 120, seed: 7 }));
    const a = await extendScore(original, 12);
    const b = await extendScore(original, 12);
    expect(a.score).toEqual(b.score);
    const fromMidi = await extendScore(midiToScore(scoreToMidi(original).bytes), 12);
    expect(fromMidi.score.tracks).toEqual(a.score.tracks);
    expect(fromMidi.score.sections).toEqual(a.score.sections);
  });

  it('turns a loop into a longer piece that starts with the loop and ends', async () => {
    const { score: loop } = await compose(makeRequest({ style: 'chiptune', mood: 'happy', durationSec: 6, loop: true, seed: 3 }));
    const { score } = await extendScore(loop, 14);
    expect(score.meta.loop).toBe(false);
    expect(notesBefore(score, loop.endTick)).toEqual(notesBefore(loop, loop.endTick));
    expect(score.sections.at(-1)!.name).toBe('ending');
  });

  it('refuses a length that adds no bar', async () => {
    const { score } = await compose(makeRequest({ durationSec: 8, seed: 4, tempo: 90 }));
    await expect(extendScore(score, 8.5)).rejects.toBeInstanceOf(ExtendError);
  });
});

/**
 * The largest requests the limits allow (300 s at 240 bpm, 12/8 and 4/4, loop and not, the
 * busiest style) compose and write MIDI with work that grows linearly with their length. The
 * bounds are counts (notes, LSTM steps), not times; the 5 s target itself is a line of
 * `npm run bench`. A generous CPU-time guard catches anything far off.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildRequest } from '../src/core/buildRequest.ts';
import { compose } from '../src/core/compose.ts';
import { LIMITS } from '../src/core/request.ts';
import { scoreToMidi } from '../src/midi/scoreToMidi.ts';
import { defaultMelodyGenerator } from '../src/neural/defaultGenerator.ts';
import { LstmRunner } from '../src/neural/lstmCore.ts';

/** Sixteenth-note steps of melody in the longest, fastest piece. */
const MAX_STEPS = (LIMITS.duration.max * LIMITS.tempo.max * 4) / 60;

afterEach(() => vi.restoreAllMocks());

describe('the largest allowed requests', () => {
  it.each([
    ['12/8', false],
    ['12/8', true],
    ['4/4', false], // 4/4 melodies come from the LSTM, the costliest generator
    ['4/4', true],
  ] as const)('%s, loop %s: linear work and a bounded note count', async (meter, loop) => {
    const generator = await defaultMelodyGenerator();
    const steps = vi.spyOn(LstmRunner.prototype, 'step');
    const { request } = buildRequest({ style: 'edm', energy: 'high', duration: LIMITS.duration.max, tempo: LIMITS.tempo.max, meter, loop, seed: 11 });
    const start = process.cpuUsage();
    const { score } = await compose(request, generator);
    const midi = scoreToMidi(score);
    const preRoll = loop ? scoreToMidi(score, { loopPreRoll: true }) : midi;
    const used = process.cpuUsage(start);

    const notes = score.tracks.reduce((n, t) => n + t.notes.length, 0);
    expect(notes).toBeGreaterThan(1000);
    // About 58 notes a second at most here (six parts of sixteenths and drums); 70 leaves room.
    expect(notes).toBeLessThanOrEqual(70 * LIMITS.duration.max);
    // At most four whole melodies (the key guard's attempts) plus a quarter for originality rewinds.
    if (meter === '4/4') expect(steps.mock.calls.length).toBeGreaterThan(MAX_STEPS / 2);
    expect(steps.mock.calls.length).toBeLessThanOrEqual(4 * 1.25 * MAX_STEPS);
    // A MIDI file of a few bytes per event (notes and controller changes), both versions of a loop.
    const events = notes + score.tracks.reduce((n, t) => n + (t.controllers?.length ?? 0), 0);
    expect(midi.bytes.length).toBeLessThan(12 * events);
    expect(preRoll.bytes.length).toBeLessThan(12 * events * 1.1);
    // Guard only (CPU time, so other processes on the machine do not count): 3 s on a quiet machine at most.
    expect((used.user + used.system) / 1e6).toBeLessThan(20);
  }, 180_000);
});

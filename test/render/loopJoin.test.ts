/**
 * Issue 14: a loop, decoded and played twice end to end, joins without a sample jump larger than
 * the music's own and without a dip in level. Measured on the delivered files (loop points and
 * signed manifest in their tags), Ogg Opus and WAV, in styles with sustained pads and with drums.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiece } from '../../src/pipeline.ts';
import { readLoopPoints } from '../../src/provenance/containers.ts';
import { decodeS16 } from './helpers.ts';
import { makeRequest } from '../support/requests.ts';

const RATE = 48_000;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-loopjoin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

export interface JoinQuality {
  /** |first sample − last sample| at the join, worst channel. */
  jump: number;
  /** The music's own sample-to-sample steps: 99.9th percentile and maximum over the loop, same channel. */
  ownP999: number;
  ownMax: number;
  /** RMS of 20 ms across the join against the median 20 ms RMS of the half second either side, dB. */
  levelAtJoinDb: number;
}

/** The loop played twice: [x, x]; measured at the join (frame N of 2N). */
export function joinQuality(x: Int16Array): JoinQuality {
  const frames = x.length / 2;
  const twice = new Int16Array(x.length * 2);
  twice.set(x, 0);
  twice.set(x, x.length);
  let worst: { jump: number; ownP999: number; ownMax: number } | null = null;
  for (let c = 0; c < 2; c++) {
    const steps: number[] = [];
    for (let i = 0; i + 1 < frames; i++) steps.push(Math.abs(x[(i + 1) * 2 + c]! - x[i * 2 + c]!));
    steps.sort((a, b) => a - b);
    const jump = Math.abs(twice[frames * 2 + c]! - twice[(frames - 1) * 2 + c]!);
    const ownP999 = steps[Math.floor(steps.length * 0.999)]!;
    if (!worst || jump - ownP999 > worst.jump - worst.ownP999) worst = { jump, ownP999, ownMax: steps.at(-1)! };
  }
  const win = Math.round(0.02 * RATE);
  const rms = (from: number) => {
    let s = 0;
    for (let i = from; i < from + win; i++) for (let c = 0; c < 2; c++) s += twice[i * 2 + c]! ** 2;
    return Math.sqrt(s / (win * 2));
  };
  const around: number[] = [];
  for (let from = frames - RATE / 2; from < frames + RATE / 2; from += win) if (Math.abs(from + win / 2 - frames) > win) around.push(rms(from));
  around.sort((a, b) => a - b);
  const median = around[Math.floor(around.length / 2)]!;
  return { ...worst!, levelAtJoinDb: 20 * Math.log10(rms(frames - win / 2) / median) };
}

describe('loops played twice end to end', () => {
  const cases = [
    { style: 'ambient', mood: 'calm', seed: 6, format: 'ogg' as const },
    { style: 'lofi', mood: 'calm', seed: 4, format: 'wav' as const },
    { style: 'synthwave', mood: 'energetic', seed: 2, format: 'ogg' as const },
    { style: 'chiptune', mood: 'happy', seed: 5, format: 'wav' as const },
  ];
  it.each(cases)('$style $format: no jump larger than the music’s own, no level dip', { timeout: 120_000 }, async (c) => {
    const piece = await createPiece(makeRequest({ style: c.style, mood: c.mood, seed: c.seed, durationSec: 12, loop: true }), { format: c.format, sign: false });
    const data = piece.audio!.data;
    expect(readLoopPoints(c.format, data)).toEqual({ startFrame: 0, lengthFrames: 12 * RATE });
    const file = path.join(dir, `${c.style}.${c.format}`);
    await writeFile(file, data);
    const pcm = await decodeS16(file);
    expect(pcm.length / 2).toBe(12 * RATE);
    const q = joinQuality(pcm);
    console.log(`loop join ${c.style} ${c.format}: jump ${q.jump} (music's own steps: p99.9 ${q.ownP999}, max ${q.ownMax}); level across the join ${q.levelAtJoinDb.toFixed(2)} dB vs the second around it`);
    expect(q.jump).toBeLessThanOrEqual(q.ownMax);
    expect(q.jump).toBeLessThanOrEqual(q.ownP999);
    expect(q.levelAtJoinDb).toBeGreaterThan(-3);
  });

  it('the measure catches a broken join (control: the loop cut 10 ms short, and a 100 ms gap)', () => {
    const t = Array.from({ length: RATE * 2 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / RATE)));
    const stereo = (xs: number[]) => Int16Array.from(xs.flatMap((v) => [v, v]));
    // 220 Hz over exactly 2 s is whole cycles: a clean loop.
    expect(joinQuality(stereo(t)).jump).toBeLessThanOrEqual(joinQuality(stereo(t)).ownP999);
    const cut = joinQuality(stereo(t.slice(0, t.length - 240 + 60)));
    expect(cut.jump).toBeGreaterThan(cut.ownMax);
    const gap = joinQuality(stereo([...t.slice(0, t.length - 4800), ...new Array(4800).fill(0)]));
    expect(gap.levelAtJoinDb).toBeLessThan(-3);
  });
});

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
import { joinQuality } from '../support/loopJoin.ts';
import { makeRequest } from '../support/requests.ts';

const RATE = 48_000;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-loopjoin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

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

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropouts, frameLevelsDb } from '../../../src/eval/music/dropouts.ts';
import { loudnessRange, sectionLoudness } from '../../../src/eval/music/loudness.ts';
import { decodeWav } from '../../../src/eval/music/wav.ts';
import { findTools } from '../../../src/render/tools.ts';
import { encodeWav, sinePcm } from './fixtures.ts';

const dB = (x: number) => 10 ** (x / 20);

describe('dropouts', () => {
  it('a steady tone has none', () => {
    const r = dropouts(sinePcm([[4, 0.1]]));
    expect(r.dropouts).toBe(0);
    expect(r.frames).toBe(160);
    expect(r.medianDb).toBeCloseTo(20 * Math.log10(0.1 / Math.SQRT2), 1);
  });
  it('100 ms of silence in the middle is one drop-out of 4 frames; 30 dB down counts, 10 dB down does not', () => {
    const r = dropouts(sinePcm([[2, 0.1], [0.1, 0], [2, 0.1]]));
    expect(r).toMatchObject({ dropouts: 1, dropoutFrames: 4, longestSec: 0.1 });
    expect(r.at[0]).toBeCloseTo(2, 5);
    expect(r.perMinute).toBeCloseTo(1 / (164 * 0.025 / 60), 5);
    expect(dropouts(sinePcm([[2, 0.1], [0.2, 0.1 * dB(-30)], [2, 0.1]])).dropouts).toBe(1);
    expect(dropouts(sinePcm([[2, 0.1], [0.2, 0.1 * dB(-10)], [2, 0.1]])).dropouts).toBe(0);
  });
  it('silence before the music starts, and silence inside an excluded span (ending, break), are not drop-outs', () => {
    expect(dropouts(sinePcm([[0.5, 0], [3, 0.1]])).dropouts).toBe(0);
    const pcm = sinePcm([[2, 0.1], [0.3, 0], [2, 0.1], [1, 0]]);
    expect(dropouts(pcm).dropouts).toBe(2);
    expect(dropouts(pcm, [{ startSec: 1.95, endSec: 2.35 }, { startSec: 4.3, endSec: Infinity }]).dropouts).toBe(0);
  });
  it('frame levels are mean squares in dB over both channels', () => {
    const levels = frameLevelsDb(sinePcm([[0.05, 1]]));
    expect(levels).toHaveLength(2);
    expect(levels[0]).toBeCloseTo(-3.01, 1);
  });
});

describe('loudness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-music-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ffmpeg = findTools().ffmpeg;

  it('section loudness: two sections 6 dB apart are 6 LU apart; the ending and sections under 3 s are left out', () => {
    const pcm = sinePcm([[5, 0.2], [5, 0.1], [2, 0.4], [2, 0.01]]);
    const r = sectionLoudness(pcm, [
      { name: 'A', startSec: 0, endSec: 5 },
      { name: 'B', startSec: 5, endSec: 10 },
      { name: 'short', startSec: 10, endSec: 12 },
      { name: 'ending', startSec: 12, endSec: 14 },
    ]);
    expect(r.sections.map((s) => s.name)).toEqual(['A', 'B']);
    expect(r.spreadLu).toBeCloseTo(6.02, 1);
  });

  it('LRA by ffmpeg ebur128: a steady tone is under 1 LU (fails ≥ 5), 12 dB steps give well over 5 LU', async () => {
    const steady = join(dir, 'steady.wav');
    writeFileSync(steady, encodeWav(sinePcm([[20, 0.2]])));
    expect(await loudnessRange(steady, ffmpeg)).toBeLessThan(1);
    const stepped = join(dir, 'stepped.wav');
    writeFileSync(stepped, encodeWav(sinePcm([[10, 0.05], [10, 0.2], [10, 0.05], [10, 0.2]])));
    const lra = await loudnessRange(stepped, ffmpeg);
    expect(lra).toBeGreaterThan(8);
    expect(lra).toBeLessThan(14);
  });

  it('decodeWav reads 16-bit PCM back', () => {
    const pcm = sinePcm([[0.01, 0.5]]);
    const back = decodeWav(encodeWav(pcm));
    expect(back.channels).toBe(2);
    expect(back.sampleRate).toBe(48_000);
    expect(back.samples.length).toBe(pcm.samples.length);
    expect(Math.max(...back.samples.map((v, i) => Math.abs(v - pcm.samples[i]!)))).toBeLessThan(1e-4);
    expect(() => decodeWav(Buffer.from('not a wav file at all, really'))).toThrow(/RIFF/);
  });
});

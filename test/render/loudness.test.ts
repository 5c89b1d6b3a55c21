/** Our BS.1770 meter against ffmpeg's ebur128 filter on real fluidsynth renders. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoudnessMeter, measureLoudness } from '../../src/render/loudness.ts';
import { resolveSoundFont } from '../../src/render/soundfont.ts';
import { fluidsynthArgs, SAMPLE_RATE, CHANNELS } from '../../src/render/synth.ts';
import { findTools } from '../../src/render/tools.ts';
import { fixtureMidi } from '../support/midiFixtures.ts';
import { ebur128Pcm, scratchDir } from './helpers.ts';

const AGREEMENT_LU = 0.3;
const PEAK_AGREEMENT_DB = 0.1;
const format = { sampleRate: SAMPLE_RATE, channels: CHANNELS };

/** Raw fluidsynth PCM of a fixture (the same flags the renderer uses). */
async function synthPcm(dir: string, name: string, dynamics: number, bpm: number): Promise<Buffer> {
  const midiPath = `${dir}/${name}.mid`;
  await writeFile(midiPath, fixtureMidi({ durationSec: 12, dynamics, bpm }).bytes);
  const child = spawn(findTools().fluidsynth, fluidsynthArgs(resolveSoundFont(), midiPath), { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  for await (const c of child.stdout) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const asS16 = (b: Buffer) => new Int16Array(b.buffer, b.byteOffset, b.length / 2);

describe('loudness meter (BS.1770-4) vs ffmpeg ebur128', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  const renders: { name: string; pcm: Buffer }[] = [];

  beforeAll(async () => {
    scratch = await scratchDir();
    renders.push({ name: 'quiet', pcm: await synthPcm(scratch.dir, 'quiet', 0.2, 84) });
    renders.push({ name: 'loud', pcm: await synthPcm(scratch.dir, 'loud', 1.27, 132) });
  });
  afterAll(() => scratch.remove());

  it.each(['quiet', 'loud'])('agrees on the %s render within 0.3 LU, and on the sample peak', async (name) => {
    const pcm = renders.find((r) => r.name === name)!.pcm;
    const ours = measureLoudness(asS16(pcm), format);
    const theirs = await ebur128Pcm(pcm, 'sample');
    expect(Number.isFinite(theirs.integratedLufs)).toBe(true);
    expect(Math.abs(ours.integratedLufs - theirs.integratedLufs)).toBeLessThanOrEqual(AGREEMENT_LU);
    expect(Math.abs(ours.samplePeakDb - theirs.peakDb)).toBeLessThanOrEqual(PEAK_AGREEMENT_DB);
  });

  it('tells the quiet render from the loud one by the same margin ffmpeg does', async () => {
    const [quiet, loud] = renders.map((r) => r.pcm) as [Buffer, Buffer];
    const oursGap = measureLoudness(asS16(loud), format).integratedLufs - measureLoudness(asS16(quiet), format).integratedLufs;
    const theirGap = (await ebur128Pcm(loud)).integratedLufs - (await ebur128Pcm(quiet)).integratedLufs;
    expect(theirGap).toBeGreaterThan(AGREEMENT_LU * 10); // the fixtures really differ
    expect(Math.abs(oursGap - theirGap)).toBeLessThanOrEqual(AGREEMENT_LU);
  });

  it('gives the same result fed in odd-sized chunks as in one piece, and for float input', () => {
    const samples = asS16(renders[1]!.pcm);
    const whole = measureLoudness(samples, format);
    const meter = new LoudnessMeter(format);
    const chunkFrames = 4801; // deliberately not a multiple of the 100 ms step
    for (let i = 0; i < samples.length; i += chunkFrames * CHANNELS) meter.push(samples.subarray(i, i + chunkFrames * CHANNELS));
    expect(meter.result().integratedLufs).toBeCloseTo(whole.integratedLufs, 9);

    const float = Float32Array.from(samples, (s) => s / 32768);
    expect(measureLoudness(float, format).integratedLufs).toBeCloseTo(whole.integratedLufs, 6);
  });

  it('gates silence out entirely', () => {
    const silence = new Int16Array(SAMPLE_RATE * CHANNELS * 2);
    const r = measureLoudness(silence, format);
    expect(r.integratedLufs).toBe(-Infinity);
    expect(r.samplePeak).toBe(0);
  });
});

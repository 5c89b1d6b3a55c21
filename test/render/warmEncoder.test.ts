/**
 * Warm encoders (src/render/warm/warmEncoder.ts) and the warm synthesiser's own loudness meter:
 * a render through them is the render without them (tags byte for byte, length, loudness, audio),
 * a kept pool refills after each render, and the daemon measures what loudness.ts measures.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { LoudnessMeter } from '../../src/render/loudness.ts';
import { ProcessGuard } from '../../src/render/lifecycle.ts';
import { readOggPackets } from '../../src/render/oggOpus.ts';
import { keepRenderersWarm, renderAudio, type RenderOptions } from '../../src/render/render.ts';
import { resolveSoundFont } from '../../src/render/soundfont.ts';
import { SAMPLE_RATE } from '../../src/render/synth.ts';
import { findTools } from '../../src/render/tools.ts';
import { encoderPool } from '../../src/render/warm/warmEncoder.ts';
import { startWarmFileJob, synthPool } from '../../src/render/warm/warmSynth.ts';
import { warmOggArgs } from '../../src/render/encode.ts';
import { TRUE_PEAK_ALLOWANCE_DB, TRUE_PEAK_CEILING_DB } from '../../src/render/normalize.ts';
import { fixtureMidi } from '../support/midiFixtures.ts';
import { decodeS16, ebur128File, scratchDir, tagsOf } from './helpers.ts';

const font = resolveSoundFont();
afterAll(() => synthPool.killAll());

/** Renders with the warm encoders on or off (the env switch is read per render). */
async function renderWith(warm: boolean, opts: RenderOptions) {
  const before = process.env.TUNESMITH_WARM_ENCODER;
  process.env.TUNESMITH_WARM_ENCODER = warm ? '1' : '0';
  try {
    return await renderAudio(opts);
  } finally {
    if (before === undefined) delete process.env.TUNESMITH_WARM_ENCODER;
    else process.env.TUNESMITH_WARM_ENCODER = before;
  }
}

describe('warm encoders', { timeout: 180_000 }, () => {
  it('write the same tags, length and loudness as a per-render ffmpeg, and audio that differs only by the codec', async () => {
    const piece = fixtureMidi({ durationSec: 12, layers: 3 });
    const tags = { title: 'Warm — test', style: 'lofi', mood: 'calm', seed: 4_294_967_295 };
    const scratch = await scratchDir();
    try {
      for (const parallel of [false, true]) {
        const opts: RenderOptions = { midi: piece.bytes, durationSec: 10, format: 'ogg', tags, parallel };
        const cold = await renderWith(false, opts);
        const warm = await renderWith(true, opts);
        expect(warm.encodedInParts).toBe(cold.encodedInParts);
        // The OpusTags packet is byte for byte the one ffmpeg writes with -metadata.
        expect(readOggPackets(warm.data).tags.equals(readOggPackets(cold.data).tags)).toBe(true);
        const [coldPath, warmPath] = [scratch.path(`cold-${parallel}.ogg`), scratch.path(`warm-${parallel}.ogg`)];
        await writeFile(coldPath, cold.data);
        await writeFile(warmPath, warm.data);
        expect(await tagsOf(warmPath)).toEqual(await tagsOf(coldPath));
        const [a, b] = [await decodeS16(coldPath), await decodeS16(warmPath)];
        expect(b.length).toBe(a.length);
        expect(b.length).toBe(10 * SAMPLE_RATE * 2);
        const [la, lb] = [await ebur128File(coldPath), await ebur128File(warmPath)];
        expect(Math.abs(la.integratedLufs - lb.integratedLufs)).toBeLessThan(0.1);
        expect(lb.peakDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DB);
        // Same samples into the same encoder settings: the residual is far under the music.
        let err = 0;
        let sig = 0;
        for (let i = 0; i < a.length; i++) {
          err += (a[i]! - b[i]!) ** 2;
          sig += a[i]! ** 2;
        }
        expect(10 * Math.log10(err / sig)).toBeLessThan(-30);
        // The end fade (done in the samples here, by afade there) still ends in near silence.
        const tail = b.subarray(b.length - 20);
        expect(Math.max(...Array.from(tail, Math.abs))).toBeLessThan(300);
      }
    } finally {
      await scratch.remove();
    }
  });

  it('kept warm, refill after each render that took from them', async () => {
    const setupFfmpeg = findTools().ffmpeg;
    const args = warmOggArgs(TRUE_PEAK_CEILING_DB - TRUE_PEAK_ALLOWANCE_DB);
    await keepRenderersWarm();
    expect(encoderPool.idleCount(setupFfmpeg, args)).toBe(2);
    const piece = fixtureMidi({ durationSec: 8 });
    const result = await renderWith(true, { midi: piece.bytes, durationSec: 8, format: 'ogg', tags: { title: 'refill' }, parallel: true });
    expect(result.encodedInParts).toBe(2);
    // Both were used; the refill runs right after the render returns.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(encoderPool.idleCount(setupFfmpeg, args)).toBe(2);
  });
});

describe('the warm synthesiser measures loudness as loudness.ts does', { timeout: 120_000 }, () => {
  it('gives the same 100 ms step powers and sample peak for the window it was asked to measure', async () => {
    const piece = fixtureMidi({ durationSec: 7, layers: 3 });
    const scratch = await scratchDir();
    try {
      const frames = 7 * SAMPLE_RATE;
      const measureStart = 12_345;
      const measureFrames = 4 * SAMPLE_RATE + 999; // not a whole number of steps
      const guard = new ProcessGuard({ what: 'test' });
      const job = await startWarmFileJob(font.path, SAMPLE_RATE, { midi: piece.bytes, frames, gain: font.gain, reverb: true, chorus: false, path: scratch.path('out.pcm'), measureStart, measureFrames }, guard);
      const stats = await job.stats;
      guard.dispose();
      const pcm = await readFile(scratch.path('out.pcm'));
      expect(pcm.length).toBe(frames * 4);
      const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
      const meter = new LoudnessMeter({ sampleRate: SAMPLE_RATE, channels: 2 });
      meter.push(samples.subarray(measureStart * 2, (measureStart + measureFrames) * 2));
      const expected = meter.result();
      expect(stats.samplePeak).toBe(expected.samplePeak);
      expect(stats.samplePeak).toBeGreaterThan(0.01);
      expect(stats.stepFrames).toBe(expected.steps![0]!.stepFrames);
      const powers = expected.steps![0]!.powers;
      expect(stats.stepPowers.length).toBe(powers.length);
      expect(powers.length).toBe(40);
      for (let i = 0; i < powers.length; i++) expect(Math.abs(stats.stepPowers[i]! - powers[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, powers[i]!));
    } finally {
      await scratch.remove();
    }
  });

  it('reports a file it cannot write as a failed job, and the daemon serves the next job', async () => {
    const piece = fixtureMidi({ durationSec: 2 });
    const guard = new ProcessGuard({ what: 'test' });
    const spec = { midi: piece.bytes, frames: SAMPLE_RATE, gain: font.gain, reverb: true, chorus: false, measureStart: 0, measureFrames: SAMPLE_RATE };
    const bad = await startWarmFileJob(font.path, SAMPLE_RATE, { ...spec, path: '/nonexistent-dir/out.pcm' }, guard);
    await expect(bad.stats).rejects.toThrow(/cannot write the rendered audio/);
    const scratch = await scratchDir();
    try {
      const good = await startWarmFileJob(font.path, SAMPLE_RATE, { ...spec, path: scratch.path('ok.pcm') }, guard);
      expect((await good.stats).stepPowers.length).toBe(10);
    } finally {
      guard.dispose();
      await scratch.remove();
    }
  });
});

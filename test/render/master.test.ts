/**
 * The mastering stage: glue compression and limiting solved for −14 LUFS (master.ts), unit-tested on
 * synthetic PCM and checked end to end with ffmpeg's own EBU R128 meter on a rendered piece.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { measureLoudness } from '../../src/render/loudness.ts';
import { CHUNK_FRAMES, envelopeAt, MASTER_CEILING_DB, planMaster } from '../../src/render/master.ts';
import { renderAudio } from '../../src/render/render.ts';
import { makeRequest } from '../support/requests.ts';
import { ebur128File, scratchDir } from './helpers.ts';

const RATE = 48_000;

/** Stereo s16: a soft tone with a loud click every half second (drum-like peaks). */
function peakyPcm(seconds: number): Int16Array {
  const frames = seconds * RATE;
  const pcm = new Int16Array(frames * 2);
  for (let f = 0; f < frames; f++) {
    const hit = f % (RATE / 2) < 200 ? 26000 * Math.sin(f * 0.3) : 0;
    const x = Math.round(1500 * Math.sin((2 * Math.PI * 220 * f) / RATE) + hit);
    pcm[2 * f] = x;
    pcm[2 * f + 1] = x;
  }
  return pcm;
}

/** What the envelope makes of the samples, measured the way the renderer measures. */
function apply(pcm: Int16Array, plan: ReturnType<typeof planMaster>): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let f = 0; f < pcm.length / 2; f++) {
    const g = envelopeAt(plan, f) / 32768;
    out[2 * f] = pcm[2 * f]! * g;
    out[2 * f + 1] = pcm[2 * f + 1]! * g;
  }
  return out;
}

describe('planMaster', () => {
  it('lands at the target with every sample peak under the ceiling, even when peaks would need 10+ dB of limiting', () => {
    const pcm = peakyPcm(8);
    const measured = measureLoudness(pcm, { sampleRate: RATE, channels: 2 });
    const plan = planMaster(pcm, measured);
    const out = apply(pcm, plan);
    const after = measureLoudness(out, { sampleRate: RATE, channels: 2 });
    expect(Math.abs(after.integratedLufs - -14)).toBeLessThanOrEqual(0.3);
    expect(after.samplePeakDb).toBeLessThanOrEqual(MASTER_CEILING_DB + 0.01);
    expect(plan.limiterDb).toBeGreaterThan(6);
    expect(plan.envelope.length).toBe(Math.ceil(pcm.length / 2 / CHUNK_FRAMES) + 1);
  });

  it('leaves silence alone', () => {
    const plan = planMaster(new Int16Array(RATE * 2), measureLoudness(new Int16Array(RATE * 2), { sampleRate: RATE, channels: 2 }));
    expect(plan.gainDb).toBe(0);
    expect([...plan.envelope].every((g) => g === 1)).toBe(true);
  });
});

describe('mastered render', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  beforeAll(async () => (scratch = await scratchDir()));
  afterAll(() => scratch.remove());

  it('a loud, peaky piece measures −14 LUFS ± 0.5 and at most −1 dBTP in ffmpeg’s EBU R128 meter,', async () => {
    const { score } = await compose(makeRequest({ style: 'edm', mood: 'energetic', durationSec: 30, seed: 5 }));
    const result = await renderAudio({ midi: scoreToMidi(score).bytes, durationSec: 30, format: 'wav', tags: { title: 'master' } });
    const path = scratch.path('master.wav');
    await writeFile(path, result.data);
    const measured = await ebur128File(path, 'true');
    expect(Math.abs(measured.integratedLufs - -14)).toBeLessThanOrEqual(0.5);
    expect(measured.peakDb).toBeLessThanOrEqual(-1);
    expect(Math.abs(result.loudnessLufs - -14)).toBeLessThan(0.1);
  }, 180_000);
});

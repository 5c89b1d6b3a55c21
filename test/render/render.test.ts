/** renderAudio end to end with real fluidsynth and ffmpeg, checked by ffprobe and ffmpeg's ebur128. */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { CompositionRequestSchema, type AudioFormat } from '../../src/core/request.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { TAG_ARTIST, TAG_COMMENT } from '../../src/render/encode.ts';
import { TARGET_LUFS, TRUE_PEAK_CEILING_DB } from '../../src/render/normalize.ts';
import { renderAudio, renderToFile, type RenderOptions } from '../../src/render/render.ts';
import { SAMPLE_RATE } from '../../src/render/synth.ts';
import { fixtureMidi } from '../support/midiFixtures.ts';
import { decodeS16, decodedDurationSec, ebur128File, ffprobe, scratchDir, tagsOf } from './helpers.ts';

const DURATION_TOLERANCE_SEC = 0.02;
const LOUDNESS_TOLERANCE_LU = 1;
/** Release and reverb tail after the last note of a non-loop piece. */
const TAIL_SEC = 1.5;
const tags = { title: 'Fixture Étude in C', style: 'lofi', mood: 'calm', seed: 1234 };

let scratch: Awaited<ReturnType<typeof scratchDir>>;
beforeAll(async () => (scratch = await scratchDir()));
afterAll(() => scratch.remove());

async function renderTo(name: string, opts: RenderOptions) {
  const result = await renderAudio(opts);
  const path = scratch.path(`${name}.${result.extension}`);
  await writeFile(path, result.data);
  return { result, path };
}

describe('renderAudio formats', () => {
  const piece = fixtureMidi({ durationSec: 8 });
  const durationSec = piece.durationSec + TAIL_SEC;
  const expected: Record<AudioFormat, { codec: string; mime: string }> = {
    ogg: { codec: 'opus', mime: 'audio/ogg' },
    mp3: { codec: 'mp3', mime: 'audio/mpeg' },
    wav: { codec: 'pcm_s16le', mime: 'audio/wav' },
  };

  it.each(['ogg', 'mp3', 'wav'] as const)('%s: exact length, 48 kHz stereo, −14 LUFS, tagged', async (format) => {
    const { result, path } = await renderTo(`piece-${format}`, { midi: piece.bytes, durationSec, format, tags });
    expect(result.mimeType).toBe(expected[format].mime);
    expect(result.timings.synthMs).toBeGreaterThan(0);
    expect(result.timings.encodeMs).toBeGreaterThan(0);

    const probe = await ffprobe(path);
    const stream = probe.streams[0]!;
    expect(stream.codec_name).toBe(expected[format].codec);
    expect(Number(stream.sample_rate)).toBe(SAMPLE_RATE);
    expect(stream.channels).toBe(2);
    expect(Math.abs((await decodedDurationSec(path)) - durationSec)).toBeLessThanOrEqual(DURATION_TOLERANCE_SEC);
    // MP3's header length always includes the encoder's delay and padding (~1105+ samples); the
    // LAME frame lets decoders drop them, which the decoded length above checks.
    if (format !== 'mp3') expect(Math.abs(Number(probe.format.duration) - durationSec)).toBeLessThanOrEqual(DURATION_TOLERANCE_SEC);

    const measured = await ebur128File(path);
    expect(Math.abs(measured.integratedLufs - TARGET_LUFS)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);

    const found = await tagsOf(path);
    expect(found.title).toBe(tags.title);
    expect(found.artist).toBe(TAG_ARTIST);
    expect(found.comment).toBe(TAG_COMMENT);
    expect(found.genre).toBe(tags.style);
    if (format === 'wav') {
      // RIFF INFO has fixed fields: mood and seed travel as keywords (IKEY).
      expect(found.ikey).toContain(`mood=${tags.mood}`);
      expect(found.ikey).toContain(`seed=${tags.seed}`);
    } else {
      expect(found.style).toBe(tags.style);
      expect(found.mood).toBe(tags.mood);
      expect(found.seed).toBe(String(tags.seed));
    }
  });

  it('renderToFile writes the rendered bytes', async () => {
    const path = scratch.path('to-file.ogg');
    const result = await renderToFile({ midi: piece.bytes, durationSec, format: 'ogg', tags }, path);
    expect((await readFile(path)).equals(result.data)).toBe(true);
  });
});

describe('loudness normalisation', () => {
  // Velocities scaled down to a whisper; and many loud doubled layers.
  const inputs = {
    quiet: fixtureMidi({ durationSec: 8, dynamics: 0.35 }),
    loud: fixtureMidi({ durationSec: 8, dynamics: 1.27, layers: 8 }),
  };

  // WAV, so the true peak measured is ours and not a lossy codec's overshoot.
  it.each(['quiet', 'loud'] as const)('a %s input comes out at −14 ±1 LUFS by ffmpeg ebur128, peaks under −1 dBTP', async (kind) => {
    const piece = inputs[kind];
    const { result, path } = await renderTo(`norm-${kind}`, { midi: piece.bytes, durationSec: piece.durationSec + TAIL_SEC, format: 'wav', tags });
    // The inputs straddle the target, so the gain has to go the right way for each.
    expect(Math.sign(result.gainDb)).toBe(kind === 'quiet' ? 1 : -1);
    // Dense layers, low crest factor: turned down, the peaks stay under the ceiling, so no limiter.
    if (kind === 'loud') expect(result.limited).toBe(false);
    const measured = await ebur128File(path, 'true');
    expect(Math.abs(measured.integratedLufs - TARGET_LUFS)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);
    expect(measured.peakDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DB);
  });

  it('engages the limiter when the gain would push peaks over the ceiling, and it holds them', async () => {
    // The plain fixture at full dynamics has drum transients ~13 dB above its loudness.
    const piece = fixtureMidi({ durationSec: 8 });
    const { result, path } = await renderTo('limited', { midi: piece.bytes, durationSec: piece.durationSec + TAIL_SEC, format: 'wav', tags });
    expect(result.limited).toBe(true);
    const measured = await ebur128File(path, 'true');
    expect(measured.peakDb).toBeLessThanOrEqual(TRUE_PEAK_CEILING_DB);
    expect(Math.abs(measured.integratedLufs - TARGET_LUFS)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);
  });
});

/**
 * A seamless loop's wrap (last sample → first) is just another step, so it lands somewhere in the
 * distribution of ordinary steps nearby; a click lands far above it. "Typical" is therefore the
 * 90th percentile of |step| within 10 ms either side. The same holds for the curvature
 * (second difference), which shows clicks even more clearly.
 */
const TYPICAL_PERCENTILE = 0.9;

function seam(samples: Int16Array): { jump: number; typicalStep: number; bend: number; typicalBend: number }[] {
  const frames = samples.length / 2;
  const window = Math.round(0.01 * SAMPLE_RATE);
  const typical = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length * TYPICAL_PERCENTILE)]!;
  return [0, 1].map((c) => {
    // Index modulo the length, so i = -1 is the last sample and the wrap is an ordinary neighbour.
    const at = (i: number) => samples[(((i % frames) + frames) % frames) * 2 + c]!;
    const step = (i: number) => Math.abs(at(i + 1) - at(i));
    const bend = (i: number) => Math.abs(at(i + 1) - 2 * at(i) + at(i - 1));
    const steps: number[] = [];
    const bends: number[] = [];
    for (let i = -window; i < window; i++) {
      if (i !== -1) steps.push(step(i));
      if (i !== -1 && i !== 0) bends.push(bend(i));
    }
    return { jump: step(-1), typicalStep: typical(steps), bend: Math.max(bend(-1), bend(0)), typicalBend: typical(bends) };
  });
}

describe('loops (pre-roll cut with trimStartSec)', () => {
  const loop = fixtureMidi({ durationSec: 9.6, loopPreRollBars: 2 });
  const base = { midi: loop.bytes, durationSec: loop.durationSec, trimStartSec: loop.trimStartSec, format: 'wav' as const, tags };

  it('lasts exactly durationSec after the pre-roll is cut', async () => {
    expect(loop.trimStartSec).toBeGreaterThan(0);
    const { path } = await renderTo('loop-ogg', { ...base, format: 'ogg' });
    expect(Math.abs((await decodedDurationSec(path)) - loop.durationSec)).toBeLessThanOrEqual(DURATION_TOLERANCE_SEC);
    expect(Math.abs(Number((await ffprobe(path)).format.duration) - loop.durationSec)).toBeLessThanOrEqual(DURATION_TOLERANCE_SEC);
  });

  it('joins end to start without a click; the same check catches a faded end', async () => {
    const { path } = await renderTo('loop', base);
    for (const ch of seam(await decodeS16(path))) {
      expect(ch.jump).toBeLessThanOrEqual(ch.typicalStep);
      expect(ch.bend).toBeLessThanOrEqual(ch.typicalBend);
    }

    // Control: forcing the end fade (as for non-loops) must make the seam jump.
    const faded = await renderTo('loop-faded', { ...base, loop: false });
    const jumps = seam(await decodeS16(faded.path));
    expect(jumps.some((ch) => ch.jump > ch.typicalStep)).toBe(true);
    expect(jumps.every((ch) => ch.bend > ch.typicalBend)).toBe(true);
  });

  it('a composed loop (compose → scoreToMidi with pre-roll) is exact and seamless too', async () => {
    const request = CompositionRequestSchema.parse({
      style: 'rock', mood: 'energetic', durationSec: 12, tempo: null, key: null, meter: null,
      instruments: [], energy: null, seed: 7, loop: true, prompt: '',
    });
    const { score } = await compose(request);
    const midi = scoreToMidi(score, { loopPreRoll: true });
    expect(midi.trimStartSec).toBeGreaterThan(0);
    const { path } = await renderTo('composed-loop', { midi: midi.bytes, durationSec: score.durationSec, trimStartSec: midi.trimStartSec, loop: true, format: 'wav', tags: score.meta });
    expect(Math.abs((await decodedDurationSec(path)) - score.durationSec)).toBeLessThanOrEqual(DURATION_TOLERANCE_SEC);
    for (const ch of seam(await decodeS16(path))) {
      expect(ch.jump).toBeLessThanOrEqual(ch.typicalStep);
      expect(ch.bend).toBeLessThanOrEqual(ch.typicalBend);
    }
  });
});

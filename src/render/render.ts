/**
 * MIDI → finished audio file. fluidsynth renders raw PCM which we collect in memory while
 * measuring its loudness; then ffmpeg (fluent-ffmpeg, PCM on stdin) trims it to the exact length,
 * applies the normalising gain (and a limiter if needed) and encodes it.
 *
 * Why buffer instead of piping fluidsynth straight into ffmpeg: the gain must be known before the
 * first sample is encoded, and it depends on the whole piece. The measurement runs while the PCM
 * arrives, so it costs nothing extra; the price is that encoding cannot overlap synthesis.
 * Measured (scripts/bench.ts, shared 2-core box): 1.0–1.35× the bare `fluidsynth | ffmpeg` pipe;
 * piping through ffmpeg's dynamic loudnorm instead was ~1.7× slower than buffering. Where each
 * process gets a core of its own the pipe overlaps both stages and the gap grows towards
 * (synth + encode) / max(synth, encode).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FORMATS, type AudioFormat } from '../core/request.ts';
import { codecOptions, filterChain, FORMAT_INFO, pcmCommand, runCommand, tagOptions, type RenderTags } from './encode.ts';
import { makeScratchDir, ProcessGuard } from './lifecycle.ts';
import { planGain } from './normalize.ts';
import { checkRenderSetup, type RenderSetup } from './tools.ts';
import { collectPcm, fluidsynthArgs, SAMPLE_RATE, spawnSynth, type CollectedPcm, type SynthFlags } from './synth.ts';

export interface RenderOptions extends SynthFlags {
  midi: Uint8Array;
  /** Exact length of the output in seconds. */
  durationSec: number;
  /** Seconds of pre-roll to cut from the start (loops rendered with a copy of their last bars first). */
  trimStartSec?: number;
  format: AudioFormat;
  /** SoundFont name or path; default env TUNESMITH_SOUNDFONT, else FluidR3_GM. */
  soundfont?: string;
  tags: RenderTags;
  /** Ogg Opus 128 and MP3 192 by default; ignored for WAV. */
  bitrateKbps?: number;
  /** A loop gets no fade at its end (its end must meet its start). Default: trimStartSec > 0. */
  loop?: boolean;
  /** Kill everything and fail after this long. Default grows with the duration. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RenderResult {
  data: Buffer;
  format: AudioFormat;
  mimeType: string;
  extension: string;
  durationSec: number;
  /** Integrated loudness of the output as normalised (before any limiting), LUFS. */
  loudnessLufs: number;
  gainDb: number;
  /** Whether the true-peak safety limiter was needed. */
  limited: boolean;
  /** The SoundFont file used. */
  soundfont: string;
  timings: { synthMs: number; encodeMs: number };
}

const BASE_TIMEOUT_MS = 60_000;
const TIMEOUT_MS_PER_AUDIO_SEC = 500;
/** Full-scale s16 samples mean fluidsynth clipped; render again this much quieter (−12 dB). */
const CLIP_RETRY_GAIN_FACTOR = 0.25;
const CLIPPED_PEAK = 32767 / 32768;

export function defaultTimeoutMs(durationSec: number): number {
  return BASE_TIMEOUT_MS + TIMEOUT_MS_PER_AUDIO_SEC * durationSec;
}

export function validateTiming(durationSec: number, trimStartSec: number): void {
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new RangeError(`durationSec must be a positive number of seconds, got ${durationSec}`);
  if (!Number.isFinite(trimStartSec) || trimStartSec < 0) throw new RangeError(`trimStartSec must be zero or more seconds, got ${trimStartSec}`);
}

async function synthesize(setup: RenderSetup, midiPath: string, opts: RenderOptions, guard: ProcessGuard, gain: number): Promise<CollectedPcm> {
  const synth = spawnSynth(setup.tools.fluidsynth, fluidsynthArgs(setup.soundfont, midiPath, opts, gain), guard);
  const window = { startFrame: Math.round((opts.trimStartSec ?? 0) * SAMPLE_RATE), frames: Math.round(opts.durationSec * SAMPLE_RATE) };
  const [collected] = await guard.race(Promise.all([collectPcm(synth.stdout, window), synth.exited]));
  return collected;
}

export async function renderAudio(opts: RenderOptions): Promise<RenderResult> {
  const trimStartSec = opts.trimStartSec ?? 0;
  validateTiming(opts.durationSec, trimStartSec);
  if (!FORMATS.includes(opts.format)) throw new RangeError(`format must be one of ${FORMATS.join(', ')}, got ${opts.format}`);
  const setup = await checkRenderSetup(opts.soundfont);
  const guard = new ProcessGuard({ what: 'render', timeoutMs: opts.timeoutMs ?? defaultTimeoutMs(opts.durationSec), signal: opts.signal });
  const scratch = await makeScratchDir();
  try {
    const midiPath = join(scratch.dir, 'score.mid');
    await writeFile(midiPath, opts.midi);

    const synthStart = performance.now();
    let collected = await synthesize(setup, midiPath, opts, guard, setup.soundfont.gain);
    if (collected.loudness.samplePeak >= CLIPPED_PEAK) {
      collected = await synthesize(setup, midiPath, opts, guard, setup.soundfont.gain * CLIP_RETRY_GAIN_FACTOR);
    }
    const synthMs = performance.now() - synthStart;

    const plan = planGain(collected.loudness);
    const encodeStart = performance.now();
    const input = new PassThrough();
    input.end(collected.pcm);
    const info = FORMAT_INFO[opts.format];
    const outPath = join(scratch.dir, `out.${info.extension}`);
    const command = pcmCommand(setup.tools.ffmpeg, input)
      .audioFilters(filterChain({ durationSec: opts.durationSec, trimStartSec, loudness: { kind: 'gain', ...plan }, fadeOut: !(opts.loop ?? trimStartSec > 0) }))
      .outputOptions(...codecOptions(opts.format, opts.bitrateKbps), ...tagOptions(opts.format, opts.tags));
    // A file, not a pipe: the MP3 Xing/LAME frame and the WAV sizes are written by seeking back.
    await guard.race(runCommand(command, outPath, guard));
    const data = await readFile(outPath);
    const encodeMs = performance.now() - encodeStart;

    return {
      data,
      format: opts.format,
      mimeType: info.mimeType,
      extension: info.extension,
      durationSec: opts.durationSec,
      loudnessLufs: plan.expectedLufs,
      gainDb: plan.gainDb,
      limited: plan.limitDbfs !== undefined,
      soundfont: setup.soundfont.path,
      timings: { synthMs, encodeMs },
    };
  } catch (e) {
    throw guard.failedWith ?? e;
  } finally {
    guard.dispose();
    await scratch.remove();
  }
}

/** renderAudio, then write the file to `path`. */
export async function renderToFile(opts: RenderOptions, path: string): Promise<RenderResult> {
  const result = await renderAudio(opts);
  await writeFile(path, result.data);
  return result;
}

/**
 * MIDI → finished audio file. fluidsynth renders raw PCM straight into the output buffer while its
 * loudness is measured; then the normalising gain goes into the samples and ffmpeg (fluent-ffmpeg,
 * float PCM on stdin, started while fluidsynth ran) limits, trims and encodes them.
 *
 * Why not pipe fluidsynth straight into ffmpeg: the gain must be known before the first sample is
 * encoded, and it depends on the whole piece. What wins the time back on two cores: the piece is
 * synthesised as two halves at once (split.ts), fluidsynth stops at the last frame we keep, and an
 * Ogg Opus piece is encoded as two halves at once too and joined (oggOpus.ts). `npm run bench`
 * compares the whole with a bare `fluidsynth | ffmpeg` pipe on the same MIDI.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { FORMATS, type AudioFormat } from '../core/request.ts';
import { codecOptions, filterChain, FORMAT_INFO, oggComments, pcmCommand, runCommand, tagOptions, warmOggArgs, writeScaledPcm, type RenderTags } from './encode.ts';
import { encoderPool, warmEncoderWanted } from './warm/warmEncoder.ts';
import { makeScratchDir, ProcessGuard } from './lifecycle.ts';
import { planMaster, type MasterPlan } from './master.ts';
import { TRUE_PEAK_ALLOWANCE_DB, TRUE_PEAK_CEILING_DB } from './normalize.ts';
import { checkRenderSetup, type RenderSetup } from './tools.ts';
import { availableParallelism, loadavg } from 'node:os';
import { crossfadeSeam, planSplit, type SplitPlan } from './split.ts';
import { joinOpus, OPUS_FRAME } from './oggOpus.ts';
import { loudnessFromSteps, type LoudnessResult, type StepPowers } from './loudness.ts';
import { prewarmSynths, startWarmFileJob, SynthDaemonDied, warmSynthReady, warmSynthWanted } from './warm/warmSynth.ts';
import { BYTES_PER_FRAME, collectPcm, fluidsynthArgs, SAMPLE_RATE, spawnSynth, type FrameRoute, type SynthFlags } from './synth.ts';

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
  /**
   * Synthesise (split.ts) and, for Ogg Opus, encode (oggOpus.ts) the two halves of the piece in
   * parallel. Default: when the machine has two or more cores, one of them is idle (load average
   * below the core count) and TUNESMITH_RENDER_PARALLEL is not 0. true: whenever there are two cores.
   */
  parallel?: boolean;
  /** Kill everything and fail after this long. Default grows with the duration. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Render as a stem of a mix: the mix's synthesis gain and master plan (its RenderResult.mixing)
   * instead of this MIDI's own, so the stems of a piece sum back to its mix. Render the mix and
   * its stems with `parallel: false`: a split render's seam depends on the MIDI.
   */
  mixing?: Mixing;
}

/** The gains a render applied: fluidsynth's, then the master's envelope (master.ts). */
export interface Mixing {
  synthGain: number;
  master: MasterPlan;
}

export interface RenderResult {
  data: Buffer;
  format: AudioFormat;
  mimeType: string;
  extension: string;
  durationSec: number;
  /** Integrated loudness of the mastered output as planned (master.ts), LUFS. */
  loudnessLufs: number;
  gainDb: number;
  /** Whether the mastering limiter turned any peak down. */
  limited: boolean;
  /** The SoundFont file used. */
  soundfont: string;
  timings: { synthMs: number; encodeMs: number };
  /** Where the piece was split for parallel synthesis, or null when rendered in one go. */
  split: { seamSec: number } | null;
  /** 2 when the two halves were encoded in parallel and joined (Ogg Opus), else 1. */
  encodedInParts: number;
  /** The gains applied, for rendering stems that sum back to this mix (RenderOptions.mixing). */
  mixing: Mixing;
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

/** What one synthesis measured of its window: BS.1770 step powers (from the window's start) and peak. */
interface Measured {
  steps: StepPowers;
  peak: number;
}

/**
 * One synthesis of `midi`: its frames copied where `routes` say and `measure` measured. On a warm
 * daemon of this process (warm/warmSynth.ts) when there is one: it writes the PCM to a scratch file
 * and measures it itself, so this process does no work per sample while the synths run; the routes
 * are then read from the file. Else a fluidsynth process reading `midiPath` (written here), its
 * stream copied and measured as it arrives. A warm daemon that dies mid-job is replaced and the job
 * run again once; a failure of the render itself (timeout, abort) is not retried.
 */
async function synthesizeFile(setup: RenderSetup, midi: Uint8Array, midiPath: string, opts: RenderOptions, guard: ProcessGuard, gain: number, measure: { startFrame: number; frames: number }, routes: FrameRoute[]): Promise<Measured> {
  // Exactly the frames anything here needs: fluidsynth renders no tail past them.
  const frames = Math.max(measure.startFrame + measure.frames, ...routes.map((r) => r.to));
  if (await warmSynthReady()) {
    const pcmPath = midiPath.replace(/\.mid$/, '.pcm');
    for (let attempt = 1; ; attempt++) {
      const spec = { midi, frames, gain, reverb: opts.reverb ?? true, chorus: opts.chorus ?? false, path: pcmPath, measureStart: measure.startFrame, measureFrames: measure.frames };
      const job = await startWarmFileJob(setup.soundfont.path, SAMPLE_RATE, spec, guard);
      try {
        const stats = await job.stats;
        await readRoutes(pcmPath, routes);
        return { steps: { startFrame: 0, stepFrames: stats.stepFrames, powers: Array.from(stats.stepPowers) }, peak: stats.samplePeak };
      } catch (e) {
        if (e instanceof SynthDaemonDied && attempt === 1 && !guard.failedWith) continue;
        throw e;
      }
    }
  }
  await writeFile(midiPath, midi);
  const synth = spawnSynth(setup.tools.fluidsynth, fluidsynthArgs(setup.soundfont, midiPath, opts, gain), guard);
  const [collected] = await Promise.all([collectPcm(synth.stdout, measure, routes, () => synth.stop()), synth.exited]);
  return { steps: collected.loudness.steps![0]!, peak: collected.loudness.samplePeak };
}

/** Copies frames [from, to) of a raw s16le stereo file into each route's buffer at its frame `at`. */
async function readRoutes(path: string, routes: readonly FrameRoute[]): Promise<void> {
  const file = await open(path, 'r');
  try {
    for (const r of routes) {
      const length = (r.to - r.from) * BYTES_PER_FRAME;
      const { bytesRead } = await file.read(r.buffer, r.at * BYTES_PER_FRAME, length, r.from * BYTES_PER_FRAME);
      if (bytesRead !== length) throw new Error(`the warm synthesiser wrote ${bytesRead} of ${length} bytes`);
    }
  } finally {
    await file.close();
  }
}

/** The output window's frames of one fluidsynth render, copied into `out` as they stream; their loudness. */
async function synthesize(setup: RenderSetup, dir: string, opts: RenderOptions, guard: ProcessGuard, gain: number, out: Buffer): Promise<LoudnessResult> {
  const startFrame = Math.round((opts.trimStartSec ?? 0) * SAMPLE_RATE);
  const frames = out.length / BYTES_PER_FRAME;
  const route = { buffer: out, from: startFrame, to: startFrame + frames, at: 0 };
  const measured = await guard.race(synthesizeFile(setup, opts.midi, join(dir, 'score.mid'), opts, guard, gain, { startFrame, frames }, [route]));
  return loudnessFromSteps([measured.steps], measured.peak);
}

/**
 * Both halves of a split plan at once, each copied into its part of `out` and measured while it
 * streams (the first up to the seam, the second from the seam on); the second half also renders
 * the few frames before the seam, for the crossfade. Returns the whole piece's loudness.
 */
async function synthesizeSplit(setup: RenderSetup, dir: string, plan: SplitPlan, opts: RenderOptions, guard: ProcessGuard, gain: number, out: Buffer): Promise<LoudnessResult> {
  const seam = Math.round(plan.seamSec * SAMPLE_RATE);
  const preRoll = Math.round(plan.preRollSec * SAMPLE_RATE);
  const end = out.length / BYTES_PER_FRAME;
  const fade = Math.min(seam, preRoll, Math.round(SEAM_FADE_SEC * SAMPLE_RATE));
  const beforeSeam = Buffer.alloc(fade * BYTES_PER_FRAME);
  // Second-half frame g is piece frame g − preRoll + seam.
  const [first, second] = await guard.race(
    Promise.all([
      synthesizeFile(setup, plan.first, join(dir, 'first.mid'), opts, guard, gain, { startFrame: 0, frames: seam }, [{ buffer: out, from: 0, to: seam, at: 0 }]),
      synthesizeFile(setup, plan.second, join(dir, 'second.mid'), opts, guard, gain, { startFrame: preRoll, frames: end - seam }, [
        { buffer: beforeSeam, from: preRoll - fade, to: preRoll, at: 0 },
        { buffer: out, from: preRoll, to: preRoll + end - seam, at: seam },
      ]),
    ]),
  );
  crossfadeSeam(out, beforeSeam, seam, fade);
  return loudnessFromSteps([first.steps, { ...second.steps, startFrame: seam }], Math.max(first.peak, second.peak));
}

/** Equal-gain crossfade at the seam of a split render: short enough to be inaudible, long enough for no click. */
const SEAM_FADE_SEC = 0.01;

/**
 * Split rendering pays off only with a second core to put the second half on. Loops render in
 * one piece: their seam relies on the end and the pre-roll sharing one synthesis timeline.
 * Shorter pieces render whole: the second half's 3 s pre-roll makes a 10 s piece's longer half 8 s,
 * which saves less than the second job costs.
 */
function wantsSplit(opts: RenderOptions): boolean {
  return opts.durationSec >= SPLIT_MIN_SEC && parallelAllowed(opts) && !opts.loop && (opts.trimStartSec ?? 0) === 0;
}
const SPLIT_MIN_SEC = 20;

/**
 * Whether this render may use a second core (see RenderOptions.parallel). By default only when one
 * is idle: with the load average at or above the core count, a second synth or encoder only takes
 * CPU from other work (a second ffmpeg alone costs ~0.2 s of CPU to start), and measured on a busy
 * machine every length rendered faster in one piece with one encoder.
 */
function parallelAllowed(opts: RenderOptions): boolean {
  if (opts.parallel === false || process.env.TUNESMITH_RENDER_PARALLEL === '0' || availableParallelism() < 2) return false;
  return opts.parallel === true || loadavg()[0]! < availableParallelism();
}

/** Pieces shorter than this encode in one go: a second encoder costs more than it saves. */
const PARALLEL_ENCODE_MIN_SEC = 6;
/** Opus frames the second encoder runs before the seam, so its state matches the first's there. */
const PARALLEL_ENCODE_PREROLL_FRAMES = 10;
/** Opus frames the first encoder runs past the seam, so its packets up to the seam are not end-padded. */
const PARALLEL_ENCODE_OVERRUN_FRAMES = 4;

interface EncodePart {
  /** Frames [from, to) of the output PCM. */
  from: number;
  to: number;
  outPath: string;
  fadeOut: boolean;
  /** First encode of a pair: its packets before this one are kept. */
  seamPacket?: number;
}

/**
 * One encode, or (Ogg Opus, two cores, long enough) two halves on two cores: the first up to a
 * seam at a 20 ms packet boundary plus a little overrun, the second from a few packets before it
 * (see oggOpus.ts, which joins them).
 */
function planEncodes(opts: RenderOptions, frames: number, dir: string): EncodePart[] {
  const ext = FORMAT_INFO[opts.format].extension;
  const fadeOut = !(opts.loop ?? (opts.trimStartSec ?? 0) > 0);
  const parallel = opts.format === 'ogg' && opts.durationSec >= PARALLEL_ENCODE_MIN_SEC && parallelAllowed(opts);
  if (!parallel) return [{ from: 0, to: frames, outPath: join(dir, `out.${ext}`), fadeOut }];
  const seamPacket = Math.round(frames / 2 / OPUS_FRAME);
  return [
    { from: 0, to: (seamPacket + PARALLEL_ENCODE_OVERRUN_FRAMES) * OPUS_FRAME, outPath: join(dir, `first.${ext}`), fadeOut: false, seamPacket },
    { from: (seamPacket - PARALLEL_ENCODE_PREROLL_FRAMES) * OPUS_FRAME, to: frames, outPath: join(dir, `second.${ext}`), fadeOut },
  ];
}

interface Encoder {
  input: Writable;
  /** The encoded bytes (a warm encoder's stdout), or null once written to the part's outPath. */
  done: Promise<Buffer | null>;
  /** Whether writeScaledPcm must apply the end fade (a warm encoder's chain has none). */
  fadeInSamples: boolean;
}

/**
 * ffmpeg for one part. Its chain is fixed up front because the gain goes into the samples
 * (writeScaledPcm). Ogg Opus takes a warm encoder (warm/warmEncoder.ts) when wanted; MP3 and WAV
 * need a file (their headers are written by seeking back) and start one here.
 */
function startEncoder(setup: RenderSetup, opts: RenderOptions, part: EncodePart, guard: ProcessGuard, warmupFrames = 0): Encoder {
  // A loop's warm-up is trimmed after the filters: it takes a cold encoder (a warm one's chain is fixed).
  if (opts.format === 'ogg' && warmEncoderWanted() && !warmupFrames) {
    const encoder = encoderPool.acquire(setup.tools.ffmpeg, warmOggArgs(LIMIT_DBFS, opts.bitrateKbps)).take(guard);
    encoder.done.catch((error: Error) => guard.fail(error));
    return { input: encoder.input, done: encoder.done, fadeInSamples: part.fadeOut };
  }
  const input = new PassThrough();
  const durationSec = (part.to - part.from + warmupFrames) / SAMPLE_RATE;
  // A loop's warm-up (its own last frames, written first) is cut again after the EQ and limiter.
  const unwarm = warmupFrames ? [`atrim=start_sample=${warmupFrames}`, 'asetpts=PTS-STARTPTS'] : [];
  const command = pcmCommand(setup.tools.ffmpeg, input, 'f32le')
    .audioFilters([...filterChain({ durationSec, trimStartSec: 0, loudness: { kind: 'prescaled', limitDbfs: opts.mixing ? STEM_LIMIT_DBFS : LIMIT_DBFS }, fadeOut: part.fadeOut }), ...unwarm])
    .outputOptions(...codecOptions(opts.format, opts.bitrateKbps), ...tagOptions(opts.format, opts.tags));
  // A file, not a pipe: the MP3 Xing/LAME frame and the WAV sizes are written by seeking back.
  const done = runCommand(command, part.outPath, guard).then(() => null);
  // An encoder that fails early (bad options) stops the synthesis too; a failed synthesis kills the encoder.
  done.catch((error: Error) => guard.fail(error));
  return { input, done, fadeInSamples: false };
}

const LIMIT_DBFS = TRUE_PEAK_CEILING_DB - TRUE_PEAK_ALLOWANCE_DB;
/**
 * A stem's safety limiter sits at full scale: a stem is not limited on its own (that would not add
 * up); where the mix's limiter acted, the stems take its gain afterwards (src/stems.ts).
 */
const STEM_LIMIT_DBFS = 0;

/**
 * A loop's end, played into the encoder's filters before its start and cut after them: the EQ's
 * IIR filters and the limiter otherwise start from silence, and a loop with low-frequency content
 * (an ambient pad) then jumps where its end meets its start (issue 14's join test). 200 ms covers
 * the 30 Hz high-pass's settling many times over.
 */
const LOOP_WARMUP_FRAMES = Math.round(0.2 * SAMPLE_RATE);

/** s16 stereo frames as f32le at a fixed linear gain (the master envelope's gain at the loop's end). */
function loopWarmup(pcm: Buffer, linearGain: number): Buffer {
  const src = new Int16Array(Buffer.from(pcm).buffer, 0, pcm.length / 2);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = (src[i]! * linearGain) / 32768;
  return Buffer.from(out.buffer);
}

export async function renderAudio(opts: RenderOptions): Promise<RenderResult> {
  const trimStartSec = opts.trimStartSec ?? 0;
  validateTiming(opts.durationSec, trimStartSec);
  if (!FORMATS.includes(opts.format)) throw new RangeError(`format must be one of ${FORMATS.join(', ')}, got ${opts.format}`);
  const setup = await checkRenderSetup(opts.soundfont);
  const guard = new ProcessGuard({ what: 'render', timeoutMs: opts.timeoutMs ?? defaultTimeoutMs(opts.durationSec), signal: opts.signal });
  const scratch = await makeScratchDir();
  const writing = new AbortController();
  try {
    const info = FORMAT_INFO[opts.format];
    const frames = Math.round(opts.durationSec * SAMPLE_RATE);
    const synthStart = performance.now();
    const split = wantsSplit(opts) ? planSplit(opts.midi, trimStartSec + opts.durationSec, SEAM_FADE_SEC) : null;
    // Exactly the output's frames (silence past the render's end pads it to the length).
    const pcm = Buffer.alloc(frames * BYTES_PER_FRAME);
    const run = (gain: number) => (split ? synthesizeSplit(setup, scratch.dir, split, opts, guard, gain, pcm) : synthesize(setup, scratch.dir, opts, guard, gain, pcm));
    const planned = planEncodes(opts, frames, scratch.dir);
    // Loops (one encode): the EQ's and limiter's filters start from the state the loop's end leaves them in.
    const warmup = opts.loop && planned.length === 1 ? Math.min(frames, LOOP_WARMUP_FRAMES) : 0;
    const encodes = planned.map((part) => ({ ...part, encoder: startEncoder(setup, opts, part, guard, warmup) }));
    let synthGain = opts.mixing?.synthGain ?? setup.soundfont.gain;
    let loudness = await run(synthGain);
    if (loudness.samplePeak >= CLIPPED_PEAK && !opts.mixing) {
      pcm.fill(0);
      synthGain = setup.soundfont.gain * CLIP_RETRY_GAIN_FACTOR;
      loudness = await run(synthGain);
    }
    const synthMs = performance.now() - synthStart;

    // Mastering (master.ts): glue compression and limiting as a gain envelope solved for −14 LUFS.
    const master = opts.mixing?.master ?? planMaster(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2), loudness);
    const encodeStart = performance.now();
    const slice = (from: number, to: number) => pcm.subarray(from * BYTES_PER_FRAME, to * BYTES_PER_FRAME);
    if (warmup) encodes[0]!.encoder.input.write(loopWarmup(slice(frames - warmup, frames), master.envelope[master.envelope.length - 1]!));
    const written = encodes.map((e) =>
      writeScaledPcm(e.encoder.input, slice(e.from, e.to), { ...master, startFrame: e.from }, writing.signal, { fadeOut: e.encoder.fadeInSamples }).catch(async (error: unknown) => {
        // A write fails (EPIPE) when ffmpeg has quit: its own exit says why.
        await e.encoder.done;
        throw error;
      }),
    );
    const outputs = await guard.race(Promise.all([...written, ...encodes.map((e) => e.encoder.done)]).then(() => Promise.all(encodes.map((e) => e.encoder.done))));
    const files = await Promise.all(outputs.map((bytes, i) => bytes ?? readFile(encodes[i]!.outPath)));
    // Warm encoders wrote no tags: they go in as the stream is re-paged (byte for byte as ffmpeg's).
    const comments = outputs[0] ? oggComments(opts.tags) : undefined;
    const data =
      files.length === 1 && !comments
        ? files[0]!
        : joinOpus({ first: files[0]!, second: files[1], seamPacket: encodes[0]!.seamPacket, secondFrom: PARALLEL_ENCODE_PREROLL_FRAMES, totalSamples: frames, comments });
    const encodeMs = performance.now() - encodeStart;

    return {
      data,
      format: opts.format,
      mimeType: info.mimeType,
      extension: info.extension,
      durationSec: opts.durationSec,
      loudnessLufs: master.expectedLufs,
      // The net change in integrated loudness (what a stream of the same MIDI applies as its gain).
      gainDb: Number.isFinite(master.expectedLufs) ? master.expectedLufs - loudness.integratedLufs : 0,
      limited: master.limiterDb > 0,
      soundfont: setup.soundfont.path,
      timings: { synthMs, encodeMs },
      split: split ? { seamSec: split.seamSec } : null,
      encodedInParts: encodes.length,
      mixing: { synthGain, master },
    };
  } catch (e) {
    throw guard.failedWith ?? e;
  } finally {
    writing.abort();
    guard.dispose();
    await scratch.remove();
    // Off this render's critical path: encoders a worker keeps warm start again for the next one.
    if (opts.format === 'ogg' && warmEncoderWanted()) setImmediate(() => encoderPool.refill(setup.tools.ffmpeg, warmOggArgs(LIMIT_DBFS, opts.bitrateKbps)));
  }
}

/**
 * For a process that renders job after job (a worker): keeps two synthesisers with the SoundFont
 * loaded and, for Ogg Opus, two encoders started, refilled after each render (warm/).
 */
export async function keepRenderersWarm(opts: { soundfont?: string; format?: AudioFormat; bitrateKbps?: number } = {}): Promise<void> {
  const setup = await checkRenderSetup(opts.soundfont);
  if (warmSynthWanted()) {
    try {
      await prewarmSynths(setup.soundfont.path, SAMPLE_RATE, 2);
    } catch {
      // No compiler: renders use the fluidsynth CLI (warmSynthReady warns once).
    }
  }
  if ((opts.format ?? 'ogg') === 'ogg' && warmEncoderWanted()) encoderPool.keepWarm(setup.tools.ffmpeg, warmOggArgs(LIMIT_DBFS, opts.bitrateKbps));
}

/** renderAudio, then write the file to `path`. */
export async function renderToFile(opts: RenderOptions, path: string): Promise<RenderResult> {
  const result = await renderAudio(opts);
  await writeFile(path, result.data);
  return result;
}

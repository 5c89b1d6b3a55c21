/**
 * Mastering after synthesis: a glue compressor and a look-ahead peak limiter, computed as one gain
 * envelope on 10 ms chunks of the rendered PCM, plus a fixed EQ in ffmpeg (encode.ts, MASTER_EQ).
 *
 * Why an envelope and not ffmpeg's compressor: the piece must land at −14 LUFS ± 0.5, and
 * compression and limiting change its loudness by an amount that depends on the music. Here the
 * envelope is known before a sample is encoded, so the make-up gain is solved for the target from
 * the chunk powers (the loudness change predicted with the BS.1770 gates, anchored on the exact
 * K-weighted measurement of the render). The envelope is applied while the samples are scaled for
 * ffmpeg anyway (writeScaledPcm), so it costs one pass over the PCM to read chunk peaks and powers.
 */
import { TARGET_LUFS, TRUE_PEAK_ALLOWANCE_DB, TRUE_PEAK_CEILING_DB, MAX_GAIN_DB } from './normalize.ts';
import { gatedLoudness, type LoudnessResult, type StepPowers } from './loudness.ts';

/** Frames per envelope point: 10 ms at 48 kHz. */
export const CHUNK_FRAMES = 480;
const CHUNKS_PER_BLOCK = 40; // 400 ms, as BS.1770's blocks
const CHUNKS_PER_HOP = 10; // 100 ms

/**
 * Glue: 1.5:1 above a threshold 4 dB over the piece's mean level, smooth attack and release — it
 * only leans on the loudest passages, so quiet-to-loud contrasts (LRA) survive.
 */
const GLUE = { ratio: 1.5, thresholdAboveMeanDb: 4, kneeDb: 6, attackSec: 0.03, releaseSec: 0.3 };
/** The limiter's sample-peak ceiling: under the ffmpeg safety limiter, which then stays idle. */
export const MASTER_CEILING_DB = TRUE_PEAK_CEILING_DB - TRUE_PEAK_ALLOWANCE_DB - 0.5;
/** How fast the limiter lets go: dB per 10 ms chunk (about 60 ms from 6 dB of reduction). */
const LIMITER_RELEASE_DB_PER_CHUNK = 1;

export interface MasterPlan {
  /** Make-up gain in dB (before compression and limiting). */
  gainDb: number;
  /** Linear gain at each chunk boundary (chunks + 1 points); samples in between are interpolated. */
  envelope: Float32Array;
  chunkFrames: number;
  /** Predicted integrated loudness of the mastered audio, LUFS. */
  expectedLufs: number;
  /** Largest limiter gain reduction, dB (0 = the limiter never acted). */
  limiterDb: number;
  /** Largest glue-compressor gain reduction, dB. */
  compressorDb: number;
}

const db = (x: number) => 10 * Math.log10(x);
const fromDb = (d: number) => 10 ** (d / 20);

/** Gated (BS.1770 absolute and relative gates) mean level of 400 ms blocks built from chunk powers, in dB. */
function gatedLevel(power: Float64Array): number {
  const blocks: number[] = [];
  for (let start = 0; start + CHUNKS_PER_BLOCK <= power.length; start += CHUNKS_PER_HOP) {
    let sum = 0;
    for (let i = start; i < start + CHUNKS_PER_BLOCK; i++) sum += power[i]!;
    blocks.push(sum / CHUNKS_PER_BLOCK);
  }
  if (!blocks.length) {
    const mean = power.reduce((a, b) => a + b, 0) / Math.max(1, power.length);
    return db(mean || 1e-12);
  }
  const above = blocks.filter((p) => db(p) > -70);
  if (!above.length) return -Infinity;
  const relative = db(above.reduce((a, b) => a + b, 0) / above.length) - 10;
  const gated = above.filter((p) => db(p) > relative);
  return db(gated.reduce((a, b) => a + b, 0) / gated.length);
}

/**
 * The integrated loudness the render's meter would read after the gains: each K-weighted 100 ms step's
 * power times the mean squared gain over its frames, through the same blocks and gates.
 */
function predictLufs(runs: readonly StepPowers[], gains: Float64Array, power: Float64Array): number {
  const blocks: number[] = [];
  for (const run of runs) {
    const scaled = run.powers.map((p, i) => {
      // The gain falls where the power is (a limited drum hit): weigh each chunk's gain by its power.
      const from = run.startFrame + i * run.stepFrames;
      const k0 = Math.floor(from / CHUNK_FRAMES);
      const k1 = Math.min(gains.length, Math.ceil((from + run.stepFrames) / CHUNK_FRAMES));
      let sum = 0;
      let weight = 0;
      for (let k = k0; k < k1; k++) {
        sum += gains[k]! ** 2 * (power[k]! + 1e-12);
        weight += power[k]! + 1e-12;
      }
      return p * (weight > 0 ? sum / weight : 1);
    });
    for (let i = 3; i < scaled.length; i++) blocks.push((scaled[i]! + scaled[i - 1]! + scaled[i - 2]! + scaled[i - 3]!) / 4);
  }
  return gatedLoudness(blocks, 1).integratedLufs;
}

/** Chunk peaks and mean squares of interleaved s16 stereo. */
function chunkStats(pcm: Int16Array, channels: number): { peak: Float64Array; power: Float64Array } {
  const frames = Math.floor(pcm.length / channels);
  const chunks = Math.ceil(frames / CHUNK_FRAMES);
  const peak = new Float64Array(chunks);
  const power = new Float64Array(chunks);
  for (let k = 0; k < chunks; k++) {
    const from = k * CHUNK_FRAMES * channels;
    const to = Math.min(pcm.length, from + CHUNK_FRAMES * channels);
    let max = 0;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const x = pcm[i]!;
      const a = x < 0 ? -x : x;
      if (a > max) max = a;
      sum += x * x;
    }
    peak[k] = max / 32768;
    // Summed over channels, as BS.1770 sums channel powers.
    power[k] = (sum / Math.max(1, (to - from) / channels)) / 32768 ** 2;
  }
  return { peak, power };
}

/** Glue compressor gain (linear) per chunk from a smoothed level detector. */
function glueGains(power: Float64Array, meanDb: number): Float64Array {
  const gains = new Float64Array(power.length);
  const chunkSec = CHUNK_FRAMES / 48_000;
  const attack = Math.exp(-chunkSec / GLUE.attackSec);
  const release = Math.exp(-chunkSec / GLUE.releaseSec);
  const threshold = meanDb + GLUE.thresholdAboveMeanDb;
  let env = 0;
  for (let k = 0; k < power.length; k++) {
    const p = power[k]!;
    env = p > env ? attack * env + (1 - attack) * p : release * env + (1 - release) * p;
    const over = db(env || 1e-12) - threshold;
    // Soft knee: quadratic over the knee, then the straight ratio.
    const half = GLUE.kneeDb / 2;
    const reduction = over <= -half ? 0 : over >= half ? over * (1 - 1 / GLUE.ratio) : ((1 - 1 / GLUE.ratio) * (over + half) ** 2) / (2 * GLUE.kneeDb);
    gains[k] = fromDb(-reduction);
  }
  return gains;
}

/** Look-ahead limiter gains: each chunk's peak under the ceiling, attack a chunk early, smooth release. */
function limiterGains(peak: Float64Array, pre: Float64Array, ceiling: number): Float64Array {
  const n = peak.length;
  const need = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const p = peak[k]! * pre[k]!;
    need[k] = p > ceiling ? ceiling / p : 1;
  }
  const out = new Float64Array(n);
  const releaseStep = fromDb(LIMITER_RELEASE_DB_PER_CHUNK);
  let g = 1;
  for (let k = 0; k < n; k++) {
    // Reach the next chunk's reduction already (look-ahead), let go gradually.
    const target = Math.min(need[k]!, need[k + 1] ?? 1);
    g = Math.min(target, g * releaseStep, 1);
    out[k] = g;
  }
  return out;
}

/**
 * The master for a rendered piece: make-up gain, glue compression and limiting solved so the
 * result measures `target` LUFS with sample peaks at or under MASTER_CEILING_DB.
 */
export function planMaster(pcm: Int16Array, measured: LoudnessResult, opts: { channels?: number; target?: number } = {}): MasterPlan {
  const channels = opts.channels ?? 2;
  const target = opts.target ?? TARGET_LUFS;
  const { peak, power } = chunkStats(pcm, channels);
  const chunks = peak.length;
  if (!Number.isFinite(measured.integratedLufs) || chunks === 0) {
    return { gainDb: 0, envelope: new Float32Array(chunks + 1).fill(1), chunkFrames: CHUNK_FRAMES, expectedLufs: -Infinity, limiterDb: 0, compressorDb: 0 };
  }
  const before = gatedLevel(power);
  const glue = glueGains(power, before);
  const ceiling = fromDb(MASTER_CEILING_DB);
  let gainDb = Math.min(MAX_GAIN_DB, target - measured.integratedLufs);
  let gains = new Float64Array(chunks);
  let expected = measured.integratedLufs;
  // The limiter's work depends on the make-up gain and vice versa: a few rounds settle it.
  for (let round = 0; round < 6; round++) {
    const g0 = fromDb(gainDb);
    const pre = glue.map((g) => g * g0);
    const limit = limiterGains(peak, pre, ceiling);
    gains = pre.map((g, k) => g * limit[k]!);
    expected = measured.steps ? predictLufs(measured.steps, gains, power) : measured.integratedLufs + (gatedLevel(power.map((p, k) => p * gains[k]! ** 2)) - before);
    const error = target - expected;
    if (Math.abs(error) < 0.02 || gainDb >= MAX_GAIN_DB) break;
    gainDb = Math.min(MAX_GAIN_DB, gainDb + error);
  }
  // Boundary gains never exceed either neighbouring chunk's, so interpolation keeps every peak under the ceiling.
  const envelope = new Float32Array(chunks + 1);
  envelope[0] = gains[0]!;
  for (let k = 1; k < chunks; k++) envelope[k] = Math.min(gains[k - 1]!, gains[k]!);
  envelope[chunks] = gains[chunks - 1]!;
  const g0 = fromDb(gainDb);
  let limiterDb = 0;
  let compressorDb = 0;
  for (let k = 0; k < chunks; k++) {
    compressorDb = Math.max(compressorDb, -20 * Math.log10(glue[k]!));
    limiterDb = Math.max(limiterDb, -20 * Math.log10(gains[k]! / (glue[k]! * g0)));
  }
  return { gainDb, envelope, chunkFrames: CHUNK_FRAMES, expectedLufs: expected, limiterDb, compressorDb };
}

/** The envelope's linear gain at an absolute frame. */
export function envelopeAt(plan: Pick<MasterPlan, 'envelope' | 'chunkFrames'>, frame: number): number {
  const k = Math.floor(frame / plan.chunkFrames);
  const a = plan.envelope[Math.min(k, plan.envelope.length - 1)]!;
  const b = plan.envelope[Math.min(k + 1, plan.envelope.length - 1)]!;
  return a + ((b - a) * (frame - k * plan.chunkFrames)) / plan.chunkFrames;
}

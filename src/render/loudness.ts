/**
 * Integrated loudness per ITU-R BS.1770-4 / EBU R128 and sample peak, on interleaved PCM.
 * K-weighting (high shelf + high pass, coefficients derived for any sample rate as in
 * libebur128), mean square over 400 ms blocks every 100 ms, absolute gate −70 LUFS and
 * relative gate −10 LU. Streaming: push chunks as they arrive, read the result at the end.
 */

export interface LoudnessResult {
  /** Integrated loudness in LUFS; -Infinity when every block is below the absolute gate. */
  integratedLufs: number;
  /** Largest absolute sample value, linear (1 = full scale). */
  samplePeak: number;
  /** Sample peak in dBFS. */
  samplePeakDb: number;
  /**
   * The K-weighted mean square of every completed 100 ms step, per measured run of frames (one, or two
   * for a split render): what the mastering stage (master.ts) predicts its loudness change from.
   */
  steps?: StepPowers[];
}

export interface StepPowers {
  /** Output frame where the first step starts. */
  startFrame: number;
  stepFrames: number;
  /** Channel-summed K-weighted mean square per step. */
  powers: number[];
}

const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;
const BLOCK_SEC = 0.4;
const STEP_SEC = 0.1;
const LOUDNESS_OFFSET = -0.691;

type Biquad = { b0: number; b1: number; b2: number; a1: number; a2: number };

/** The two K-weighting stages of BS.1770 for sample rate `fs`. */
function kWeighting(fs: number): [Biquad, Biquad] {
  let f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  let q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / fs);
  const vh = 10 ** (gainDb / 20);
  const vb = vh ** 0.4996667741545416;
  let a0 = 1 + k / q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = Math.tan((Math.PI * f0) / fs);
  a0 = 1 + k / q + k * k;
  const highPass: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
  return [shelf, highPass];
}

export class LoudnessMeter {
  private readonly channels: number;
  private readonly shelf: Biquad;
  private readonly highPass: Biquad;
  /** Direct-form-I state per channel: x1 x2 y1 y2 (shelf), z1 z2 (high pass, whose input is the shelf's y). */
  private readonly state: Float64Array;
  private readonly stepFrames: number;
  private readonly stepsPerBlock: number;
  /** Sum of squares of the current 100 ms step, per channel. */
  private readonly stepSum: Float64Array;
  private stepFill = 0;
  /** Channel-summed mean squares of completed steps (only the last `stepsPerBlock` are needed to form blocks). */
  private readonly recentSteps: number[] = [];
  private readonly blockPowers: number[] = [];
  private readonly stepPowers: number[] = [];
  private framesPushed = 0;
  private peak = 0;

  constructor(opts: { sampleRate: number; channels: number }) {
    this.channels = opts.channels;
    [this.shelf, this.highPass] = kWeighting(opts.sampleRate);
    this.state = new Float64Array(opts.channels * 6);
    this.stepFrames = Math.round(opts.sampleRate * STEP_SEC);
    this.stepsPerBlock = Math.round(BLOCK_SEC / STEP_SEC);
    this.stepSum = new Float64Array(opts.channels);
  }

  /** Interleaved samples, whole frames: s16 (Int16Array) or float in [-1, 1] (Float32Array). */
  push(samples: Int16Array | Float32Array): void {
    const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
    const ch = this.channels;
    const frames = Math.floor(samples.length / ch);
    const { b0, b1, b2, a1, a2 } = this.shelf;
    const { a1: ha1, a2: ha2 } = this.highPass;
    let frame = 0;
    this.framesPushed += frames;
    while (frame < frames) {
      const run = Math.min(frames - frame, this.stepFrames - this.stepFill);
      for (let c = 0; c < ch; c++) {
        const s = c * 6;
        let x1 = this.state[s]!, x2 = this.state[s + 1]!, y1 = this.state[s + 2]!, y2 = this.state[s + 3]!;
        let z1 = this.state[s + 4]!, z2 = this.state[s + 5]!;
        let sum = 0;
        let peak = this.peak;
        for (let i = frame * ch + c, end = (frame + run) * ch; i < end; i += ch) {
          const x = samples[i]! * scale;
          const ax = x < 0 ? -x : x;
          if (ax > peak) peak = ax;
          const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
          // High pass (b = 1, -2, 1) fed by the shelf output; y1, y2 are still the previous outputs.
          const z = y - 2 * y1 + y2 - ha1 * z1 - ha2 * z2;
          x2 = x1; x1 = x; y2 = y1; y1 = y; z2 = z1; z1 = z;
          sum += z * z;
        }
        this.state[s] = x1; this.state[s + 1] = x2; this.state[s + 2] = y1; this.state[s + 3] = y2;
        this.state[s + 4] = z1; this.state[s + 5] = z2;
        this.stepSum[c] = this.stepSum[c]! + sum;
        this.peak = peak;
      }
      frame += run;
      this.stepFill += run;
      if (this.stepFill === this.stepFrames) this.completeStep();
    }
  }

  private completeStep(): void {
    let power = 0;
    for (let c = 0; c < this.channels; c++) {
      power += this.stepSum[c]! / this.stepFrames; // BS.1770 channel weight is 1 for L and R
      this.stepSum[c] = 0;
    }
    this.stepFill = 0;
    this.stepPowers.push(power);
    this.recentSteps.push(power);
    if (this.recentSteps.length > this.stepsPerBlock) this.recentSteps.shift();
    if (this.recentSteps.length === this.stepsPerBlock) {
      this.blockPowers.push(this.recentSteps.reduce((a, b) => a + b, 0) / this.stepsPerBlock);
    }
  }

  result(): LoudnessResult {
    return { ...gatedLoudness(this.blockPowers, this.peak), steps: [this.steps(0)] };
  }

  /** Loudness of this meter's audio and another's taken together (e.g. two halves of one piece, the other following this). */
  resultWith(other: LoudnessMeter): LoudnessResult {
    return { ...gatedLoudness([...this.blockPowers, ...other.blockPowers], Math.max(this.peak, other.peak)), steps: [this.steps(0), other.steps(this.framesPushed)] };
  }

  private steps(startFrame: number): StepPowers {
    return { startFrame, stepFrames: this.stepFrames, powers: [...this.stepPowers] };
  }
}

/**
 * The loudness of one or more consecutive runs of 100 ms step powers (as LoudnessMeter collects
 * them; a warm synthesiser measures them in C, synthd.c): 400 ms blocks every step within each run,
 * gated as BS.1770 says. Runs are separate meters, so no block straddles two of them.
 */
export function loudnessFromSteps(runs: StepPowers[], peak: number): LoudnessResult {
  const stepsPerBlock = Math.round(BLOCK_SEC / STEP_SEC);
  const blocks: number[] = [];
  for (const run of runs) {
    for (let i = stepsPerBlock - 1; i < run.powers.length; i++) {
      let sum = 0;
      for (let j = i - stepsPerBlock + 1; j <= i; j++) sum += run.powers[j]!;
      blocks.push(sum / stepsPerBlock);
    }
  }
  return { ...gatedLoudness(blocks, peak), steps: runs };
}

export function gatedLoudness(blockPowers: number[], peak: number): LoudnessResult {
  const lufs = (power: number) => LOUDNESS_OFFSET + 10 * Math.log10(power);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const aboveAbsolute = blockPowers.filter((p) => lufs(p) > ABSOLUTE_GATE_LUFS);
  let integratedLufs = -Infinity;
  if (aboveAbsolute.length) {
    const relativeGate = lufs(mean(aboveAbsolute)) + RELATIVE_GATE_LU;
    const gated = aboveAbsolute.filter((p) => lufs(p) > relativeGate);
    if (gated.length) integratedLufs = lufs(mean(gated));
  }
  return { integratedLufs, samplePeak: peak, samplePeakDb: 20 * Math.log10(peak) };
}

/** One-shot measurement of a whole buffer. */
export function measureLoudness(samples: Int16Array | Float32Array, opts: { sampleRate: number; channels: number }): LoudnessResult {
  const meter = new LoudnessMeter(opts);
  meter.push(samples);
  return meter.result();
}

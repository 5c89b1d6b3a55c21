/**
 * The accompaniment LSTM at inference: plain JS (WebAssembly SIMD mat-vec where available), no
 * tfjs. One layer of H units; per 16th step it reads the previous step's onsets and sustains and the
 * conditioning (accompRepresentation.ts) and gives a Bernoulli probability per pitch slot for an
 * onset and for a sustain. Sampling is seeded, so the same options give the same roll.
 *
 * Masks keep the part in the key: an onset may only use a pitch class the caller allows at that
 * step (the composer passes the chord's tones plus the scale), and a sustained note whose pitch
 * class is no longer allowed is released.
 */
import { createRng } from '../core/rng.ts';
import { ACCOMP_INPUT_DIM, ACCOMP_OUTPUT_DIM, BASS_SPLIT, MIN_SLOT_PITCH, NUM_SLOTS, STEPS_PER_BAR, accompFeatures, type AccompStepInput } from './accompRepresentation.ts';
import { ACCOMP_MODEL_VERSION, DEFAULT_ACCOMP_DIR, readAccompModelFiles, type AccompConfig, type AccompModelJson } from './accompModelFiles.ts';
import { createMatvec, type Matvec } from './wasmMatvec.ts';
import type { NamedArrays } from './weightsIO.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const tanh = (x: number) => 1 - 2 / (Math.exp(2 * x) + 1);

/** One LSTM layer + sigmoid output layer on Float32Arrays. */
export class AccompRunner {
  private readonly W1: Float32Array;
  private readonly U1T: Float32Array;
  private readonly WoT: Float32Array;
  private readonly b1: Float32Array;
  private readonly bo: Float32Array;
  private z: Float32Array;
  private hBuf: Float32Array;
  private outBuf: Float32Array;
  private readonly wasm: { mv: Matvec; U1T: number; WoT: number; z: number; h: number; out: number } | null = null;

  constructor(
    readonly config: AccompConfig,
    w: NamedArrays,
    opts: { wasm?: boolean } = {},
  ) {
    const get = (n: string) => {
      const a = w[n];
      if (!a) throw new Error(`missing weight ${n}`);
      return a.data;
    };
    const H = config.hidden;
    const G = 4 * H;
    const O = config.outputDim;
    this.W1 = get('W1');
    this.b1 = get('b1');
    this.bo = get('bo');
    const U1 = get('U1');
    const Wo = get('Wo');
    this.U1T = new Float32Array(G * H);
    this.WoT = new Float32Array(O * H);
    for (let i = 0; i < H; i++) for (let j = 0; j < G; j++) this.U1T[j * H + i] = U1[i * G + j]!;
    for (let i = 0; i < H; i++) for (let j = 0; j < O; j++) this.WoT[j * H + i] = Wo[i * O + j]!;
    this.z = new Float32Array(G);
    this.hBuf = new Float32Array(H);
    this.outBuf = new Float32Array(O);
    if (opts.wasm !== false && H % 8 === 0) {
      const sizes = { U1T: G * H, WoT: O * H, z: G, h: H, out: O + 4 };
      const mv = createMatvec(Object.values(sizes).reduce((a, b) => a + b + 4, 0) * 4);
      if (mv) {
        const f = new Float32Array(mv.memory.buffer);
        let at = 0;
        const place = (n: number) => {
          const off = at;
          at += n + ((4 - (n % 4)) % 4);
          return off;
        };
        const o = { U1T: place(sizes.U1T), WoT: place(sizes.WoT), z: place(sizes.z), h: place(sizes.h), out: place(sizes.out) };
        f.set(this.U1T, o.U1T);
        f.set(this.WoT, o.WoT);
        this.z = f.subarray(o.z, o.z + G);
        this.hBuf = f.subarray(o.h, o.h + H);
        this.outBuf = f.subarray(o.out, o.out + O);
        this.wasm = { mv, U1T: o.U1T * 4, WoT: o.WoT * 4, z: o.z * 4, h: o.h * 4, out: o.out * 4 };
      }
    }
  }

  get kernel(): 'wasm-simd' | 'js' {
    return this.wasm ? 'wasm-simd' : 'js';
  }

  initialState(): { h: Float32Array; c: Float32Array } {
    return { h: new Float32Array(this.config.hidden), c: new Float32Array(this.config.hidden) };
  }

  private static addMatVec(z: Float32Array, MT: Float32Array, v: Float32Array): void {
    const n = v.length;
    for (let j = 0; j < z.length; j++) {
      const row = j * n;
      let a = 0;
      for (let i = 0; i < n; i++) a += v[i]! * MT[row + i]!;
      z[j]! += a;
    }
  }

  /** One step: updates the state, writes the output logits (onsets then sustains). */
  step(state: { h: Float32Array; c: Float32Array }, active: readonly number[], logits: Float32Array): void {
    const z = this.z;
    const G = z.length;
    const H = this.config.hidden;
    z.set(this.b1);
    for (const f of active) {
      const row = f * G;
      for (let j = 0; j < G; j++) z[j]! += this.W1[row + j]!;
    }
    const w = this.wasm;
    this.hBuf.set(state.h);
    if (w) w.mv.matvec(w.z, w.U1T, w.h, G, H);
    else AccompRunner.addMatVec(z, this.U1T, this.hBuf);
    const { h, c } = state;
    for (let j = 0; j < H; j++) {
      const cj = sigmoid(z[H + j]!) * c[j]! + sigmoid(z[j]!) * tanh(z[2 * H + j]!);
      c[j] = cj;
      h[j] = sigmoid(z[3 * H + j]!) * tanh(cj);
    }
    this.outBuf.set(this.bo);
    this.hBuf.set(h);
    if (w) w.mv.matvec(w.out, w.WoT, w.h, this.config.outputDim, H);
    else AccompRunner.addMatVec(this.outBuf, this.WoT, this.hBuf);
    logits.set(this.outBuf.subarray(0, this.config.outputDim));
  }
}

export interface AccompGenerateOptions {
  /** Conditioning per 16th step, in the common key (tonic C); its length is the output length. */
  steps: readonly AccompStepInput[];
  /** Per step: 12-bit mask of the pitch classes (common key) an onset may use; sustains outside it are released. */
  allowed: readonly number[];
  /** Per step: the mask for onsets at or below BASS_SPLIT (the left hand: chord tones only); default `allowed`. */
  allowedLow?: readonly number[];
  seed: number;
  /** Lowest / highest pitch (common key) an onset may use; default the model's slot range. */
  lowestPitch?: number;
  highestPitch?: number;
  /** Most onsets in one step (the most probable are kept). Default 6. */
  maxOnsets?: number;
  /** Logit temperature (1 = the model's own probabilities). */
  temperature?: number;
  /**
   * Added to every sustain logit: a pianist's pedal, which POP909's MIDI rarely records, so the
   * model releases notes sooner than the audio of the songs does. Default 0.
   */
  sustainBias?: number;
  /**
   * Rhythm memory: added to the onset logits at a step whose position had an onset in the bar
   * before, subtracted where it had none (a pianist keeps a comping pattern). Default 0.
   */
  grooveBias?: number;
  /**
   * Added to the onset logits of `tonicMask`'s pitch classes (common key): the model voices ii–V
   * progressions by roots and fifths and leaves out the tonic's third, so a piece can read as in
   * its dominant. Default 0.
   */
  tonicBias?: number;
  /** 12-bit mask (common key) of the tonic triad's pitch classes. */
  tonicMask?: number;
}

export interface AccompRoll {
  /** Per step: onset slots (pitch = MIN_SLOT_PITCH + slot, common key). */
  on: number[][];
  /** Per step: sustained slots. */
  sus: number[][];
}

export class AccompModel {
  readonly version = ACCOMP_MODEL_VERSION;
  readonly runner: AccompRunner;
  constructor(
    readonly meta: AccompModelJson,
    weights: NamedArrays,
  ) {
    if (meta.config.inputDim !== ACCOMP_INPUT_DIM || meta.config.outputDim !== ACCOMP_OUTPUT_DIM)
      throw new Error(`accompaniment model has input ${meta.config.inputDim}/output ${meta.config.outputDim}; this code expects ${ACCOMP_INPUT_DIM}/${ACCOMP_OUTPUT_DIM}`);
    this.runner = new AccompRunner(meta.config, weights);
  }

  /** Intensity bin (0–2) for a section intensity in 0–1 (the composer's scale): quiet / normal / full. */
  static intensityBin(intensity: number): number {
    return intensity < 0.55 ? 0 : intensity < 0.82 ? 1 : 2;
  }

  generate(opts: AccompGenerateOptions): AccompRoll {
    const rng = createRng(opts.seed);
    const temp = opts.temperature ?? 1;
    const lo = Math.max(0, (opts.lowestPitch ?? MIN_SLOT_PITCH) - MIN_SLOT_PITCH);
    const hi = Math.min(NUM_SLOTS - 1, (opts.highestPitch ?? MIN_SLOT_PITCH + NUM_SLOTS - 1) - MIN_SLOT_PITCH);
    const maxOn = opts.maxOnsets ?? 6;
    const sustainBias = opts.sustainBias ?? 0;
    const tonicBias = opts.tonicBias ?? 0;
    const tonicMask = opts.tonicMask ?? 0;
    const state = this.runner.initialState();
    const logits = new Float32Array(ACCOMP_OUTPUT_DIM);
    const act: number[] = [];
    const on: number[][] = [];
    const sus: number[][] = [];
    let prevOn: number[] = [];
    let prevSus: number[] = [];
    const cand: { k: number; p: number }[] = [];
    for (let t = 0; t < opts.steps.length; t++) {
      this.runner.step(state, accompFeatures(prevOn, prevSus, opts.steps[t]!, act), logits);
      const allowed = opts.allowed[t] ?? 0xfff;
      const allowedLow = opts.allowedLow?.[t] ?? allowed;
      const ok = (k: number) => ((MIN_SLOT_PITCH + k <= BASS_SPLIT ? allowedLow : allowed) >> ((MIN_SLOT_PITCH + k) % 12)) & 1;
      // Draw every slot's uniform in a fixed order so one decision never shifts the others' numbers.
      cand.length = 0;
      const onNow: number[] = [];
      const grooveBias = opts.grooveBias ?? 0;
      const groove = t >= STEPS_PER_BAR ? (on[t - STEPS_PER_BAR]!.length > 0 ? grooveBias : -grooveBias) : 0;
      for (let k = 0; k < NUM_SLOTS; k++) {
        const u = rng.next();
        if (k < lo || k > hi || !ok(k)) continue;
        const tonic = (tonicMask >> ((MIN_SLOT_PITCH + k) % 12)) & 1 ? tonicBias : 0;
        const p = sigmoid((logits[k]! + groove + tonic) / temp);
        if (u < p) cand.push({ k, p });
      }
      cand.sort((a, b) => b.p - a.p || a.k - b.k);
      for (const c of cand.slice(0, maxOn)) onNow.push(c.k);
      onNow.sort((a, b) => a - b);
      const susNow: number[] = [];
      const sounding = new Set([...prevOn, ...prevSus]);
      for (const k of [...sounding].sort((a, b) => a - b)) {
        const u = rng.next();
        if (onNow.includes(k) || !ok(k)) continue;
        if (u < sigmoid((logits[NUM_SLOTS + k]! + sustainBias) / temp)) susNow.push(k);
      }
      on.push(onNow);
      sus.push(susNow);
      prevOn = onNow;
      prevSus = susNow;
    }
    return { on, sus };
  }
}

export async function loadAccompModel(dir = DEFAULT_ACCOMP_DIR): Promise<AccompModel> {
  const { json, weights } = readAccompModelFiles(dir);
  return new AccompModel(json, weights);
}

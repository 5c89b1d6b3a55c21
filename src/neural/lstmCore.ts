/**
 * The melody LSTM's architecture and a plain-JS inference step.
 *
 * Two stacked LSTM layers of H units; input is the sparse binary feature vector of
 * representation.ts; output is a softmax over VOCAB tokens. Gate order in the 4H blocks: i, f, g, o
 * (as in Keras). Training (scripts/train.ts) builds the same maths from tfjs ops.
 *
 * Inference is hand-written on Float32Arrays: one step is three small mat-vec products, and tfjs's
 * per-op overhead would dominate (hundreds of tiny kernels per step). The layer-1 input product is
 * a sum of ~20 weight rows because the input is sparse one-hot.
 */
import type { NamedArrays } from './weightsIO.ts';
import { createMatvec, type Matvec } from './wasmMatvec.ts';

export interface LstmConfig {
  inputDim: number;
  hidden: number;
  vocab: number;
}

export const PARAM_NAMES = ['W1', 'U1', 'b1', 'W2', 'U2', 'b2', 'Wo', 'bo'] as const;

export function paramShapes(c: LstmConfig): Record<(typeof PARAM_NAMES)[number], number[]> {
  const G = 4 * c.hidden;
  return {
    W1: [c.inputDim, G],
    U1: [c.hidden, G],
    b1: [G],
    W2: [c.hidden, G],
    U2: [c.hidden, G],
    b2: [G],
    Wo: [c.hidden, c.vocab],
    bo: [c.vocab],
  };
}

export function paramCount(c: LstmConfig): number {
  return Object.values(paramShapes(c)).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
}

export interface LstmState {
  h1: Float32Array;
  c1: Float32Array;
  h2: Float32Array;
  c2: Float32Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** tanh through exp: V8's Math.tanh is ~1.6× slower, and this runs 768 times a step. */
const tanh = (x: number) => 1 - 2 / (Math.exp(2 * x) + 1);

export class LstmRunner {
  // Transposed copies (one row per output unit) so each unit is a contiguous dot product: the
  // accumulator stays in a register instead of a load+store of z per multiply-add (~2× faster in V8).
  private readonly W1: Float32Array; // [inputDim, 4H] — rows summed for the active one-hot features
  private readonly U1T: Float32Array; // [4H, H]
  private readonly L2T: Float32Array; // [4H, 2H] = [W2; U2]ᵀ, applied to [h1, h2]
  private readonly WoT: Float32Array; // [V, H]
  private readonly b1: Float32Array;
  private readonly b2: Float32Array;
  private readonly bo: Float32Array;
  private z: Float32Array;
  private hh: Float32Array;
  private logitsBuf: Float32Array;
  /** WebAssembly SIMD kernel holding copies of the matrices (null: plain JS). */
  private readonly wasm: { mv: Matvec; U1T: number; L2T: number; WoT: number; z: number; hh: number; h2: number; logits: number } | null = null;

  constructor(
    readonly config: LstmConfig,
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
    const V = config.vocab;
    this.W1 = get('W1');
    this.b1 = get('b1');
    this.b2 = get('b2');
    this.bo = get('bo');
    const U1 = get('U1');
    const W2 = get('W2');
    const U2 = get('U2');
    const Wo = get('Wo');
    this.U1T = new Float32Array(G * H);
    this.L2T = new Float32Array(G * 2 * H);
    this.WoT = new Float32Array(V * H);
    for (let i = 0; i < H; i++)
      for (let j = 0; j < G; j++) {
        this.U1T[j * H + i] = U1[i * G + j]!;
        this.L2T[j * 2 * H + i] = W2[i * G + j]!;
        this.L2T[j * 2 * H + H + i] = U2[i * G + j]!;
      }
    for (let i = 0; i < H; i++) for (let j = 0; j < V; j++) this.WoT[j * H + i] = Wo[i * V + j]!;
    this.z = new Float32Array(G);
    this.hh = new Float32Array(2 * H);
    this.logitsBuf = new Float32Array(V);
    if (opts.wasm !== false && H % 8 === 0) {
      // Layout in the module's memory (float offsets, all 16-byte aligned since H % 8 = 0).
      const sizes = { U1T: G * H, L2T: G * 2 * H, WoT: V * H, z: G, hh: 2 * H, h2: H, logits: V + 4 };
      const mv = createMatvec(Object.values(sizes).reduce((a, b) => a + b + 4, 0) * 4);
      if (mv) {
        const f = new Float32Array(mv.memory.buffer);
        let at = 0;
        const place = (n: number) => {
          const off = at;
          at += n + ((4 - (n % 4)) % 4);
          return off;
        };
        const o = { U1T: place(sizes.U1T), L2T: place(sizes.L2T), WoT: place(sizes.WoT), z: place(sizes.z), hh: place(sizes.hh), h2: place(sizes.h2), logits: place(sizes.logits) };
        f.set(this.U1T, o.U1T);
        f.set(this.L2T, o.L2T);
        f.set(this.WoT, o.WoT);
        this.z = f.subarray(o.z, o.z + G);
        this.hh = f.subarray(o.hh, o.hh + 2 * H);
        this.logitsBuf = f.subarray(o.logits, o.logits + V);
        this.wasm = { mv, U1T: o.U1T * 4, L2T: o.L2T * 4, WoT: o.WoT * 4, z: o.z * 4, hh: o.hh * 4, h2: o.hh * 4 + H * 4, logits: o.logits * 4 };
      }
    }
  }

  /** Which kernel runs the matrix products. */
  get kernel(): 'wasm-simd' | 'js' {
    return this.wasm ? 'wasm-simd' : 'js';
  }

  initialState(): LstmState {
    const H = this.config.hidden;
    return { h1: new Float32Array(H), c1: new Float32Array(H), h2: new Float32Array(H), c2: new Float32Array(H) };
  }

  cloneState(s: LstmState): LstmState {
    return { h1: s.h1.slice(), c1: s.c1.slice(), h2: s.h2.slice(), c2: s.c2.slice() };
  }

  /** z[j] += Σ_i v[i]·MT[j·n + i] for n = v.length (n a multiple of 4). */
  private static addMatVec(z: Float32Array, MT: Float32Array, v: Float32Array): void {
    const n = v.length;
    for (let j = 0; j < z.length; j++) {
      const row = j * n;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i < n; i += 4) {
        a0 += v[i]! * MT[row + i]!;
        a1 += v[i + 1]! * MT[row + i + 1]!;
        a2 += v[i + 2]! * MT[row + i + 2]!;
        a3 += v[i + 3]! * MT[row + i + 3]!;
      }
      z[j]! += a0 + a1 + a2 + a3;
    }
  }

  private static cell(z: Float32Array, h: Float32Array, c: Float32Array): void {
    const H = h.length;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(z[j]!);
      const f = sigmoid(z[H + j]!);
      const g = tanh(z[2 * H + j]!);
      const o = sigmoid(z[3 * H + j]!);
      const cj = f * c[j]! + i * g;
      c[j] = cj;
      h[j] = o * tanh(cj);
    }
  }

  /**
   * Layer 1's bias plus the input rows of features that stay on for many steps (chord and
   * conditioning), to pass to `step` as its base so each step adds only the features that change.
   */
  inputBase(features: readonly number[]): Float32Array {
    const G = this.z.length;
    const base = this.b1.slice();
    for (const f of features) {
      const row = f * G;
      for (let j = 0; j < G; j++) base[j]! += this.W1[row + j]!;
    }
    return base;
  }

  /**
   * Advance the state by one step with the given active input features; writes logits (length
   * vocab). With `base` (from inputBase), `active` lists only the features not already in it.
   */
  step(state: LstmState, active: readonly number[], logits: Float32Array, base: Float32Array = this.b1): void {
    const z = this.z;
    const G = z.length;
    const H = this.config.hidden;
    z.set(base);
    for (const f of active) {
      const row = f * G;
      for (let j = 0; j < G; j++) z[j]! += this.W1[row + j]!;
    }
    const w = this.wasm;
    if (w) {
      // hh = [h1, h2] lives in wasm memory; layer 1 reads its first half.
      this.hh.set(state.h1, 0);
      w.mv.matvec(w.z, w.U1T, w.hh, G, H);
    } else LstmRunner.addMatVec(z, this.U1T, state.h1);
    LstmRunner.cell(z, state.h1, state.c1);
    z.set(this.b2);
    this.hh.set(state.h1, 0);
    this.hh.set(state.h2, H);
    if (w) w.mv.matvec(w.z, w.L2T, w.hh, G, 2 * H);
    else LstmRunner.addMatVec(z, this.L2T, this.hh);
    LstmRunner.cell(z, state.h2, state.c2);
    if (w) {
      this.hh.set(state.h2, H);
      this.logitsBuf.set(this.bo);
      w.mv.matvec(w.logits, w.WoT, w.h2, this.config.vocab, H);
      logits.set(this.logitsBuf);
    } else {
      logits.set(this.bo);
      LstmRunner.addMatVec(logits, this.WoT, state.h2);
    }
  }
}

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

export class LstmRunner {
  private readonly W1: Float32Array;
  private readonly U1: Float32Array;
  private readonly b1: Float32Array;
  private readonly W2: Float32Array;
  private readonly U2: Float32Array;
  private readonly b2: Float32Array;
  private readonly Wo: Float32Array;
  private readonly bo: Float32Array;
  private readonly z: Float32Array;

  constructor(
    readonly config: LstmConfig,
    w: NamedArrays,
  ) {
    const get = (n: string) => {
      const a = w[n];
      if (!a) throw new Error(`missing weight ${n}`);
      return a.data;
    };
    this.W1 = get('W1');
    this.U1 = get('U1');
    this.b1 = get('b1');
    this.W2 = get('W2');
    this.U2 = get('U2');
    this.b2 = get('b2');
    this.Wo = get('Wo');
    this.bo = get('bo');
    this.z = new Float32Array(4 * config.hidden);
  }

  initialState(): LstmState {
    const H = this.config.hidden;
    return { h1: new Float32Array(H), c1: new Float32Array(H), h2: new Float32Array(H), c2: new Float32Array(H) };
  }

  cloneState(s: LstmState): LstmState {
    return { h1: s.h1.slice(), c1: s.c1.slice(), h2: s.h2.slice(), c2: s.c2.slice() };
  }

  /** z += v · M for row-major M of shape [v.length, z.length]. */
  private static addVecMat(z: Float32Array, v: Float32Array, M: Float32Array): void {
    const G = z.length;
    for (let i = 0; i < v.length; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const row = i * G;
      for (let j = 0; j < G; j++) z[j]! += vi * M[row + j]!;
    }
  }

  private static cell(z: Float32Array, h: Float32Array, c: Float32Array): void {
    const H = h.length;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(z[j]!);
      const f = sigmoid(z[H + j]!);
      const g = Math.tanh(z[2 * H + j]!);
      const o = sigmoid(z[3 * H + j]!);
      const cj = f * c[j]! + i * g;
      c[j] = cj;
      h[j] = o * Math.tanh(cj);
    }
  }

  /** Advance the state by one step with the given active input features; writes logits (length vocab). */
  step(state: LstmState, active: readonly number[], logits: Float32Array): void {
    const z = this.z;
    const G = z.length;
    z.set(this.b1);
    for (const f of active) {
      const row = f * G;
      for (let j = 0; j < G; j++) z[j]! += this.W1[row + j]!;
    }
    LstmRunner.addVecMat(z, state.h1, this.U1);
    LstmRunner.cell(z, state.h1, state.c1);
    z.set(this.b2);
    LstmRunner.addVecMat(z, state.h1, this.W2);
    LstmRunner.addVecMat(z, state.h2, this.U2);
    LstmRunner.cell(z, state.h2, state.c2);
    const V = this.config.vocab;
    logits.set(this.bo);
    const h2 = state.h2;
    for (let i = 0; i < h2.length; i++) {
      const hi = h2[i]!;
      const row = i * V;
      for (let j = 0; j < V; j++) logits[j]! += hi * this.Wo[row + j]!;
    }
  }
}

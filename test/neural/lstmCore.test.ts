import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import { LstmRunner, paramCount, paramShapes, PARAM_NAMES, type LstmConfig } from '../../src/neural/lstmCore.ts';
import { matvecModuleBytes } from '../../src/neural/wasmMatvec.ts';
import type { NamedArrays } from '../../src/neural/weightsIO.ts';

const config: LstmConfig = { inputDim: 30, hidden: 16, vocab: 11 };

function randomWeights(seed: number): NamedArrays {
  const rng = createRng(seed);
  const out: NamedArrays = {};
  const shapes = paramShapes(config);
  for (const name of PARAM_NAMES) {
    const shape = shapes[name];
    const n = shape.reduce((a, b) => a * b, 1);
    out[name] = { shape, data: Float32Array.from({ length: n }, () => rng.float(-0.5, 0.5)) };
  }
  return out;
}

/** Reference LSTM step in float64, straight from the equations (gate order i, f, g, o). */
function referenceStep(w: NamedArrays, x: number[], h: number[][], c: number[][]): number[] {
  const H = config.hidden;
  const G = 4 * H;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const layer = (input: number[], W: Float32Array, U: Float32Array, b: Float32Array, l: number) => {
    const z = Array.from(b);
    for (let i = 0; i < input.length; i++) for (let j = 0; j < G; j++) z[j]! += input[i]! * W[i * G + j]!;
    for (let i = 0; i < H; i++) for (let j = 0; j < G; j++) z[j]! += h[l]![i]! * U[i * G + j]!;
    for (let j = 0; j < H; j++) {
      c[l]![j] = sig(z[H + j]!) * c[l]![j]! + sig(z[j]!) * Math.tanh(z[2 * H + j]!);
      h[l]![j] = sig(z[3 * H + j]!) * Math.tanh(c[l]![j]!);
    }
  };
  layer(x, w.W1!.data, w.U1!.data, w.b1!.data, 0);
  layer(h[0]!, w.W2!.data, w.U2!.data, w.b2!.data, 1);
  const logits = Array.from(w.bo!.data);
  for (let i = 0; i < H; i++) for (let j = 0; j < config.vocab; j++) logits[j]! += h[1]![i]! * w.Wo!.data[i * config.vocab + j]!;
  return logits;
}

describe('LSTM inference kernels', () => {
  it('counts parameters from the shapes', () => {
    expect(paramCount(config)).toBe(30 * 64 + 16 * 64 + 64 + 16 * 64 + 16 * 64 + 64 + 16 * 11 + 11);
  });

  it('the wasm SIMD kernel and the JS kernel both match a float64 reference', () => {
    const w = randomWeights(4);
    const runners = [new LstmRunner(config, w), new LstmRunner(config, w, { wasm: false })];
    expect(runners[1]!.kernel).toBe('js');
    // Node 20 has WebAssembly SIMD; the module must at least validate.
    expect(WebAssembly.validate(matvecModuleBytes(1))).toBe(true);
    expect(runners[0]!.kernel).toBe('wasm-simd');
    const states = runners.map((r) => r.initialState());
    const h = [new Array(16).fill(0), new Array(16).fill(0)];
    const c = [new Array(16).fill(0), new Array(16).fill(0)];
    const logits = runners.map(() => new Float32Array(config.vocab));
    for (let t = 0; t < 12; t++) {
      const active = [t % 11, 11 + (t % 7), 20 + (t % 3), 29];
      const x = new Array(config.inputDim).fill(0);
      for (const f of active) x[f] = 1;
      const ref = referenceStep(w, x, h, c);
      runners.forEach((r, k) => {
        r.step(states[k]!, active, logits[k]!);
        for (let j = 0; j < config.vocab; j++) expect(Math.abs(logits[k]![j]! - ref[j]!)).toBeLessThan(1e-4);
      });
    }
  });
});

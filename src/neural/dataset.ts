/**
 * Training windows over the prepared pieces. The order of an epoch is a pure function of
 * (seed, epoch), so a checkpoint only needs (epoch, cursor) to resume the exact data order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../core/rng.ts';
import { REST, activeFeatures, type DataStats, type PreparedPiece, type StepInput } from './representation.ts';

export const DATA_DIR = join(import.meta.dirname, '../../data/melody');

export function loadSplit(split: 'train' | 'valid' | 'test', dir = DATA_DIR): PreparedPiece[] {
  return JSON.parse(readFileSync(join(dir, `${split}.json`), 'utf8')) as PreparedPiece[];
}

export function loadStats(dir = DATA_DIR): DataStats {
  return JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as DataStats;
}

export interface Window {
  piece: number;
  start: number;
}

/** Non-overlapping windows of `len` steps at a random offset per piece, shuffled; fixed by (seed, epoch). */
export function epochWindows(pieces: readonly PreparedPiece[], len: number, seed: number, epoch: number): Window[] {
  const rng = createRng((seed * 1_000_003 + epoch * 7919) >>> 0);
  const out: Window[] = [];
  pieces.forEach((p, i) => {
    if (p.tokens.length < len) return;
    let start = rng.int(0, Math.min(len - 1, p.tokens.length - len));
    for (; start + len <= p.tokens.length; start += len) out.push({ piece: i, start });
  });
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function stepInput(p: PreparedPiece, s: number): StepInput {
  return {
    pos: p.pos[s]!,
    root: p.root[s]!,
    chroma: p.chroma[s]!,
    mode: p.mode,
    tempoBin: p.tempoBin,
    densityBin: p.densityBin[s]!,
    registerBin: p.registerBin[s]!,
  };
}

/**
 * Dense time-major batch: x[(t·B + b)·D + f] and integer targets y[t·B + b].
 * The previous token at a window's first step is the piece's real previous token (REST at the start).
 */
export function buildBatch(
  pieces: readonly PreparedPiece[],
  windows: readonly Window[],
  len: number,
  inputDim: number,
): { x: Float32Array; y: Int32Array } {
  const B = windows.length;
  const x = new Float32Array(len * B * inputDim);
  const y = new Int32Array(len * B);
  const act: number[] = [];
  windows.forEach((w, b) => {
    const p = pieces[w.piece]!;
    for (let t = 0; t < len; t++) {
      const s = w.start + t;
      const prev = s > 0 ? p.tokens[s - 1]! : REST;
      activeFeatures(prev, stepInput(p, s), act);
      const row = (t * B + b) * inputDim;
      for (const f of act) x[row + f] = 1;
      y[t * B + b] = p.tokens[s]!;
    }
  });
  return { x, y };
}

/**
 * The shipped model's files: models/melody/model.json (architecture, representation constants,
 * conditioning bins computed from the training data, training summary, and a tfjs-style
 * weightsManifest) + weights.bin (float16).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LstmConfig } from './lstmCore.ts';
import { INPUT_DIM, MAX_PITCH, MIN_PITCH, VOCAB, type DataStats } from './representation.ts';
import { decodeWeights, encodeWeights, type NamedArrays, type WeightsManifestEntry } from './weightsIO.ts';

export const MODEL_VERSION = 'melody-lstm@1';
export const DEFAULT_MODEL_DIR = join(import.meta.dirname, '../../models/melody');

export interface ModelJson {
  format: 'tunesmith-melody-lstm';
  version: string;
  config: LstmConfig;
  representation: { minPitch: number; maxPitch: number; vocab: number; inputDim: number; stepsPerBar: number };
  conditioning: { tempoThresholds: number[]; densityThresholds: number[]; registerThresholds: number[] };
  training: Record<string, unknown>;
  weightsManifest: WeightsManifestEntry[];
}

export function writeModelFiles(
  dir: string,
  arrays: NamedArrays,
  config: LstmConfig,
  stats: DataStats,
  training: Record<string, unknown>,
): void {
  mkdirSync(dir, { recursive: true });
  const { specs, data } = encodeWeights(arrays, true);
  const json: ModelJson = {
    format: 'tunesmith-melody-lstm',
    version: MODEL_VERSION,
    config,
    representation: { minPitch: MIN_PITCH, maxPitch: MAX_PITCH, vocab: VOCAB, inputDim: INPUT_DIM, stepsPerBar: 16 },
    conditioning: {
      tempoThresholds: stats.tempoThresholds,
      densityThresholds: stats.densityThresholds,
      registerThresholds: stats.registerThresholds,
    },
    training,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  writeFileSync(join(dir, 'weights.bin.tmp'), data);
  renameSync(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'));
  writeFileSync(join(dir, 'model.json.tmp'), JSON.stringify(json, null, 1));
  renameSync(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
}

export function readModelFiles(dir: string): { json: ModelJson; weights: NamedArrays } {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  if (json.format !== 'tunesmith-melody-lstm') throw new Error(`${dir}: not a melody model`);
  const entry = json.weightsManifest[0];
  if (!entry) throw new Error(`${dir}: empty weights manifest`);
  const buf = new Uint8Array(readFileSync(join(dir, entry.paths[0] ?? 'weights.bin')));
  return { json, weights: decodeWeights(entry.weights, buf) };
}

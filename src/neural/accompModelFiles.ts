/**
 * The shipped accompaniment model's files: models/accomp/model.json (architecture, representation
 * constants, intensity bins from the training data, training summary, tfjs-style weightsManifest)
 * + weights.bin (float16). Same layout as the melody model (modelFiles.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOMP_INPUT_DIM, ACCOMP_OUTPUT_DIM, BASS_SPLIT, MIN_SLOT_PITCH, NUM_SLOTS } from './accompRepresentation.ts';
import { decodeWeights, encodeWeights, type NamedArrays, type WeightsManifestEntry } from './weightsIO.ts';

export const ACCOMP_MODEL_VERSION = 'accomp-lstm@1';
export const DEFAULT_ACCOMP_DIR = join(import.meta.dirname, '../../models/accomp');

/** One LSTM layer of `hidden` units, sigmoid outputs. */
export interface AccompConfig {
  inputDim: number;
  hidden: number;
  outputDim: number;
}

export const ACCOMP_PARAM_NAMES = ['W1', 'U1', 'b1', 'Wo', 'bo'] as const;

export function accompParamShapes(c: AccompConfig): Record<(typeof ACCOMP_PARAM_NAMES)[number], number[]> {
  const G = 4 * c.hidden;
  return { W1: [c.inputDim, G], U1: [c.hidden, G], b1: [G], Wo: [c.hidden, c.outputDim], bo: [c.outputDim] };
}

export function accompParamCount(c: AccompConfig): number {
  return Object.values(accompParamShapes(c)).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
}

export interface AccompModelJson {
  format: 'tunesmith-accomp-lstm';
  version: string;
  config: AccompConfig;
  representation: { minSlotPitch: number; numSlots: number; inputDim: number; outputDim: number; bassSplit: number; stepsPerBar: number };
  conditioning: { intensityThresholds: number[] };
  training: Record<string, unknown>;
  weightsManifest: WeightsManifestEntry[];
}

export function writeAccompModelFiles(
  dir: string,
  arrays: NamedArrays,
  config: AccompConfig,
  intensityThresholds: number[],
  training: Record<string, unknown>,
): void {
  mkdirSync(dir, { recursive: true });
  const { specs, data } = encodeWeights(arrays, true);
  const json: AccompModelJson = {
    format: 'tunesmith-accomp-lstm',
    version: ACCOMP_MODEL_VERSION,
    config,
    representation: {
      minSlotPitch: MIN_SLOT_PITCH,
      numSlots: NUM_SLOTS,
      inputDim: ACCOMP_INPUT_DIM,
      outputDim: ACCOMP_OUTPUT_DIM,
      bassSplit: BASS_SPLIT,
      stepsPerBar: 16,
    },
    conditioning: { intensityThresholds },
    training,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  writeFileSync(join(dir, 'weights.bin.tmp'), data);
  renameSync(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'));
  writeFileSync(join(dir, 'model.json.tmp'), JSON.stringify(json, null, 1));
  renameSync(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
}

export function readAccompModelFiles(dir = DEFAULT_ACCOMP_DIR): { json: AccompModelJson; weights: NamedArrays } {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as AccompModelJson;
  if (json.format !== 'tunesmith-accomp-lstm') throw new Error(`${dir}: not an accompaniment model`);
  const entry = json.weightsManifest[0];
  if (!entry) throw new Error(`${dir}: empty weights manifest`);
  const buf = new Uint8Array(readFileSync(join(dir, entry.paths[0] ?? 'weights.bin')));
  return { json, weights: decodeWeights(entry.weights, buf) };
}

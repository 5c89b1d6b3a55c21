/**
 * Trains the accompaniment LSTM (one layer, sigmoid onset/sustain outputs per pitch slot) with
 * TensorFlow.js (tfjs-node when installed, else wasm). Run through scripts/train.ts:
 *
 *   npx tsx scripts/prepare-accomp.ts                  # once: builds data/accomp/
 *   npm run train -- --model accomp                    # trains, or resumes from models/accomp/checkpoint/
 *   npm run train -- --model accomp --fresh            # ignores an existing checkpoint
 *
 * Stops at --steps, or at the wall-clock --deadline (ISO time) / after --minutes of this run,
 * whichever comes first, always with a checkpoint: the next run resumes. Reproducible from --seed
 * (initial weights, data order per epoch, dropout masks per step). A checkpoint (float32 weights +
 * Adam moments + step/epoch/cursor + history) is written every --ckpt-every steps and on
 * SIGINT/SIGTERM; the shipped float16 model (models/accomp/model.json + weights.bin) is re-exported
 * whenever the validation loss improves. --git-commit-minutes N commits models/accomp.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { loadTf } from '../src/neural/backend.ts';
import { createRng } from '../src/core/rng.ts';
import { ACCOMP_INPUT_DIM, ACCOMP_OUTPUT_DIM, NUM_SLOTS, accompFeatures, type AccompPiece, type AccompStats } from '../src/neural/accompRepresentation.ts';
import {
  ACCOMP_MODEL_VERSION,
  ACCOMP_PARAM_NAMES,
  accompParamCount,
  accompParamShapes,
  writeAccompModelFiles,
  type AccompConfig,
} from '../src/neural/accompModelFiles.ts';
import { decodeWeights, encodeWeights, type NamedArrays, type WeightSpec } from '../src/neural/weightsIO.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'accomp' },
    steps: { type: 'string', default: '1500' },
    batch: { type: 'string', default: '48' },
    len: { type: 'string', default: '64' },
    hidden: { type: 'string', default: '192' },
    lr: { type: 'string', default: '0.003' },
    dropout: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    'ckpt-every': { type: 'string', default: '40' },
    'val-windows': { type: 'string', default: '192' },
    'git-commit-minutes': { type: 'string', default: '0' },
    deadline: { type: 'string' },
    minutes: { type: 'string' },
    out: { type: 'string' },
    data: { type: 'string' },
    fresh: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const ROOT = join(import.meta.dirname, '..');
const OUT_DIR = args.out ?? join(ROOT, 'models/accomp');
const DATA_DIR = args.data ?? join(ROOT, 'data/accomp');
const CKPT_DIR = join(OUT_DIR, 'checkpoint');
const MAX_STEPS = Number(args.steps);
const B = Number(args.batch);
const T = Number(args.len);
const SEED = Number(args.seed);
const LR = Number(args.lr);
const DROPOUT = Number(args.dropout);
const CKPT_EVERY = Number(args['ckpt-every']);
const COMMIT_MIN = Number(args['git-commit-minutes']);
const RUN_START = Date.now();
const STOP_AT = Math.min(
  args.deadline ? Date.parse(args.deadline) : Infinity,
  args.minutes ? RUN_START + Number(args.minutes) * 60000 : Infinity,
);
if (Number.isNaN(STOP_AT)) throw new Error(`--deadline "${args.deadline}" is not an ISO time (e.g. 2026-12-02T04:50:00Z)`);
const config: AccompConfig = { inputDim: ACCOMP_INPUT_DIM, hidden: Number(args.hidden), outputDim: ACCOMP_OUTPUT_DIM };
const H = config.hidden;

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);
const { tf, backend } = await loadTf(log);

const loadSplit = (s: string) => JSON.parse(readFileSync(join(DATA_DIR, `${s}.json`), 'utf8')) as AccompPiece[];
if (!existsSync(join(DATA_DIR, 'train.json'))) throw new Error(`${DATA_DIR}/train.json missing: run npx tsx scripts/prepare-accomp.ts first`);
const train = loadSplit('train');
const valid = loadSplit('valid');
const stats = JSON.parse(readFileSync(join(DATA_DIR, 'stats.json'), 'utf8')) as AccompStats;
log(`data: ${train.length} train pieces, ${valid.length} valid pieces; params ${accompParamCount(config)}`);

interface Window {
  piece: number;
  start: number;
}
/** Non-overlapping windows at a random offset per piece, shuffled; a pure function of (seed, epoch). */
function epochWindows(pieces: readonly AccompPiece[], seed: number, ep: number): Window[] {
  const rng = createRng((seed * 1_000_003 + ep * 7919) >>> 0);
  const out: Window[] = [];
  pieces.forEach((p, i) => {
    if (p.on.length < T) return;
    let start = rng.int(0, Math.min(T - 1, p.on.length - T));
    for (; start + T <= p.on.length; start += T) out.push({ piece: i, start });
  });
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Dense time-major batch: x[(t·B + b)·D + f], y[(t·B + b)·O + o] (onset slots, then sustain slots). */
function buildBatch(pieces: readonly AccompPiece[], windows: readonly Window[]): { x: Float32Array; y: Float32Array } {
  const nb = windows.length;
  const x = new Float32Array(T * nb * ACCOMP_INPUT_DIM);
  const y = new Float32Array(T * nb * ACCOMP_OUTPUT_DIM);
  const act: number[] = [];
  windows.forEach((w, b) => {
    const p = pieces[w.piece]!;
    for (let t = 0; t < T; t++) {
      const s = w.start + t;
      const prevOn = s > 0 ? p.on[s - 1]! : [];
      const prevSus = s > 0 ? p.sus[s - 1]! : [];
      accompFeatures(prevOn, prevSus, { pos: p.pos[s]!, root: p.root[s]!, chroma: p.chroma[s]!, melPc: p.melPc[s]!, melOn: p.melOn[s]!, mode: p.mode, intensity: p.intensity[s]! }, act);
      const row = (t * nb + b) * ACCOMP_INPUT_DIM;
      for (const f of act) x[row + f] = 1;
      const yr = (t * nb + b) * ACCOMP_OUTPUT_DIM;
      for (const k of p.on[s]!) y[yr + k] = 1;
      for (const k of p.sus[s]!) y[yr + NUM_SLOTS + k] = 1;
    }
  });
  return { x, y };
}

// ---- parameters and Adam state -------------------------------------------------------------
const shapes = accompParamShapes(config);
const params: Record<string, Variable> = {};
ACCOMP_PARAM_NAMES.forEach((name, k) => {
  const shape = shapes[name];
  let t: Tensor;
  if (shape.length === 1) {
    const bias = new Float32Array(shape[0]!);
    if (name === 'b1') bias.fill(1, H, 2 * H); // forget-gate bias 1
    if (name === 'bo') bias.fill(-3); // outputs are sparse: start near their base rate
    t = tf.tensor1d(bias);
  } else t = tf.initializers.glorotUniform({ seed: SEED * 100 + k }).apply(shape) as Tensor;
  params[name] = tf.variable(t, true, `accomp/${name}`);
  t.dispose();
});
const m: Record<string, Variable> = {};
const v: Record<string, Variable> = {};
for (const name of ACCOMP_PARAM_NAMES) {
  m[name] = tf.variable(tf.zerosLike(params[name]!), false, `adam_m/${name}`);
  v[name] = tf.variable(tf.zerosLike(params[name]!), false, `adam_v/${name}`);
}

interface HistoryPoint {
  step: number;
  tokens: number;
  trainLoss: number;
  valLoss: number;
  seconds: number;
}
interface CkptState {
  format: 'tunesmith-accomp-checkpoint@1';
  config: AccompConfig;
  hyper: { B: number; T: number; seed: number; lr: number; dropout: number; maxSteps: number };
  step: number;
  epoch: number;
  cursor: number;
  tokens: number;
  trainSeconds: number;
  bestVal: number;
  history: HistoryPoint[];
  backend: string;
  weights: WeightSpec[];
}

let step = 0;
let epoch = 0;
let cursor = 0;
let tokens = 0;
let trainSeconds = 0;
let bestVal = Infinity;
let history: HistoryPoint[] = [];

function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

function saveCheckpoint(): void {
  mkdirSync(CKPT_DIR, { recursive: true });
  const arrays: NamedArrays = {};
  for (const name of ACCOMP_PARAM_NAMES) {
    arrays[`p/${name}`] = { shape: shapes[name], data: params[name]!.dataSync() as Float32Array };
    arrays[`m/${name}`] = { shape: shapes[name], data: m[name]!.dataSync() as Float32Array };
    arrays[`v/${name}`] = { shape: shapes[name], data: v[name]!.dataSync() as Float32Array };
  }
  const { specs, data } = encodeWeights(arrays, false);
  const state: CkptState = {
    format: 'tunesmith-accomp-checkpoint@1',
    config,
    hyper: { B, T, seed: SEED, lr: LR, dropout: DROPOUT, maxSteps: MAX_STEPS },
    step,
    epoch,
    cursor,
    tokens,
    trainSeconds,
    bestVal,
    history,
    backend,
    weights: specs,
  };
  writeAtomic(join(CKPT_DIR, 'tensors.bin'), data);
  writeAtomic(join(CKPT_DIR, 'state.json'), JSON.stringify(state));
  log(`checkpoint step ${step} (epoch ${epoch}, cursor ${cursor})`);
}

function tryResume(): void {
  const statePath = join(CKPT_DIR, 'state.json');
  if (args.fresh || !existsSync(statePath)) return;
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as CkptState;
  if (state.config.hidden !== H || state.config.inputDim !== config.inputDim || state.config.outputDim !== config.outputDim)
    throw new Error(`checkpoint config ${JSON.stringify(state.config)} differs from this run ${JSON.stringify(config)} (use --fresh or --hidden ${state.config.hidden})`);
  if (state.hyper.B !== B || state.hyper.T !== T || state.hyper.seed !== SEED)
    log(`note: checkpoint was trained with batch ${state.hyper.B}×${state.hyper.T} seed ${state.hyper.seed}; continuing with ${B}×${T} seed ${SEED}`);
  const arrays = decodeWeights(state.weights, new Uint8Array(readFileSync(join(CKPT_DIR, 'tensors.bin'))));
  for (const name of ACCOMP_PARAM_NAMES) {
    params[name]!.assign(tf.tensor(arrays[`p/${name}`]!.data, shapes[name]));
    m[name]!.assign(tf.tensor(arrays[`m/${name}`]!.data, shapes[name]));
    v[name]!.assign(tf.tensor(arrays[`v/${name}`]!.data, shapes[name]));
  }
  ({ step, epoch, cursor, tokens, trainSeconds, bestVal, history } = state);
  log(`resumed from step ${step} (epoch ${epoch}, cursor ${cursor}, best val ${bestVal.toFixed(4)})`);
}

function exportModel(valLoss: number): void {
  const arrays: NamedArrays = {};
  for (const name of ACCOMP_PARAM_NAMES) arrays[name] = { shape: shapes[name], data: params[name]!.dataSync() as Float32Array };
  writeAccompModelFiles(OUT_DIR, arrays, config, stats.intensityThresholds, {
    step,
    tokens,
    trainSeconds: Math.round(trainSeconds),
    valLoss,
    backend,
    seed: SEED,
    hyper: { batch: B, window: T, lr: LR, dropout: DROPOUT, maxSteps: MAX_STEPS },
    history,
  });
  log(`exported ${ACCOMP_MODEL_VERSION} at step ${step} (val ${valLoss.toFixed(4)})`);
}

// ---- the model in tfjs ops -----------------------------------------------------------------
function lossOf(x: Tensor, y: Tensor, batch: number, dropSeed: number | null): Tensor {
  const P = params as Record<(typeof ACCOMP_PARAM_NAMES)[number], Tensor>;
  const xs = tf.unstack(tf.add(tf.matMul(x as never, P.W1 as never), P.b1).reshape([T, batch, 4 * H]));
  let h: Tensor = tf.zeros([batch, H]);
  let c: Tensor = tf.zeros([batch, H]);
  const hs: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const z = tf.add(xs[t]!, tf.matMul(h as never, P.U1 as never));
    const [i, f, g, o] = tf.split(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    hs.push(h);
  }
  let hAll = tf.concat(hs, 0);
  if (dropSeed !== null && DROPOUT > 0) hAll = tf.dropout(hAll, DROPOUT, undefined, dropSeed);
  const logits = tf.add(tf.matMul(hAll as never, P.Wo as never), P.bo);
  // Binary cross-entropy with logits, stable form: max(l,0) − l·y + log(1 + e^−|l|); summed over
  // the outputs, averaged over steps (nats per step).
  const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.div(tf.sum(bce), T * batch);
}

function batchTensors(pieces: readonly AccompPiece[], windows: readonly Window[]): { x: Tensor; y: Tensor } {
  const { x, y } = buildBatch(pieces, windows);
  return { x: tf.tensor2d(x, [T * windows.length, ACCOMP_INPUT_DIM]), y: tf.tensor2d(y, [T * windows.length, ACCOMP_OUTPUT_DIM]) };
}

const VAL_WINDOWS = epochWindows(valid, 12345, 0).slice(0, Number(args['val-windows']));
function validationLoss(): number {
  let total = 0;
  let n = 0;
  for (let i = 0; i < VAL_WINDOWS.length; i += B) {
    const w = VAL_WINDOWS.slice(i, i + B);
    const { x, y } = batchTensors(valid, w);
    const l = tf.tidy(() => lossOf(x, y, w.length, null));
    total += (l.dataSync()[0] as number) * w.length;
    n += w.length;
    tf.dispose([x, y, l]);
  }
  return total / n;
}

function learningRate(s: number): number {
  const warm = 20;
  if (s < warm) return (LR * (s + 1)) / warm;
  const p = Math.min(1, (s - warm) / Math.max(1, MAX_STEPS - warm));
  return LR * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)));
}

function trainStep(x: Tensor, y: Tensor): number {
  const lr = learningRate(step);
  const t = step + 1;
  const b1 = 0.9;
  const b2 = 0.999;
  const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
  const { value, grads } = tf.variableGrads(() => lossOf(x, y, B, SEED * 1_000_000 + step) as never, Object.values(params));
  const loss = value.dataSync()[0] as number;
  tf.tidy(() => {
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = Math.sqrt(tf.addN(sq).dataSync()[0] as number);
    const scale = norm > 5 ? 5 / norm : 1; // clip by global norm 5 (the loss is a sum over 128 outputs)
    for (const name of ACCOMP_PARAM_NAMES) {
      const g = tf.mul(grads[`accomp/${name}`]!, scale);
      m[name]!.assign(tf.add(tf.mul(m[name]!, b1), tf.mul(g, 1 - b1)));
      v[name]!.assign(tf.add(tf.mul(v[name]!, b2), tf.mul(tf.square(g), 1 - b2)));
      params[name]!.assign(tf.sub(params[name]!, tf.mul(tf.div(m[name]!, tf.add(tf.sqrt(v[name]!), 1e-7)), lrT)));
    }
  });
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

function gitCommit(): void {
  const rel = 'models/accomp';
  try {
    execFileSync('flock', ['/tmp/git.lock', 'sh', '-c', `git add ${rel} && git commit -q -m "accomp: training checkpoint step ${step}" -- ${rel}`], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    log(`committed ${rel} at step ${step}`);
  } catch (err) {
    log(`git commit skipped: ${(err as Error).message.split('\n')[0]}`);
  }
}

// ---- main loop -------------------------------------------------------------------------------
tryResume();
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    stopping = true;
    log(`${sig}: checkpointing after this step`);
  });

let windows = epochWindows(train, SEED, epoch);
log(
  `training ${H}-unit LSTM (${backend}), batch ${B}×${T}, ${windows.length} windows/epoch, steps ${step}→${MAX_STEPS}` +
    (Number.isFinite(STOP_AT) ? `, stops by ${new Date(STOP_AT).toISOString()}` : ''),
);
let lastCommit = Date.now();
let emaRate = 0;
let lossSum = 0;
let lossN = 0;
let timeUp = false;
while (step < MAX_STEPS && !stopping) {
  if (cursor + B > windows.length) {
    epoch++;
    cursor = 0;
    windows = epochWindows(train, SEED, epoch);
  }
  await new Promise((r) => setImmediate(r)); // let signal handlers run
  if (stopping) break;
  const t0 = performance.now();
  const { x, y } = batchTensors(train, windows.slice(cursor, cursor + B));
  const loss = trainStep(x, y);
  tf.dispose([x, y]);
  cursor += B;
  step++;
  tokens += B * T;
  const dt = (performance.now() - t0) / 1000;
  trainSeconds += dt;
  emaRate = emaRate === 0 ? (B * T) / dt : 0.9 * emaRate + (0.1 * B * T) / dt;
  lossSum += loss;
  lossN++;
  // Leave room for one validation + checkpoint (≈ 2 steps' time) before the deadline.
  timeUp = Date.now() + 3 * dt * 1000 >= STOP_AT;
  if (step % 5 === 0 || step === 1) {
    const eta = ((MAX_STEPS - step) * B * T) / emaRate / 60;
    log(`step ${step}/${MAX_STEPS} epoch ${epoch} loss ${loss.toFixed(4)} ${emaRate.toFixed(0)} tok/s lr ${learningRate(step).toExponential(2)} ETA ${eta.toFixed(0)} min tensors ${tf.memory().numTensors}`);
  }
  if (step % CKPT_EVERY === 0 || step === MAX_STEPS || timeUp) {
    const t1 = performance.now();
    const valLoss = validationLoss();
    history.push({ step, tokens, trainLoss: lossSum / lossN, valLoss, seconds: Math.round(trainSeconds) });
    lossSum = 0;
    lossN = 0;
    log(`val loss ${valLoss.toFixed(4)} (best ${bestVal.toFixed(4)}) in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    if (valLoss < bestVal) {
      bestVal = valLoss;
      exportModel(valLoss);
    }
    saveCheckpoint();
    if (COMMIT_MIN > 0 && (Date.now() - lastCommit) / 60000 >= COMMIT_MIN) {
      gitCommit();
      lastCommit = Date.now();
    }
  }
  if (timeUp) {
    log(`time budget reached at step ${step} (resume with the same command)`);
    break;
  }
}
if (stopping) saveCheckpoint();
log(`stopped: ${step}/${MAX_STEPS} steps, ${tokens} tokens, ${(trainSeconds / 60).toFixed(1)} min, best val ${bestVal.toFixed(4)}`);
if (COMMIT_MIN > 0) gitCommit();
process.exit(0);

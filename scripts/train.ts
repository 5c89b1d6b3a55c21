/**
 * Trains the chord-conditioned melody LSTM with TensorFlow.js (tfjs-node when installed, else wasm).
 *
 *   npm run prepare-data                       # once: builds data/melody/
 *   npm run train -- --model melody            # trains, or resumes from models/melody/checkpoint/
 *   npm run train -- --model melody --fresh    # ignores an existing checkpoint
 *   npm run train -- --model accomp            # the accompaniment model (scripts/train-accomp.ts)
 *
 * Reproducible from --seed: initial weights, data order (a pure function of seed and epoch) and
 * dropout masks (seeded by step) are all derived from it. A checkpoint (weights + Adam moments +
 * step/epoch/cursor + history) is written every --ckpt-every steps and on SIGINT/SIGTERM; the
 * shipped float16 model (models/melody/model.json + weights.bin) is re-exported whenever the
 * validation loss improves. --git-commit-minutes N commits models/melody under the repo's git lock
 * so a cut-off session can resume from the committed checkpoint.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTf } from '../src/neural/backend.ts';
import { buildBatch, epochWindows, loadSplit, loadStats } from '../src/neural/dataset.ts';
import { PARAM_NAMES, paramCount, paramShapes, type LstmConfig } from '../src/neural/lstmCore.ts';
import { INPUT_DIM, VOCAB } from '../src/neural/representation.ts';
import { decodeWeights, encodeWeights, type NamedArrays, type WeightSpec } from '../src/neural/weightsIO.ts';
import { MODEL_VERSION, writeModelFiles } from '../src/neural/modelFiles.ts';
import type { Tensor, Variable } from '@tensorflow/tfjs';

// The accompaniment model has its own trainer (one layer, multi-hot sigmoid outputs).
const modelArg = process.argv.find((a, i) => a.startsWith('--model=') || process.argv[i - 1] === '--model');
if (modelArg?.replace('--model=', '') === 'accomp') {
  await import('./train-accomp.ts');
  process.exit(0);
}

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'melody' },
    steps: { type: 'string', default: '900' },
    batch: { type: 'string', default: '32' },
    len: { type: 'string', default: '128' },
    hidden: { type: 'string', default: '192' },
    lr: { type: 'string', default: '0.002' },
    dropout: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
    'ckpt-every': { type: 'string', default: '20' },
    'val-windows': { type: 'string', default: '96' },
    'git-commit-minutes': { type: 'string', default: '0' },
    out: { type: 'string' },
    fresh: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
if (args.model !== 'melody') throw new Error(`unknown model "${args.model}" (allowed: melody, accomp)`);

const OUT_DIR = args.out ?? join(import.meta.dirname, '../models/melody');
const CKPT_DIR = join(OUT_DIR, 'checkpoint');
const MAX_STEPS = Number(args.steps);
const B = Number(args.batch);
const T = Number(args.len);
const SEED = Number(args.seed);
const LR = Number(args.lr);
const DROPOUT = Number(args.dropout);
const CKPT_EVERY = Number(args['ckpt-every']);
const COMMIT_MIN = Number(args['git-commit-minutes']);
const config: LstmConfig = { inputDim: INPUT_DIM, hidden: Number(args.hidden), vocab: VOCAB };
const H = config.hidden;

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);
const { tf, backend } = await loadTf(log);

const train = loadSplit('train');
const valid = loadSplit('valid');
const stats = loadStats();
log(`data: ${train.length} train pieces, ${valid.length} valid pieces; params ${paramCount(config)}`);

// ---- parameters and Adam state -------------------------------------------------------------
const shapes = paramShapes(config);
const params: Record<string, Variable> = {};
PARAM_NAMES.forEach((name, k) => {
  const shape = shapes[name];
  let t: Tensor;
  if (shape.length === 1) {
    // Forget-gate bias 1 (Jozefowicz et al. 2015): remembers by default early in training.
    const bias = new Float32Array(shape[0]!);
    if (name !== 'bo') bias.fill(1, H, 2 * H);
    t = tf.tensor1d(bias);
  } else {
    // glorotUniform, not orthogonal: the orthogonal initializer takes minutes at this size on wasm.
    t = tf.initializers.glorotUniform({ seed: SEED * 100 + k }).apply(shape) as Tensor;
  }
  params[name] = tf.variable(t, true, `melody/${name}`);
  t.dispose();
});
const m: Record<string, Variable> = {};
const v: Record<string, Variable> = {};
for (const name of PARAM_NAMES) {
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
  format: 'tunesmith-train-checkpoint@1';
  config: LstmConfig;
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

function snapshot(): NamedArrays {
  const out: NamedArrays = {};
  for (const name of PARAM_NAMES) {
    out[`p/${name}`] = { shape: shapes[name], data: params[name]!.dataSync() as Float32Array };
    out[`m/${name}`] = { shape: shapes[name], data: m[name]!.dataSync() as Float32Array };
    out[`v/${name}`] = { shape: shapes[name], data: v[name]!.dataSync() as Float32Array };
  }
  return out;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

function saveCheckpoint(): void {
  mkdirSync(CKPT_DIR, { recursive: true });
  const { specs, data } = encodeWeights(snapshot(), false);
  const state: CkptState = {
    format: 'tunesmith-train-checkpoint@1',
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
  // Tensors first, then the state that points at them: a crash between the two leaves the
  // previous state.json, whose shapes still match (the bin is rewritten whole).
  writeAtomic(join(CKPT_DIR, 'tensors.bin'), data);
  writeAtomic(join(CKPT_DIR, 'state.json'), JSON.stringify(state));
  log(`checkpoint step ${step} (epoch ${epoch}, cursor ${cursor})`);
}

function tryResume(): void {
  const statePath = join(CKPT_DIR, 'state.json');
  if (args.fresh || !existsSync(statePath)) return;
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as CkptState;
  if (state.config.hidden !== H || state.config.inputDim !== INPUT_DIM || state.config.vocab !== VOCAB)
    throw new Error('checkpoint config differs from this run (use --fresh)');
  const arrays = decodeWeights(state.weights, new Uint8Array(readFileSync(join(CKPT_DIR, 'tensors.bin'))));
  for (const name of PARAM_NAMES) {
    params[name]!.assign(tf.tensor(arrays[`p/${name}`]!.data, shapes[name]));
    m[name]!.assign(tf.tensor(arrays[`m/${name}`]!.data, shapes[name]));
    v[name]!.assign(tf.tensor(arrays[`v/${name}`]!.data, shapes[name]));
  }
  ({ step, epoch, cursor, tokens, trainSeconds, bestVal, history } = state);
  log(`resumed from step ${step} (epoch ${epoch}, cursor ${cursor}, best val ${bestVal.toFixed(4)})`);
}

function exportModel(valLoss: number): void {
  const arrays: NamedArrays = {};
  for (const name of PARAM_NAMES) arrays[name] = { shape: shapes[name], data: params[name]!.dataSync() as Float32Array };
  writeModelFiles(OUT_DIR, arrays, config, stats, {
    step,
    tokens,
    trainSeconds: Math.round(trainSeconds),
    valLoss,
    backend,
    seed: SEED,
    hyper: { batch: B, window: T, lr: LR, dropout: DROPOUT, maxSteps: MAX_STEPS },
  });
  log(`exported ${MODEL_VERSION} at step ${step} (val ${valLoss.toFixed(4)})`);
}

// ---- the model in tfjs ops -----------------------------------------------------------------
function lstmLayer(x: Tensor, W: Tensor, U: Tensor, b: Tensor, batch: number): Tensor {
  // Input product for all steps at once (one big 2-D matMul: the wasm fast path), then the
  // recurrence step by step on time-major slices.
  const xs = tf.unstack(tf.add(tf.matMul(x as never, W as never), b).reshape([T, batch, 4 * H]));
  let h: Tensor = tf.zeros([batch, H]);
  let c: Tensor = tf.zeros([batch, H]);
  const hs: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const z = tf.add(xs[t]!, tf.matMul(h as never, U as never));
    const [i, f, g, o] = tf.split(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    hs.push(h);
  }
  return tf.concat(hs, 0); // [T·batch, H], row t·batch + b
}

function lossOf(x: Tensor, y: Tensor, batch: number, dropSeed: number | null): Tensor {
  const P = params as Record<(typeof PARAM_NAMES)[number], Tensor>;
  const drop = (t: Tensor, k: number) => (dropSeed === null || DROPOUT <= 0 ? t : tf.dropout(t, DROPOUT, undefined, dropSeed * 4 + k));
  const h1 = drop(lstmLayer(x, P.W1, P.U1, P.b1, batch), 0);
  const h2 = drop(lstmLayer(h1, P.W2, P.U2, P.b2, batch), 1);
  const logits = tf.add(tf.matMul(h2 as never, P.Wo as never), P.bo);
  return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
}

function batchTensors(pieces: typeof train, windows: ReturnType<typeof epochWindows>): { x: Tensor; y: Tensor } {
  const { x, y } = buildBatch(pieces, windows, T, INPUT_DIM);
  const yOneHot = new Float32Array(y.length * VOCAB);
  y.forEach((tok, i) => (yOneHot[i * VOCAB + tok] = 1));
  return { x: tf.tensor2d(x, [T * windows.length, INPUT_DIM]), y: tf.tensor2d(yOneHot, [y.length, VOCAB]) };
}

const VAL_WINDOWS = epochWindows(valid, T, 12345, 0).slice(0, Number(args['val-windows']));
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
    // Clip by global norm 1: LSTMs on long windows occasionally spike.
    const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = Math.sqrt(tf.addN(sq).dataSync()[0] as number);
    const scale = norm > 1 ? 1 / norm : 1;
    for (const name of PARAM_NAMES) {
      const g = tf.mul(grads[`melody/${name}`]!, scale);
      m[name]!.assign(tf.add(tf.mul(m[name]!, b1), tf.mul(g, 1 - b1)));
      v[name]!.assign(tf.add(tf.mul(v[name]!, b2), tf.mul(tf.square(g), 1 - b2)));
      params[name]!.assign(tf.sub(params[name]!, tf.mul(tf.div(m[name]!, tf.add(tf.sqrt(v[name]!), 1e-7)), lrT)));
    }
  });
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

function gitCommit(): void {
  const rel = 'models/melody';
  try {
    execFileSync('flock', ['/tmp/git.lock', 'sh', '-c', `git add ${rel} && git commit -q -m "melody: training checkpoint step ${step}" -- ${rel}`], {
      cwd: join(import.meta.dirname, '..'),
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

let windows = epochWindows(train, T, SEED, epoch);
log(`training ${config.hidden}x2 LSTM, batch ${B}×${T}, ${windows.length} windows/epoch, steps ${step}→${MAX_STEPS}`);
let lastCommit = Date.now();
let emaRate = 0;
let lossSum = 0;
let lossN = 0;
while (step < MAX_STEPS && !stopping) {
  if (cursor + B > windows.length) {
    epoch++;
    cursor = 0;
    windows = epochWindows(train, T, SEED, epoch);
  }
  // Yield to the event loop once per step: the loop is otherwise synchronous, and signal handlers
  // (checkpoint on SIGTERM) only run from the event loop.
  await new Promise((r) => setImmediate(r));
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
  if (step % 5 === 0 || step === 1) {
    const eta = ((MAX_STEPS - step) * B * T) / emaRate / 60;
    log(`step ${step}/${MAX_STEPS} epoch ${epoch} loss ${loss.toFixed(4)} ${emaRate.toFixed(0)} tok/s lr ${learningRate(step).toExponential(2)} ETA ${eta.toFixed(0)} min tensors ${tf.memory().numTensors}`);
  }
  if (step % CKPT_EVERY === 0 || step === MAX_STEPS) {
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
}
if (stopping) saveCheckpoint();
if (step >= MAX_STEPS) {
  log(`done: ${step} steps, ${tokens} tokens, ${(trainSeconds / 60).toFixed(1)} min, best val ${bestVal.toFixed(4)}`);
  if (COMMIT_MIN > 0) gitCommit();
}
process.exit(0);

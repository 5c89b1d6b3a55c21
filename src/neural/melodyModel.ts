/**
 * The melody model's generation API (what the composer calls).
 *
 *   const model = await loadMelodyModel();
 *   const { steps } = await model.generate({ chords, keyTonicPc: 2, mode: 'minor', conditioning, seed: 7 });
 *
 * `chords` has one entry per 16th step in the requested key's absolute pitch classes; the output
 * has the same length: per step a MIDI pitch (note-on), −1 (hold) or −2 (rest). Internally
 * everything is transposed to the common training key (tonic C) and back. Inference is plain JS
 * (lstmCore.ts), so loading needs no tfjs and a 60 s piece takes a few tens of milliseconds.
 */
import { Scale } from 'tonal';
import { createRng } from '../core/rng.ts';
import { LstmRunner, type LstmState } from './lstmCore.ts';
import { DEFAULT_MODEL_DIR, readModelFiles, type ModelJson } from './modelFiles.ts';
import { COPY_LIMIT, DEFAULT_INDEX_PATH, NgramIndex } from './originality.ts';
import {
  DENSITY_BINS,
  REGISTER_BINS,
  TEMPO_BINS,
  HOLD,
  MAX_PITCH,
  MIN_PITCH,
  REST,
  FEATURE_OFFSETS,
  STEPS_PER_BAR,
  STEP_HOLD,
  STEP_REST,
  VOCAB,
  activeFeatures,
  chromaToMask,
  modeFamily,
  pitchToToken,
  rotateChroma,
  shiftToC,
  tokenToPitch,
  type StepInput,
} from './representation.ts';
import { sampleGridToken } from './sampling.ts';

export interface MelodyConditioning {
  /** Accepted for the record; the model is trained on one style (POP909) — see the model card. */
  style?: string;
  mode: string;
  tempoBin: number;
  densityBin: number;
  registerBin: number;
}

export interface StepChord {
  rootPc: number;
  /** 12 bins, pitch classes relative to C (absolute), > 0 = in the chord. */
  chroma: number[];
}

export interface GenerateOptions {
  /** One per 16th step (null = no chord); its length is the output length, primer included. */
  chords: (StepChord | null)[];
  keyTonicPc: number;
  mode: string;
  conditioning: MelodyConditioning;
  seed: number;
  /** Default 1.0. */
  temperature?: number;
  /** Default 0.95. */
  topP?: number;
  /** Note-ons limited to the mode's scale plus the current chord's tones. Default false. */
  scaleMask?: boolean;
  /** MIDI pitch per step or −1 hold / −2 rest; copied to the output's first steps and fed to the model. */
  primer?: number[];
  /**
   * Teacher forcing anywhere: per step a MIDI pitch / −1 hold / −2 rest that is kept as given (and
   * fed to the model as its input), or null where the model samples. Steps the primer covers are
   * the primer's. A kept hold after a rest is a rest.
   */
  fixed?: (number | null)[];
  lowestPitch?: number;
  highestPitch?: number;
  /** Per step, semitones added to both ends of the pitch range (a section in another register). */
  rangeShift?: number[];
  /** Steps per bar for the bar-position input (default 16 = 4/4; the model only saw 4/4). */
  stepsPerBar?: number;
  /** Step of the first chord within its bar (default 0). */
  startPosition?: number;
}

export interface GenerateResult {
  steps: number[];
  /** How many times a copied 16-note run was found and resampled. */
  resamples: number;
}

export interface MelodyModel {
  readonly version: string;
  readonly meta: ModelJson;
  generate(opts: GenerateOptions): Promise<GenerateResult>;
  /** `count` variations: seeds seed, seed+1, … */
  generateBatch(opts: GenerateOptions, count: number): Promise<GenerateResult[]>;
  /** Synchronous core, for benches and the evaluation. */
  generateSync(opts: GenerateOptions): GenerateResult;
}

const MAX_RESAMPLES = 64;

export function scaleMaskOf(mode: string): number {
  const chroma = Scale.get(`C ${mode}`).chroma;
  if (!chroma) return 0xfff;
  let m = 0;
  for (let k = 0; k < 12; k++) if (chroma[k] === '1') m |= 1 << k;
  return m || 0xfff;
}

export class LstmMelodyModel implements MelodyModel {
  readonly version: string;
  /** The plain-JS network (shared; generation keeps its own state objects). */
  readonly runner: LstmRunner;
  /** Running totals, for the evaluation's report. */
  readonly stats = { generations: 0, resamples: 0 };

  constructor(
    readonly meta: ModelJson,
    weights: ConstructorParameters<typeof LstmRunner>[1],
    private readonly index: NgramIndex | null,
  ) {
    this.version = meta.version;
    this.runner = new LstmRunner(meta.config, weights);
  }

  async generate(opts: GenerateOptions): Promise<GenerateResult> {
    return this.generateSync(opts);
  }

  async generateBatch(opts: GenerateOptions, count: number): Promise<GenerateResult[]> {
    const out: GenerateResult[] = [];
    for (let i = 0; i < count; i++) out.push(this.generateSync({ ...opts, seed: (opts.seed + i) >>> 0 }));
    return out;
  }

  generateSync(opts: GenerateOptions): GenerateResult {
    const n = opts.chords.length;
    const shift = shiftToC(opts.keyTonicPc);
    const temperature = opts.temperature ?? 1.0;
    const topP = opts.topP ?? 0.95;
    const barLen = opts.stepsPerBar ?? STEPS_PER_BAR;
    const c = opts.conditioning;
    // opts.mode decides (conditioning.mode is informational); out-of-range bins are clamped so a
    // bad caller can never switch on a feature of the neighbouring block.
    const mode = modeFamily(opts.mode);
    const clampBin = (b: number, n: number) => Math.min(n - 1, Math.max(0, Math.round(b) || 0));
    const bins = { tempo: clampBin(c.tempoBin, TEMPO_BINS), density: clampBin(c.densityBin, DENSITY_BINS), register: clampBin(c.registerBin, REGISTER_BINS) };
    const inputs: StepInput[] = opts.chords.map((ch, s) => ({
      pos: ((opts.startPosition ?? 0) + s) % barLen,
      root: ch ? (((ch.rootPc + shift) % 12) + 12) % 12 : -1,
      chroma: ch ? rotateChroma(chromaToMask(ch.chroma), shift) : 0,
      mode,
      tempoBin: bins.tempo,
      densityBin: bins.density,
      registerBin: bins.register,
    }));

    // Allowed note-on tokens (common key): pitch range, optionally scale ∪ chord tones.
    const lo = Math.max(MIN_PITCH, (opts.lowestPitch ?? 0) + shift);
    const hi = Math.min(MAX_PITCH, (opts.highestPitch ?? 127) + shift);
    if (lo > hi) throw new Error(`pitch range [${opts.lowestPitch}, ${opts.highestPitch}] is outside the model's range`);
    const scale = opts.scaleMask ? scaleMaskOf(opts.mode) : 0xfff;

    const toToken = (p: number) => (p === STEP_HOLD ? HOLD : p === STEP_REST || p < 0 ? REST : pitchToToken(Math.min(MAX_PITCH, Math.max(MIN_PITCH, p + shift))));
    const primer = (opts.primer ?? []).slice(0, n).map(toToken);
    // A primer hold with nothing sounding is a rest (the model never saw that).
    primer.forEach((t, i) => {
      if (t === HOLD && (i === 0 || primer[i - 1] === REST)) primer[i] = REST;
    });
    /** Per step: the kept token, or −1 where the model samples. */
    const forced = new Int32Array(n).fill(-1);
    (opts.fixed ?? []).slice(0, n).forEach((p, i) => {
      if (p !== null && p !== undefined) forced[i] = toToken(p);
    });
    primer.forEach((t, i) => (forced[i] = t));

    const tokens = new Int32Array(n);
    // The state before every step, for the originality rewinds: one block, no per-step garbage.
    const H = this.runner.config.hidden;
    const saved = new Float32Array((n + 1) * 4 * H);
    const save = (at: number, st: LstmState) => [st.h1, st.c1, st.h2, st.c2].forEach((v, k) => saved.set(v, (at * 4 + k) * H));
    const restore = (at: number, st: LstmState) => [st.h1, st.c1, st.h2, st.c2].forEach((v, k) => v.set(saved.subarray((at * 4 + k) * H, (at * 4 + k + 1) * H)));
    const state = this.runner.initialState();
    save(0, state);
    const logits = new Float32Array(VOCAB);
    const allowed = new Uint8Array(VOCAB);
    const act: number[] = [];
    let rng = createRng(opts.seed >>> 0);
    let resamples = 0;
    /** Steps of the note-ons so far (kept in step with rewinds). */
    const noteSteps: number[] = [];
    let s = 0;
    // Chord and conditioning features stay on for many steps: sum their input rows once per chord.
    const bases = new Map<number, Float32Array>();
    const baseFor = (inp: StepInput) => {
      const key = (inp.root + 1) * 4096 + inp.chroma;
      let base = bases.get(key);
      if (!base) bases.set(key, (base = this.runner.inputBase(activeFeatures(REST, inp).slice(2))));
      return base;
    };
    while (s < n) {
      const prev = s > 0 ? tokens[s - 1]! : REST;
      const inp = inputs[s]!;
      act.length = 0;
      act.push(FEATURE_OFFSETS.prev + prev, FEATURE_OFFSETS.pos + (inp.pos % STEPS_PER_BAR));
      this.runner.step(state, act, logits, baseFor(inp));
      if (forced[s]! >= 0) {
        tokens[s] = forced[s] === HOLD && prev === REST ? REST : forced[s]!;
      } else {
        const tones = scale | inp.chroma;
        const lift = opts.rangeShift?.[s] ?? 0;
        allowed.fill(0);
        for (let p = Math.max(MIN_PITCH, lo + lift); p <= Math.min(MAX_PITCH, hi + lift); p++) if (tones & (1 << (p % 12))) allowed[pitchToToken(p)] = 1;
        tokens[s] = sampleGridToken(logits, REST, HOLD, prev !== REST, allowed, temperature, topP, rng);
      }
      s++;
      save(s, state);

      // Originality: when a note-on completes a 16-note run found in the training index, go back to
      // the middle of that run and resample from there with a fresh random stream.
      if (tokens[s - 1]! >= 2) {
        while (noteSteps.length && noteSteps[noteSteps.length - 1]! >= s - 1) noteSteps.pop();
        noteSteps.push(s - 1);
        if (this.index && s > primer.length && resamples < MAX_RESAMPLES && noteSteps.length >= COPY_LIMIT) {
          const run = noteSteps.slice(-COPY_LIMIT).map((step) => ({ pitch: tokens[step]!, onset: step }));
          if (this.index.firstCopy(run) === 0) {
            resamples++;
            const back = Math.max(primer.length, run[COPY_LIMIT / 2]!.onset);
            while (noteSteps.length && noteSteps[noteSteps.length - 1]! >= back) noteSteps.pop();
            s = back;
            restore(back, state);
            rng = createRng((opts.seed ^ Math.imul(resamples, 0x9e3779b9)) >>> 0);
          }
        }
      }
    }

    this.stats.generations++;
    this.stats.resamples += resamples;
    const steps = Array.from(tokens, (t) => (t === REST ? STEP_REST : t === HOLD ? STEP_HOLD : tokenToPitch(t) - shift));
    return { steps, resamples };
  }
}

export async function loadMelodyModel(dir: string = DEFAULT_MODEL_DIR, indexPath: string = DEFAULT_INDEX_PATH): Promise<LstmMelodyModel> {
  const { json, weights } = readModelFiles(dir);
  return new LstmMelodyModel(json, weights, NgramIndex.load(indexPath));
}

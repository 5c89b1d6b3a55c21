/**
 * The evaluation behind `npm run eval` and the fast CI test: NLL/perplexity of the LSTM vs the
 * Markov baseline on held-out pieces; MusPy-style metrics of generated melodies (LSTM, rule-based,
 * Markov) vs real POP909 test melodies with Yang & Lerch overlapping areas; control accuracy
 * (key by Krumhansl–Schmuckler on a written-and-re-read MIDI, tempo, meter, length); originality
 * (longest run of notes shared with a training piece).
 *
 * Every system melodises the same plans (src/core/plan) built from seeded requests, so they get
 * the same keys, tempi, lengths and chords.
 */
import midiPkg from '@tonejs/midi';
import { StyleCatalog } from '../core/catalog/index.ts';
import { tonicPitchClass } from '../core/keys.ts';
import { compose } from '../core/compose.ts';
import { RuleBasedMelody, type MelodyGenerator } from '../core/generator.ts';
import { planPiece, type Plan } from '../core/plan/plan.ts';
import { releaseFor } from '../core/plan/timing.ts';
import { DRUM_CHANNEL } from '../core/score.ts';
import { scoreToMidi } from '../midi/scoreToMidi.ts';
import type { CompositionRequest } from '../core/request.ts';
import { createRng } from '../core/rng.ts';
import { neuralMelodyGenerator, stepsToNotes } from './generator.ts';
import { MarkovBaseline } from './markov.ts';
import type { LstmMelodyModel } from './melodyModel.ts';
import { METRIC_NAMES, computeMetrics, detectKey, expectedKsKey, gridNotes, overlappingArea, type GridNote, type MetricName, type Metrics } from './metrics.ts';
import { NgramIndex, notesFromTokens, windowHashes, type MelodyNote } from './originality.ts';
import { REST, STEP_HOLD, STEP_REST, activeFeatures, tokenToPitch, type PreparedPiece } from './representation.ts';
import { logSoftmaxAt } from './sampling.ts';
import { stepInput } from './dataset.ts';
import { bootstrapInterval } from './accompMetrics.ts';
import type { AccompPiece } from './accompRepresentation.ts';

const { Midi } = midiPkg;
const STEP_TICKS = 120;
/** Length of the generated pieces and of the real excerpts they are compared with. */
export const MELODY_EVAL_BARS = 20;

export const SYSTEMS = ['lstm', 'rules', 'markov'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** Mean NLL (nats/token) of the LSTM over whole pieces, teacher-forced from a zero state. */
export function lstmNll(model: LstmMelodyModel, pieces: readonly PreparedPiece[]): { nll: number; tokens: number } {
  const runner = model.runner;
  const logits = new Float32Array(model.meta.config.vocab);
  const act: number[] = [];
  let sum = 0;
  let n = 0;
  for (const p of pieces) {
    const state = runner.initialState();
    for (let s = 0; s < p.tokens.length; s++) {
      runner.step(state, activeFeatures(s > 0 ? p.tokens[s - 1]! : REST, stepInput(p, s), act), logits);
      sum -= logSoftmaxAt(logits, p.tokens[s]!);
      n++;
    }
  }
  return { nll: sum / n, tokens: n };
}

/** Seeded 4/4 requests in major or minor keys (what KS can name), spread over styles and moods. */
export function evalRequests(count: number, seed: number, bars = MELODY_EVAL_BARS): CompositionRequest[] {
  const rng = createRng(seed);
  const styles = StyleCatalog.styles.filter((s) => s.meters.includes('4/4'));
  const tonics = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
  const out: CompositionRequest[] = [];
  for (let i = 0; i < count; i++) {
    const style = styles[i % styles.length]!;
    const mood = StyleCatalog.moods[Math.floor(i / styles.length) % StyleCatalog.moods.length]!;
    const bpm = Math.round(rng.float(style.tempo.min, style.tempo.max));
    // `bars` bars of music, then the composer's final tonic bar and release tail.
    const music = ((bars + 1) * 4 * 60) / bpm;
    out.push({
      style: style.id,
      mood: mood.id,
      durationSec: Math.round((music + releaseFor(music)) * 1000) / 1000,
      tempo: bpm,
      key: { tonic: rng.pick(tonics), mode: rng.chance(0.5) ? 'major' : 'minor' },
      meter: '4/4',
      instruments: [],
      energy: null,
      seed: rng.int(0, 2 ** 31),
      loop: false,
      prompt: '',
    });
  }
  return out;
}

export interface GeneratedPiece {
  system: SystemName;
  steps: number[];
  plan: Plan;
  request: CompositionRequest;
  resamples: number;
}

function notesToSteps(notes: readonly { tick: number; durationTicks: number; pitch: number }[], length: number): number[] {
  const steps: number[] = new Array(length).fill(STEP_REST);
  const sorted = [...notes].sort((a, b) => a.tick - b.tick || b.pitch - a.pitch);
  for (const n of sorted) {
    const a = Math.round(n.tick / STEP_TICKS);
    if (a >= length || steps[a]! >= 0) continue;
    const e = Math.min(length, Math.max(a + 1, Math.round((n.tick + n.durationTicks) / STEP_TICKS)));
    steps[a] = n.pitch;
    for (let s = a + 1; s < e; s++) if (steps[s] === STEP_REST) steps[s] = STEP_HOLD;
  }
  return steps;
}

/** The Markov baseline behind the composer's MelodyGenerator seam (same range rule as the LSTM). */
export function markovGenerator(markov: MarkovBaseline): MelodyGenerator {
  return {
    name: markov.version,
    melody: (plan, rng) => {
      const centre = plan.style.leadCentre + plan.mood.registerShift;
      const seed = Math.floor(rng.next() * 2 ** 32);
      const { steps } = markov.generate({ length: Math.round(plan.finalTick / STEP_TICKS), keyTonicPc: tonicPitchClass(plan.key), seed, lowestPitch: centre - 14, highestPitch: centre + 14 });
      return stepsToNotes(steps, () => 80);
    },
  };
}

export function generatorFor(system: SystemName, deps: { model: LstmMelodyModel; markov: MarkovBaseline }): MelodyGenerator {
  return system === 'lstm' ? neuralMelodyGenerator(deps.model) : system === 'rules' ? RuleBasedMelody : markovGenerator(deps.markov);
}

/** Each request's plan and the system's melody for it, exactly as compose() would draw them. */
export async function generateAll(
  system: SystemName,
  requests: readonly CompositionRequest[],
  deps: { model: LstmMelodyModel; markov: MarkovBaseline },
  times?: number[],
): Promise<GeneratedPiece[]> {
  const gen = generatorFor(system, deps);
  const out: GeneratedPiece[] = [];
  for (const req of requests) {
    const rng = createRng(req.seed);
    const plan = planPiece(req, rng.fork('plan'));
    const length = Math.round(plan.finalTick / STEP_TICKS);
    const before = deps.model?.stats.resamples ?? 0;
    const t0 = performance.now();
    const notes = await gen.melody(plan, rng.fork('melody'));
    times?.push(performance.now() - t0);
    out.push({ system, steps: notesToSteps(notes, length), plan, request: req, resamples: (deps.model?.stats.resamples ?? 0) - before });
  }
  return out;
}

/**
 * The same-shape melody reference: per held-out POP909 key segment (data/accomp pieces, which keep
 * the melody's rests and gaps), `bars` bars from the bar of its first melody note, as step grids
 * (common key, pitches as played). Generated pieces are `bars` bars that start with the lead.
 */
export function realMelodyExcerpts(pieces: readonly Pick<AccompPiece, 'melOn' | 'melPitch' | 'pos'>[], bars = MELODY_EVAL_BARS): number[][] {
  const len = bars * 16;
  const out: number[][] = [];
  for (const p of pieces) {
    const first = p.melOn.indexOf(1);
    if (first < 0) continue;
    let start = first;
    while (start > 0 && p.pos[start] !== 0) start--;
    if (start + len > p.melOn.length) continue;
    const grid: number[] = [];
    for (let s = start; s < start + len; s++) {
      const pitch = p.melPitch[s]!;
      if (pitch < 0) grid.push(STEP_REST);
      else if (p.melOn[s] || s === start) grid.push(pitch);
      else grid.push(STEP_HOLD);
    }
    out.push(grid);
  }
  return out;
}

/** Real melodies: 16-bar excerpts of held-out phrase groups (melody-only data), as step grids (common key). */
export function realExcerpts(pieces: readonly PreparedPiece[], count: number, bars = 16): number[][] {
  const len = bars * 16;
  const out: number[][] = [];
  for (let round = 0; out.length < count && round < 8; round++)
    for (const p of pieces) {
      const start = round * len;
      if (start + len > p.tokens.length || out.length >= count) continue;
      const toks = p.tokens.slice(start, start + len);
      if (!toks.some((t) => t >= 2)) continue;
      out.push(toks.map((t, i) => (t === REST ? STEP_REST : t === 1 ? (i === 0 ? STEP_REST : STEP_HOLD) : tokenToPitch(t))));
    }
  return out;
}

export interface ControlResult {
  /** Krumhansl–Schmuckler on every pitched note of the composed MIDI = the requested key. */
  key: boolean;
  /** The same on the lead track alone (stricter: no chords or bass to lean on). */
  keyMelodyOnly: boolean;
  tempo: boolean;
  meter: boolean;
  /** The MIDI lasts the requested duration (its last note-off within the release tail). */
  length: boolean;
}

type ToneMidi = InstanceType<typeof Midi>;

function keyOf(tracks: ToneMidi['tracks']) {
  return detectKey(tracks.flatMap((t) => t.notes.map((n) => ({ pitch: n.midi, duration: n.durationTicks }))));
}

/** Compose the full piece with this system's melody, write the MIDI, read it back, check it against the request. */
export async function controlCheck(req: CompositionRequest, gen: MelodyGenerator): Promise<ControlResult> {
  const { score, plan } = await compose(req, gen);
  const back = new Midi(scoreToMidi(score).bytes);
  const pitched = back.tracks.filter((t) => t.channel !== DRUM_CHANNEL && t.notes.length > 0);
  const lead = back.tracks.find((t) => t.name === 'Lead');
  const want = expectedKsKey(plan.key);
  const all = keyOf(pitched);
  const mel = keyOf(lead ? [lead] : []);
  const bpm = back.header.tempos[0]?.bpm ?? 0;
  const ts = back.header.timeSignatures[0]?.timeSignature ?? [4, 4];
  const release = releaseFor(req.durationSec);
  return {
    key: all.tonicPc === want.tonicPc && all.mode === want.mode,
    keyMelodyOnly: mel.tonicPc === want.tonicPc && mel.mode === want.mode,
    tempo: req.tempo === null || Math.abs(bpm - req.tempo) < 0.01,
    meter: `${ts[0]}/${ts[1]}` === (req.meter ?? '4/4'),
    length: back.duration <= req.durationSec + 0.01 && back.duration >= req.durationSec - release - 0.01,
  };
}

/** Longest-shared-run finder against a set of training melodies (interval + IOI runs). */
export class SharedRunIndex {
  private readonly byN = new Map<number, NgramIndex>();
  constructor(private readonly training: readonly MelodyNote[][]) {}
  private index(n: number): NgramIndex {
    let ix = this.byN.get(n);
    if (!ix) {
      const hashes: number[] = [];
      for (const notes of this.training) hashes.push(...windowHashes(notes, n));
      ix = NgramIndex.fromHashes(n, hashes);
      this.byN.set(n, ix);
    }
    return ix;
  }
  /** Largest n such that some n-note window of `notes` occurs in a training melody (1 if none). */
  longestRun(notes: readonly MelodyNote[], cap = 64): number {
    let best = 1;
    for (let n = 2; n <= Math.min(cap, notes.length); n++) {
      if (this.index(n).firstCopy(notes) < 0) break;
      best = n;
    }
    return best;
  }
}

export function stepsToMelodyNotes(steps: readonly number[]): MelodyNote[] {
  return gridNotes(steps).map((n) => ({ pitch: n.pitch, onset: n.onset }));
}

export function summarize(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd };
}

export interface EvalReport {
  pieces: number;
  nll: { lstm: number; markov: number; tokens: number; perplexityLstm: number; perplexityMarkov: number; split: string };
  metrics: Record<'real' | SystemName, Record<MetricName, { mean: number; sd: number }>>;
  overlap: Record<SystemName, Record<MetricName, number> & { mean: number; meanInformative: number }>;
  /** What the real melodies are. */
  reference: string;
  /** Bootstrap 95 % intervals of differences in mean OA (6 informative metrics). */
  intervals: { lstmMinusRules: { lo: number; hi: number; point: number }; lstmMinusMarkov: { lo: number; hi: number; point: number } };
  control: Record<SystemName, Record<keyof ControlResult, number>>;
  originality: Record<'real' | SystemName, { median: number; p90: number; max: number; atLeast16: number; histogram: Record<string, number> }>;
  resamples: { total: number; pieces: number };
  generationMs: { mean: number; p95: number; steps: number };
}

export async function evaluate(opts: {
  model: LstmMelodyModel;
  train: readonly PreparedPiece[];
  heldOut: readonly PreparedPiece[];
  heldOutName: string;
  pieces: number;
  seed: number;
  nllPieces?: number;
  /** Real melodies to compare with (step grids); default realExcerpts(heldOut) (phrase groups, 16 bars). */
  reference?: { grids: number[][]; name: string };
  bootstrapRounds?: number;
  log?: (m: string) => void;
}): Promise<EvalReport> {
  const log = opts.log ?? (() => {});
  const markov = MarkovBaseline.fit(opts.train);
  const nllSet = opts.heldOut.slice(0, opts.nllPieces ?? opts.heldOut.length);
  const l = lstmNll(opts.model, nllSet);
  const mk = markov.nll(nllSet);
  log(`NLL lstm ${l.nll.toFixed(4)} markov ${mk.nll.toFixed(4)} over ${l.tokens} tokens`);

  const requests = evalRequests(opts.pieces, opts.seed);
  const generated: Record<SystemName, GeneratedPiece[]> = { lstm: [], rules: [], markov: [] };
  const times: number[] = [];
  const deps = { model: opts.model, markov };
  for (const system of SYSTEMS) {
    generated[system] = await generateAll(system, requests, deps, system === 'lstm' ? times : undefined);
    log(`generated ${generated[system].length} pieces with ${system}`);
  }

  const real = opts.reference?.grids ?? realExcerpts(opts.heldOut, opts.pieces);
  const referenceName = opts.reference?.name ?? `${real.length} 16-bar excerpts of held-out phrase groups`;
  const metricsOf = (grids: readonly number[][]) => grids.map((g) => computeMetrics(gridNotes(g), g.length));
  const perSystem: Record<'real' | SystemName, Metrics[]> = {
    real: metricsOf(real),
    lstm: metricsOf(generated.lstm.map((p) => p.steps)),
    rules: metricsOf(generated.rules.map((p) => p.steps)),
    markov: metricsOf(generated.markov.map((p) => p.steps)),
  };
  const metrics = {} as EvalReport['metrics'];
  for (const k of Object.keys(perSystem) as ('real' | SystemName)[]) {
    metrics[k] = {} as Record<MetricName, { mean: number; sd: number }>;
    for (const m of METRIC_NAMES) metrics[k][m] = summarize(perSystem[k].map((x) => x[m]));
  }
  const overlap = {} as EvalReport['overlap'];
  for (const s of SYSTEMS) {
    const row = {} as Record<MetricName, number>;
    for (const m of METRIC_NAMES) row[m] = overlappingArea(perSystem[s].map((x) => x[m]), perSystem.real.map((x) => x[m]));
    const vals = METRIC_NAMES.map((m) => row[m]);
    // Polyphony is 1 for every monophonic melody, so its overlap says nothing; reported, not averaged.
    const informative = METRIC_NAMES.filter((m) => m !== 'polyphony').map((m) => row[m]);
    overlap[s] = { ...row, mean: vals.reduce((a, b) => a + b, 0) / vals.length, meanInformative: informative.reduce((a, b) => a + b, 0) / informative.length };
  }

  // Bootstrap 95 % intervals of the mean-OA lead (6 informative metrics): pieces and references resampled.
  const informative = METRIC_NAMES.filter((m) => m !== 'polyphony');
  const meanOa = (gen: readonly Metrics[], ref: readonly Metrics[]) => informative.reduce((a, m) => a + overlappingArea(gen.map((x) => x[m]), ref.map((x) => x[m])), 0) / informative.length;
  const rounds = opts.bootstrapRounds ?? 200;
  const intervals = {
    lstmMinusRules: bootstrapInterval([perSystem.lstm, perSystem.rules, perSystem.real], ([a, b, r]) => meanOa(a!, r!) - meanOa(b!, r!), rounds, opts.seed),
    lstmMinusMarkov: bootstrapInterval([perSystem.lstm, perSystem.markov, perSystem.real], ([a, b, r]) => meanOa(a!, r!) - meanOa(b!, r!), rounds, opts.seed + 1),
  };
  log(`bootstrap done (${rounds} rounds)`);

  const control = {} as EvalReport['control'];
  for (const s of SYSTEMS) {
    const gen = generatorFor(s, deps);
    const results: ControlResult[] = [];
    for (const req of requests) results.push(await controlCheck(req, gen));
    const frac = (k: keyof ControlResult) => results.filter((r) => r[k]).length / Math.max(1, results.length);
    control[s] = { key: frac('key'), keyMelodyOnly: frac('keyMelodyOnly'), tempo: frac('tempo'), meter: frac('meter'), length: frac('length') };
  }

  const shared = new SharedRunIndex(opts.train.map((p) => notesFromTokens(p.tokens)));
  const runsOf = (grids: readonly number[][]) => grids.map((g) => shared.longestRun(stepsToMelodyNotes(g)));
  const originality = {} as EvalReport['originality'];
  const grids: Record<'real' | SystemName, number[][]> = { real, lstm: generated.lstm.map((p) => p.steps), rules: generated.rules.map((p) => p.steps), markov: generated.markov.map((p) => p.steps) };
  for (const k of Object.keys(grids) as ('real' | SystemName)[]) {
    const runs = runsOf(grids[k]).sort((a, b) => a - b);
    const histogram: Record<string, number> = {};
    for (const r of runs) {
      const bucket = r < 4 ? '≤3' : r < 8 ? '4–7' : r < 12 ? '8–11' : r < 16 ? '12–15' : '≥16';
      histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    }
    originality[k] = {
      median: runs[Math.floor(runs.length / 2)] ?? 0,
      p90: runs[Math.floor(runs.length * 0.9)] ?? 0,
      max: runs[runs.length - 1] ?? 0,
      atLeast16: runs.filter((r) => r >= 16).length,
      histogram,
    };
  }
  log('originality done');
  const sortedTimes = [...times].sort((a, b) => a - b);
  return {
    pieces: opts.pieces,
    nll: { lstm: l.nll, markov: mk.nll, tokens: l.tokens, perplexityLstm: Math.exp(l.nll), perplexityMarkov: Math.exp(mk.nll), split: opts.heldOutName },
    metrics,
    overlap,
    reference: referenceName,
    intervals,
    control,
    originality,
    resamples: { total: generated.lstm.reduce((a, p) => a + p.resamples, 0), pieces: generated.lstm.filter((p) => p.resamples > 0).length },
    generationMs: {
      mean: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
      p95: sortedTimes[Math.floor(sortedTimes.length * 0.95)] ?? 0,
      steps: generated.lstm.reduce((a, p) => a + p.steps.length, 0) / Math.max(1, generated.lstm.length),
    },
  };
}

export function reportMarkdown(r: EvalReport): string {
  const f = (x: number, d = 3) => x.toFixed(d);
  const lines: string[] = [];
  lines.push(`Held-out NLL (${r.nll.split}, ${r.nll.tokens} tokens, nats/token): LSTM ${f(r.nll.lstm)} (perplexity ${f(r.nll.perplexityLstm, 2)}) vs first-order Markov ${f(r.nll.markov)} (perplexity ${f(r.nll.perplexityMarkov, 2)}).`, '');
  lines.push(`| metric | real | LSTM | rules | Markov | OA LSTM | OA rules | OA Markov |`, '|---|---|---|---|---|---|---|---|');
  for (const m of METRIC_NAMES) {
    const c = (k: 'real' | SystemName) => `${f(r.metrics[k][m].mean, 2)} ± ${f(r.metrics[k][m].sd, 2)}`;
    lines.push(`| ${m} | ${c('real')} | ${c('lstm')} | ${c('rules')} | ${c('markov')} | ${f(r.overlap.lstm[m])} | ${f(r.overlap.rules[m])} | ${f(r.overlap.markov[m])} |`);
  }
  lines.push(`| **mean OA (6 metrics, polyphony excluded)** | | | | | **${f(r.overlap.lstm.meanInformative)}** | **${f(r.overlap.rules.meanInformative)}** | **${f(r.overlap.markov.meanInformative)}** |`);
  lines.push(`| mean OA (all 7) | | | | | ${f(r.overlap.lstm.mean)} | ${f(r.overlap.rules.mean)} | ${f(r.overlap.markov.mean)} |`, '');
  const iv = (x: { lo: number; hi: number; point: number }) => `${x.point >= 0 ? '+' : ''}${f(x.point)} [${f(x.lo)}, ${f(x.hi)}]`;
  lines.push(`Reference ("real"): ${r.reference}. Mean OA difference (6 metrics), bootstrap 95 % interval: LSTM − rules ${iv(r.intervals.lstmMinusRules)}; LSTM − Markov ${iv(r.intervals.lstmMinusMarkov)}.`, '');
  lines.push('| control (fraction of composed pieces; key by Krumhansl–Schmuckler on the MIDI) | LSTM | rules | Markov |', '|---|---|---|---|');
  for (const k of ['key', 'keyMelodyOnly', 'tempo', 'meter', 'length'] as const)
    lines.push(`| ${k} | ${f(r.control.lstm[k])} | ${f(r.control.rules[k])} | ${f(r.control.markov[k])} |`);
  lines.push('', '| originality: longest run shared with a training melody (notes) | real test | LSTM | rules | Markov |', '|---|---|---|---|---|');
  for (const k of ['median', 'p90', 'max', 'atLeast16'] as const)
    lines.push(`| ${k} | ${r.originality.real[k]} | ${r.originality.lstm[k]} | ${r.originality.rules[k]} | ${r.originality.markov[k]} |`);
  lines.push('', `LSTM generation: ${f(r.generationMs.mean, 1)} ms mean, ${f(r.generationMs.p95, 1)} ms p95 for ${f(r.generationMs.steps, 0)} steps; originality resamples: ${r.resamples.total} in ${r.resamples.pieces} pieces.`);
  return lines.join('\n');
}

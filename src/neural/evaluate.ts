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
import { writeMelody } from '../core/parts/melody.ts';
import { planPiece, type Plan } from '../core/plan/plan.ts';
import type { CompositionRequest } from '../core/request.ts';
import { createRng } from '../core/rng.ts';
import { planGenerateOptions } from './generator.ts';
import { MarkovBaseline } from './markov.ts';
import type { LstmMelodyModel } from './melodyModel.ts';
import { METRIC_NAMES, computeMetrics, detectKey, gridNotes, overlappingArea, type GridNote, type MetricName, type Metrics } from './metrics.ts';
import { NgramIndex, notesFromTokens, windowHashes, type MelodyNote } from './originality.ts';
import { REST, STEP_HOLD, STEP_REST, activeFeatures, modeFamily, tokenToPitch, type PreparedPiece } from './representation.ts';
import { logSoftmaxAt } from './sampling.ts';
import { stepInput } from './dataset.ts';

const { Midi } = midiPkg;
const STEP_TICKS = 120;

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
export function evalRequests(count: number, seed: number): CompositionRequest[] {
  const rng = createRng(seed);
  const styles = StyleCatalog.styles.filter((s) => s.meters.includes('4/4'));
  const tonics = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
  const out: CompositionRequest[] = [];
  for (let i = 0; i < count; i++) {
    const style = styles[i % styles.length]!;
    const mood = StyleCatalog.moods[Math.floor(i / styles.length) % StyleCatalog.moods.length]!;
    const bpm = Math.round(rng.float(style.tempo.min, style.tempo.max));
    const bars = 16;
    out.push({
      style: style.id,
      mood: mood.id,
      durationSec: (bars * 4 * 60) / bpm,
      tempo: bpm,
      key: { tonic: rng.pick(tonics), mode: rng.chance(0.5) ? 'major' : 'minor' },
      meter: '4/4',
      instruments: [],
      energy: null,
      seed: rng.int(0, 2 ** 31),
      loop: true,
      prompt: '',
    });
  }
  return out;
}

export interface GeneratedPiece {
  system: SystemName;
  steps: number[];
  plan: Plan;
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

export function generateAll(
  system: SystemName,
  requests: readonly CompositionRequest[],
  deps: { model: LstmMelodyModel; markov: MarkovBaseline },
): GeneratedPiece[] {
  return requests.map((req) => {
    const rng = createRng(req.seed);
    const plan = planPiece(req, rng.fork('plan'));
    const length = Math.round(plan.finalTick / STEP_TICKS);
    const seed = Math.floor(rng.fork('melody').next() * 2 ** 32);
    if (system === 'lstm') {
      const r = deps.model.generateSync(planGenerateOptions(deps.model, plan, seed));
      return { system, steps: r.steps, plan, resamples: r.resamples };
    }
    if (system === 'rules') return { system, steps: notesToSteps(writeMelody(plan, rng.fork('melody')), length), plan, resamples: 0 };
    const centre = plan.style.leadCentre + plan.mood.registerShift;
    const r = deps.markov.generate({ length, keyTonicPc: tonicPitchClass(plan.key), seed, lowestPitch: centre - 14, highestPitch: centre + 14 });
    return { system, steps: r.steps, plan, resamples: 0 };
  });
}

/** Real melodies: 16-bar excerpts of held-out pieces, as step grids (common key). */
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
  keyWithChords: boolean;
  keyMelodyOnly: boolean;
  tempo: boolean;
  meter: boolean;
  length: boolean;
}

/** Write the piece (melody + the plan's block chords) as MIDI, read it back, and check it against the request. */
export function controlCheck(piece: GeneratedPiece): ControlResult {
  const { plan } = piece;
  const midi = new Midi();
  midi.header.setTempo(plan.bpm);
  midi.header.timeSignatures.push({ ticks: 0, timeSignature: [plan.meter.numerator, plan.meter.denominator] });
  const ppq = midi.header.ppq;
  const scale = ppq / 480;
  const lead = midi.addTrack();
  for (const n of gridNotes(piece.steps)) lead.addNote({ midi: n.pitch, ticks: n.onset * STEP_TICKS * scale, durationTicks: n.duration * STEP_TICKS * scale, velocity: 0.8 });
  const chords = midi.addTrack();
  for (const c of plan.chords)
    for (const pc of c.pcs) chords.addNote({ midi: 48 + pc, ticks: c.startTick * scale, durationTicks: (c.endTick - c.startTick) * scale, velocity: 0.6 });
  const back = new Midi(midi.toArray());
  const toNotes = (t: (typeof back.tracks)[number]) => t.notes.map((n) => ({ pitch: n.midi, duration: n.durationTicks }));
  const want = { tonicPc: tonicPitchClass(plan.key), mode: modeFamily(plan.key.mode) === 1 ? 'minor' : 'major' };
  const all = detectKey([...toNotes(back.tracks[0]!), ...toNotes(back.tracks[1]!)]);
  const mel = detectKey(toNotes(back.tracks[0]!));
  const bpm = back.header.tempos[0]?.bpm ?? 0;
  const ts = back.header.timeSignatures[0]?.timeSignature ?? [4, 4];
  const leadEnd = Math.max(0, ...back.tracks[0]!.notes.map((n) => n.ticks + n.durationTicks)) / scale;
  return {
    keyWithChords: all.tonicPc === want.tonicPc && all.mode === want.mode,
    keyMelodyOnly: mel.tonicPc === want.tonicPc && mel.mode === want.mode,
    tempo: Math.abs(bpm - plan.bpm) < 0.01,
    meter: ts[0] === plan.meter.numerator && ts[1] === plan.meter.denominator,
    length: piece.steps.length * STEP_TICKS === plan.finalTick && leadEnd <= plan.finalTick,
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
  control: Record<SystemName, Record<keyof ControlResult, number>>;
  originality: Record<'real' | SystemName, { median: number; p90: number; max: number; atLeast16: number; histogram: Record<string, number> }>;
  resamples: { total: number; pieces: number };
  generationMs: { mean: number; p95: number; steps: number };
}

export function evaluate(opts: {
  model: LstmMelodyModel;
  train: readonly PreparedPiece[];
  heldOut: readonly PreparedPiece[];
  heldOutName: string;
  pieces: number;
  seed: number;
  nllPieces?: number;
  log?: (m: string) => void;
}): EvalReport {
  const log = opts.log ?? (() => {});
  const markov = MarkovBaseline.fit(opts.train);
  const nllSet = opts.heldOut.slice(0, opts.nllPieces ?? opts.heldOut.length);
  const l = lstmNll(opts.model, nllSet);
  const mk = markov.nll(nllSet);
  log(`NLL lstm ${l.nll.toFixed(4)} markov ${mk.nll.toFixed(4)} over ${l.tokens} tokens`);

  const requests = evalRequests(opts.pieces, opts.seed);
  const generated: Record<SystemName, GeneratedPiece[]> = { lstm: [], rules: [], markov: [] };
  const times: number[] = [];
  for (const system of SYSTEMS) {
    if (system === 'lstm') {
      for (const req of requests) {
        const t0 = performance.now();
        generated.lstm.push(...generateAll('lstm', [req], { model: opts.model, markov }));
        times.push(performance.now() - t0);
      }
    } else generated[system] = generateAll(system, requests, { model: opts.model, markov });
    log(`generated ${generated[system].length} pieces with ${system}`);
  }

  const real = realExcerpts(opts.heldOut, opts.pieces);
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

  const control = {} as EvalReport['control'];
  for (const s of SYSTEMS) {
    const results = generated[s].map(controlCheck);
    const frac = (k: keyof ControlResult) => results.filter((r) => r[k]).length / Math.max(1, results.length);
    control[s] = { keyWithChords: frac('keyWithChords'), keyMelodyOnly: frac('keyMelodyOnly'), tempo: frac('tempo'), meter: frac('meter'), length: frac('length') };
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
  lines.push(`| metric | real (test) | LSTM | rules | Markov | OA LSTM | OA rules | OA Markov |`, '|---|---|---|---|---|---|---|---|');
  for (const m of METRIC_NAMES) {
    const c = (k: 'real' | SystemName) => `${f(r.metrics[k][m].mean, 2)} ± ${f(r.metrics[k][m].sd, 2)}`;
    lines.push(`| ${m} | ${c('real')} | ${c('lstm')} | ${c('rules')} | ${c('markov')} | ${f(r.overlap.lstm[m])} | ${f(r.overlap.rules[m])} | ${f(r.overlap.markov[m])} |`);
  }
  lines.push(`| **mean OA (6 metrics, polyphony excluded)** | | | | | **${f(r.overlap.lstm.meanInformative)}** | **${f(r.overlap.rules.meanInformative)}** | **${f(r.overlap.markov.meanInformative)}** |`);
  lines.push(`| mean OA (all 7) | | | | | ${f(r.overlap.lstm.mean)} | ${f(r.overlap.rules.mean)} | ${f(r.overlap.markov.mean)} |`, '');
  lines.push('| control (fraction of pieces) | LSTM | rules | Markov |', '|---|---|---|---|');
  for (const k of ['keyWithChords', 'keyMelodyOnly', 'tempo', 'meter', 'length'] as const)
    lines.push(`| ${k} | ${f(r.control.lstm[k])} | ${f(r.control.rules[k])} | ${f(r.control.markov[k])} |`);
  lines.push('', '| originality: longest run shared with a training melody (notes) | real test | LSTM | rules | Markov |', '|---|---|---|---|---|');
  for (const k of ['median', 'p90', 'max', 'atLeast16'] as const)
    lines.push(`| ${k} | ${r.originality.real[k]} | ${r.originality.lstm[k]} | ${r.originality.rules[k]} | ${r.originality.markov[k]} |`);
  lines.push('', `LSTM generation: ${f(r.generationMs.mean, 1)} ms mean, ${f(r.generationMs.p95, 1)} ms p95 for ${f(r.generationMs.steps, 0)} steps; originality resamples: ${r.resamples.total} in ${r.resamples.pieces} pieces.`);
  return lines.join('\n');
}

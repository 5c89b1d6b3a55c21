/**
 * Evaluation of the accompaniment model (behind `npm run eval` and the fast CI test): the model,
 * the rule-based arranger (writeHarmony + writeBass) and a first-order Markov baseline each write
 * the chords and bass of the same plans, under the same neural lead; their accompaniment metrics
 * (accompMetrics.ts) are compared with real POP909 accompaniment by overlapping area.
 *
 * Reference: POP909 held-out songs' PIANO + BRIDGE tracks, one 20-bar excerpt per key segment,
 * starting at the bar of the segment's first melody note — the same length and shape (20 bars of
 * 4/4 from where the melody starts) as the generated pieces, whose 20 bars of music start with the
 * lead. Generated accompaniments are measured on what the composer writes for those bars.
 * Key accuracy is Krumhansl–Schmuckler on the whole composed MIDI (all pitched tracks), per system.
 */
import { StyleCatalog } from '../core/catalog/index.ts';
import { ACCOMPANIMENT_IDIOM_STYLES } from '../core/catalog/accompaniment.ts';
import type { MelodyGenerator } from '../core/generator.ts';
import { writeHarmony } from '../core/parts/accompaniment.ts';
import { writeBass } from '../core/parts/bass.ts';
import { writeLead } from '../core/parts/lead.ts';
import { STEP } from '../core/parts/context.ts';
import { planPiece, type Plan } from '../core/plan/plan.ts';
import { releaseFor } from '../core/plan/timing.ts';
import type { CompositionRequest } from '../core/request.ts';
import { createRng, type Rng } from '../core/rng.ts';
import type { ScoreNote } from '../core/score.ts';
import { ACCOMP_KEY_ATTEMPTS, ACCOMP_TONIC_BIAS, accompKeyMargin, learnedAccompaniment, planAccompOptions, rollToParts, type AccompanimentParts } from './accompGenerator.ts';
import { ACCOMP_METRIC_NAMES, accompMetrics, bootstrapInterval, meanOverlap, type AccompMetricName, type AccompMetrics, type AccompNote } from './accompMetrics.ts';
import { AccompMarkov } from './accompMarkov.ts';
import type { AccompModel } from './accompModel.ts';
import { MIN_SLOT_PITCH, NUM_SLOTS, accompFeatures, type AccompPiece } from './accompRepresentation.ts';
import { controlCheck, summarize } from './evaluate.ts';
import { neuralMelodyGenerator } from './generator.ts';
import type { LstmMelodyModel } from './melodyModel.ts';
import { overlappingArea } from './metrics.ts';

export const ACCOMP_SYSTEMS = ['model', 'rules', 'markov'] as const;
export type AccompSystem = (typeof ACCOMP_SYSTEMS)[number];
export const EVAL_BARS = 20;

/** Seeded 4/4 requests of the styles the model serves, 20 bars of music, major or minor keys. */
export function accompEvalRequests(count: number, seed: number, bars = EVAL_BARS): CompositionRequest[] {
  const rng = createRng(seed);
  const styles = ACCOMPANIMENT_IDIOM_STYLES.map((id) => StyleCatalog.style(id));
  const tonics = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
  const out: CompositionRequest[] = [];
  for (let i = 0; i < count; i++) {
    const style = styles[i % styles.length]!;
    const mood = StyleCatalog.moods[Math.floor(i / styles.length) % StyleCatalog.moods.length]!;
    const bpm = Math.round(rng.float(style.tempo.min, style.tempo.max));
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

/** The accompaniment writer of each system, behind the composer's seam. */
export function accompanimentFor(system: AccompSystem, deps: { model: AccompModel; markov: AccompMarkov; temperature?: number }): (plan: Plan, rng: Rng, lead: readonly ScoreNote[], keyRetry?: number) => AccompanimentParts {
  switch (system) {
    case 'model':
      return (plan, rng, lead, keyRetry = 0) => learnedAccompaniment(deps.model, plan, lead, rng, { temperature: deps.temperature, tonicBias: ACCOMP_TONIC_BIAS * keyRetry });
    case 'markov':
      // The model's key guard too (as many samples, the first in key kept), so the two differ only
      // in what writes the notes.
      return (plan, rng, lead) => {
        const seed = Math.floor(rng.next() * 2 ** 32);
        let best: { parts: AccompanimentParts; margin: number } | null = null;
        for (let k = 0; k < ACCOMP_KEY_ATTEMPTS; k++) {
          const parts = rollToParts(plan, deps.markov.generate(planAccompOptions(plan, lead, (seed + k) >>> 0)), k === 0 ? rng : rng.fork(`velocity${k}`));
          const margin = accompKeyMargin(plan, [...lead, ...parts.harmony, ...parts.bass]);
          if (!best || margin > best.margin) best = { parts, margin };
          if (margin > 0) break;
        }
        return best!.parts;
      };
    case 'rules':
      // What compose() does without a learned accompaniment (its forks are by label, so the same).
      return (plan, _rng, lead) => {
        const root = createRng(plan.request.seed);
        // compose()'s ceiling: 3 semitones under the lead's median pitch.
        const pitches = lead.filter((n) => n.tick < plan.finalTick).map((n) => n.pitch).sort((a, b) => a - b);
        const ceiling = (pitches.length ? pitches[Math.floor((pitches.length - 1) / 2)]! : plan.style.leadCentre) - 3;
        return { harmony: writeHarmony(plan, root.fork('harmony'), ceiling), bass: writeBass(plan, root.fork('bass')) };
      };
  }
}

/** The composer's generator with this system's chords and bass under the neural lead. */
export function generatorWithAccompaniment(melody: MelodyGenerator, system: AccompSystem, deps: { model: AccompModel; markov: AccompMarkov }): MelodyGenerator {
  if (system === 'rules') return melody;
  const write = accompanimentFor(system, deps);
  return { ...melody, name: `${melody.name}+${system}`, accompaniment: (plan, rng, lead, keyRetry) => write(plan, rng, lead, keyRetry) };
}

function toGrid(notes: readonly ScoreNote[], lengthSteps: number): AccompNote[] {
  return notes
    .map((n) => ({ pitch: n.pitch, onset: Math.round(n.tick / STEP), duration: Math.max(1, Math.round(n.durationTicks / STEP)) }))
    .filter((n) => n.onset >= 0 && n.onset < lengthSteps)
    .map((n) => ({ ...n, duration: Math.min(n.duration, lengthSteps - n.onset) }));
}

function planChordAt(plan: Plan): (step: number) => { mask: number; span: number } {
  return (step) => {
    const tick = step * STEP;
    const i = plan.chords.findIndex((c) => c.startTick <= tick && tick < c.endTick);
    if (i < 0) return { mask: 0, span: -1 };
    return { mask: plan.chords[i]!.pcs.reduce((m, pc) => m | (1 << (((pc % 12) + 12) % 12)), 0), span: i };
  };
}

/** Real accompaniment excerpts: `bars` bars from the bar of each held-out piece's first melody note. */
export function realAccompExcerpts(pieces: readonly AccompPiece[], bars = EVAL_BARS): AccompMetrics[] {
  const len = bars * 16;
  const out: AccompMetrics[] = [];
  for (const p of pieces) {
    const first = p.melOn.indexOf(1);
    if (first < 0) continue;
    let start = first;
    while (start > 0 && p.pos[start] !== 0) start--;
    if (start + len > p.on.length) continue;
    const notes: AccompNote[] = [];
    for (let s = start; s < start + len; s++)
      for (const k of p.on[s]!) {
        let e = s + 1;
        while (e < start + len && p.sus[e]!.includes(k)) e++;
        notes.push({ pitch: MIN_SLOT_PITCH + k, onset: s - start, duration: e - s });
      }
    // Chord spans: a new span wherever the annotated chord changes.
    const span = new Int32Array(len);
    let id = 0;
    for (let t = 1; t < len; t++) {
      if (p.root[start + t] !== p.root[start + t - 1] || p.chroma[start + t] !== p.chroma[start + t - 1]) id++;
      span[t] = id;
    }
    out.push(accompMetrics(notes, len, (t) => ({ mask: p.root[start + t]! < 0 ? 0 : p.chroma[start + t]!, span: span[t]! })));
  }
  return out;
}

export interface AccompEvalReport {
  pieces: number;
  realPieces: number;
  bars: number;
  styles: readonly string[];
  metrics: Record<'real' | AccompSystem, Record<AccompMetricName, { mean: number; sd: number }>>;
  overlap: Record<AccompSystem, Record<AccompMetricName, number> & { mean: number }>;
  /** Bootstrap 95 % intervals of mean-OA differences (pieces and references resampled). */
  intervals: { modelMinusRules: { lo: number; hi: number; point: number }; modelMinusMarkov: { lo: number; hi: number; point: number } };
  keyAccuracy: Record<AccompSystem, number>;
  /** Control pieces whose first arrangement was not in key, so compose's key guard tried again. */
  keyRetries: Record<AccompSystem, number>;
  /** The POP909 split the real excerpts come from. */
  referenceSplit: string;
  generationMs: { mean: number; p95: number; steps: number };
}

export async function evaluateAccomp(opts: {
  model: AccompModel;
  melody: LstmMelodyModel;
  train: readonly AccompPiece[];
  heldOut: readonly AccompPiece[];
  pieces: number;
  seed: number;
  bootstrapRounds?: number;
  controlPieces?: number;
  temperature?: number;
  referenceSplit?: string;
  log?: (m: string) => void;
}): Promise<AccompEvalReport> {
  const log = opts.log ?? (() => {});
  const markov = AccompMarkov.fit(opts.train);
  const deps = { model: opts.model, markov, temperature: opts.temperature };
  const melodyGen = neuralMelodyGenerator(opts.melody);
  const requests = accompEvalRequests(opts.pieces, opts.seed);
  const per: Record<AccompSystem, AccompMetrics[]> = { model: [], rules: [], markov: [] };
  const times: number[] = [];
  let steps = 0;
  for (const req of requests) {
    // Exactly as compose() draws them: the plan, the lead, then the accompaniment's own fork.
    const rng = createRng(req.seed);
    const plan = planPiece(req, rng.fork('plan'));
    const lead = await writeLead(plan, melodyGen, rng.fork('melody'));
    const len = Math.round(plan.finalTick / STEP);
    steps += len;
    for (const system of ACCOMP_SYSTEMS) {
      const t0 = performance.now();
      const parts = accompanimentFor(system, deps)(plan, createRng(req.seed).fork('accompaniment'), lead);
      if (system === 'model') times.push(performance.now() - t0);
      per[system].push(accompMetrics(toGrid([...parts.harmony, ...parts.bass], len), len, planChordAt(plan)));
    }
  }
  log(`accompaniment: ${requests.length} plans × ${ACCOMP_SYSTEMS.length} systems`);
  const real = realAccompExcerpts(opts.heldOut);
  log(`accompaniment: ${real.length} real ${EVAL_BARS}-bar excerpts`);

  const summaries = (xs: readonly AccompMetrics[]) => Object.fromEntries(ACCOMP_METRIC_NAMES.map((m) => [m, summarize(xs.map((x) => x[m]))])) as Record<AccompMetricName, { mean: number; sd: number }>;
  const metrics = { real: summaries(real), model: summaries(per.model), rules: summaries(per.rules), markov: summaries(per.markov) };
  const overlap = {} as AccompEvalReport['overlap'];
  for (const s of ACCOMP_SYSTEMS) {
    const row = Object.fromEntries(ACCOMP_METRIC_NAMES.map((m) => [m, overlappingArea(per[s].map((x) => x[m]), real.map((x) => x[m]))])) as Record<AccompMetricName, number>;
    overlap[s] = { ...row, mean: ACCOMP_METRIC_NAMES.reduce((a, m) => a + row[m], 0) / ACCOMP_METRIC_NAMES.length };
  }
  const rounds = opts.bootstrapRounds ?? 200;
  const modelMinusRules = bootstrapInterval([per.model, per.rules, real], ([a, b, r]) => meanOverlap(a!, r!) - meanOverlap(b!, r!), rounds, opts.seed);
  const modelMinusMarkov = bootstrapInterval([per.model, per.markov, real], ([a, b, r]) => meanOverlap(a!, r!) - meanOverlap(b!, r!), rounds, opts.seed + 1);
  log(`accompaniment: bootstrap done (${rounds} rounds)`);

  const keyAccuracy = {} as Record<AccompSystem, number>;
  const keyRetries = {} as Record<AccompSystem, number>;
  const controlSet = requests.slice(0, opts.controlPieces ?? requests.length);
  for (const s of ACCOMP_SYSTEMS) {
    const inner = generatorWithAccompaniment(melodyGen, s, deps);
    // Counts the pieces where compose's key guard asked for the accompaniment again (the rules have none to ask).
    let retried = false;
    const gen: MelodyGenerator = inner.accompaniment ? { ...inner, accompaniment: (plan, rng, lead, keyRetry) => ((retried ||= (keyRetry ?? 0) > 0), inner.accompaniment!(plan, rng, lead, keyRetry)) } : inner;
    let ok = 0;
    keyRetries[s] = 0;
    for (const req of controlSet) {
      retried = false;
      if ((await controlCheck(req, gen)).key) ok++;
      if (retried) keyRetries[s]++;
    }
    keyAccuracy[s] = ok / Math.max(1, controlSet.length);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    pieces: requests.length,
    realPieces: real.length,
    bars: EVAL_BARS,
    styles: ACCOMPANIMENT_IDIOM_STYLES,
    metrics,
    overlap,
    intervals: { modelMinusRules, modelMinusMarkov },
    keyAccuracy,
    keyRetries,
    referenceSplit: opts.referenceSplit ?? 'test',
    generationMs: { mean: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length), p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, steps: steps / Math.max(1, requests.length) },
  };
}

export function accompReportMarkdown(r: AccompEvalReport): string {
  const f = (x: number, d = 3) => x.toFixed(d);
  const lines: string[] = [];
  lines.push(
    `${r.pieces} plans (${r.styles.join(', ')}; 4/4, ${r.bars} bars, seeded requests) per system, under the same neural lead. ` +
      `Reference: ${r.realPieces} POP909 held-out ${r.bars}-bar excerpts of PIANO + BRIDGE from each key segment's first melody bar.`,
    '',
  );
  lines.push(`| metric | real (POP909 ${r.referenceSplit}) | model | rules | Markov | OA model | OA rules | OA Markov |`, '|---|---|---|---|---|---|---|---|');
  for (const m of ACCOMP_METRIC_NAMES) {
    const c = (k: 'real' | AccompSystem) => `${f(r.metrics[k][m].mean, 2)} ± ${f(r.metrics[k][m].sd, 2)}`;
    lines.push(`| ${m} | ${c('real')} | ${c('model')} | ${c('rules')} | ${c('markov')} | ${f(r.overlap.model[m])} | ${f(r.overlap.rules[m])} | ${f(r.overlap.markov[m])} |`);
  }
  lines.push(`| **mean OA** | | | | | **${f(r.overlap.model.mean)}** | **${f(r.overlap.rules.mean)}** | **${f(r.overlap.markov.mean)}** |`, '');
  const iv = (x: { lo: number; hi: number; point: number }) => `${x.point >= 0 ? '+' : ''}${f(x.point)} [${f(x.lo)}, ${f(x.hi)}]`;
  lines.push(`Mean OA difference, bootstrap 95 % interval (plans and references resampled): model − rules ${iv(r.intervals.modelMinusRules)}; model − Markov ${iv(r.intervals.modelMinusMarkov)}.`, '');
  lines.push(`Key accuracy (Krumhansl–Schmuckler on the composed MIDI): model ${f(r.keyAccuracy.model)}, rules ${f(r.keyAccuracy.rules)}, Markov ${f(r.keyAccuracy.markov)}.`);
  lines.push(
    `Compose's key guard drew the accompaniment again for ${r.keyRetries.model} of ${r.pieces} model pieces and ${r.keyRetries.markov} Markov pieces ` +
      `(the model's retries add ${ACCOMP_TONIC_BIAS} per retry to the tonic triad's onset logits; a piece in key at the first draw is untouched; the overlap rows above are first draws).`,
  );
  lines.push(`Model accompaniment generation: ${f(r.generationMs.mean, 1)} ms mean, ${f(r.generationMs.p95, 1)} ms p95 for ${f(r.generationMs.steps, 0)} steps.`);
  return lines.join('\n');
}

const bce = (p: number, y: number) => -Math.log(Math.max(1e-7, y ? p : 1 - p));

/** Teacher-forced BCE (nats per step, summed over the onset and sustain outputs) of the model on whole pieces. */
export function accompNll(model: AccompModel, pieces: readonly AccompPiece[], maxSteps = Infinity): number {
  const runner = model.runner;
  const logits = new Float32Array(model.meta.config.outputDim);
  const act: number[] = [];
  let sum = 0;
  let n = 0;
  for (const p of pieces) {
    const state = runner.initialState();
    for (let s = 0; s < Math.min(p.on.length, maxSteps); s++) {
      const step = { pos: p.pos[s]!, root: p.root[s]!, chroma: p.chroma[s]!, melPc: p.melPc[s]!, melOn: p.melOn[s]!, mode: p.mode, intensity: p.intensity[s]! };
      runner.step(state, accompFeatures(s > 0 ? p.on[s - 1]! : [], s > 0 ? p.sus[s - 1]! : [], step, act), logits);
      const on = new Set(p.on[s]!);
      const sus = new Set(p.sus[s]!);
      for (let k = 0; k < NUM_SLOTS; k++) {
        sum += bce(1 / (1 + Math.exp(-logits[k]!)), on.has(k) ? 1 : 0);
        sum += bce(1 / (1 + Math.exp(-logits[NUM_SLOTS + k]!)), sus.has(k) ? 1 : 0);
      }
      n++;
    }
  }
  return sum / Math.max(1, n);
}

/**
 * The same loss for the unconditional baseline: one onset and one sustain probability per slot, the
 * training frequencies (what a model that learned nothing of context would reach).
 */
export function baseRateNll(train: readonly AccompPiece[], pieces: readonly AccompPiece[], maxSteps = Infinity): number {
  const on = new Float64Array(NUM_SLOTS);
  const sus = new Float64Array(NUM_SLOTS);
  let steps = 0;
  for (const p of train) {
    for (let s = 0; s < p.on.length; s++) {
      for (const k of p.on[s]!) on[k]!++;
      for (const k of p.sus[s]!) sus[k]!++;
    }
    steps += p.on.length;
  }
  let sum = 0;
  let n = 0;
  for (const p of pieces)
    for (let s = 0; s < Math.min(p.on.length, maxSteps); s++) {
      const o = new Set(p.on[s]!);
      const u = new Set(p.sus[s]!);
      for (let k = 0; k < NUM_SLOTS; k++) sum += bce(on[k]! / steps, o.has(k) ? 1 : 0) + bce(sus[k]! / steps, u.has(k) ? 1 : 0);
      n++;
    }
  return sum / Math.max(1, n);
}

/**
 * The melody model behind the composer's MelodyGenerator seam (src/core/generator.ts):
 * plan → per-step chords and conditioning → model.generate → lead ScoreNotes.
 * The composer decides whether to use it; this file only adapts.
 */
import type { MelodyGenerator, VaryRequest } from '../core/generator.ts';
import { tonicPitchClass } from '../core/keys.ts';
import { STEP, velocityAt } from '../core/parts/context.ts';
import type { Plan } from '../core/plan/plan.ts';
import type { Rng } from '../core/rng.ts';
import type { ScoreNote } from '../core/score.ts';
import { conditioningFor } from './conditioning.ts';
import type { GenerateOptions, MelodyModel, StepChord } from './melodyModel.ts';
import { keyMargin as scoreKeyMargin } from '../core/keyProfile.ts';
import { STEP_HOLD, STEP_REST } from './representation.ts';

export interface NeuralMelodyOptions {
  temperature?: number;
  topP?: number;
  /** Default: the style's `diatonic` flag. */
  scaleMask?: boolean;
  /**
   * Key guard: up to this many samples (seeds seed, seed+1, …); the first whose melody over the plan's
   * harmony reads as the requested key (Krumhansl–Schmuckler) is kept, else the one closest to it.
   * 1 disables the guard. Default MELODY_KEY_ATTEMPTS.
   */
  keyAttempts?: number;
}

/**
 * Two samples: over 168 pieces (14 styles × 12 seeds, 60 s) two gave the same key accuracy as four
 * (168/168, the composer's own guard re-writes the rest) and halved the slowest compose.
 */
export const MELODY_KEY_ATTEMPTS = 2;

/**
 * The model's own distribution, nucleus 0.98: against 0.9 / 0.95 it widened the melodies toward
 * POP909's pitch-class entropy and range (20-bar excerpts of the eight pop-like styles, three seed
 * sets of 80 pieces: mean OA 0.696 / 0.737 / 0.718 against 0.660 / 0.659 / 0.657) with the same
 * key accuracy (80/80 each).
 */
export const DEFAULT_TEMPERATURE = 1.0;
export const DEFAULT_TOP_P = 0.98;

/**
 * How strongly the melody + the plan's harmony (chord tones, plus the roots again as the bass would
 * play them) point at the requested key: KS correlation of the wanted key minus the best other key
 * (> 0 ⇒ the wanted key is detected).
 */
export function keyMargin(plan: Plan, steps: readonly number[]): number {
  const notes: { pitch: number; duration: number }[] = [];
  for (const n of stepsToNotes(steps, () => 0)) notes.push({ pitch: n.pitch, duration: n.durationTicks });
  const endTick = steps.length * STEP;
  for (const c of plan.chords) {
    if (c.startTick >= endTick) break;
    const d = Math.min(c.endTick, endTick) - c.startTick;
    for (const pc of c.pcs) notes.push({ pitch: pc, duration: d });
    notes.push({ pitch: c.rootPc, duration: d });
  }
  return scoreKeyMargin(notes, plan.key);
}

/** Per-step chords of a plan (the plan's chord events, one StepChord per 16th). */
export function planStepChords(plan: Plan, steps: number): (StepChord | null)[] {
  const out: (StepChord | null)[] = new Array(steps).fill(null);
  for (const c of plan.chords) {
    const chroma = new Array<number>(12).fill(0);
    for (const pc of c.pcs) chroma[((pc % 12) + 12) % 12] = 1;
    const chord: StepChord = { rootPc: c.rootPc, chroma };
    for (let s = Math.max(0, Math.round(c.startTick / STEP)); s < Math.min(steps, Math.round(c.endTick / STEP)); s++) out[s] = chord;
  }
  return out;
}

export function planGenerateOptions(model: MelodyModel, plan: Plan, seed: number, opts: NeuralMelodyOptions = {}, steps = Math.round(plan.finalTick / STEP)): GenerateOptions {
  const keyTonicPc = tonicPitchClass(plan.key);
  const beatsPerBar = plan.barTicks / (STEP * 4);
  const conditioning = conditioningFor(model.meta, {
    styleId: plan.style.id,
    moodId: plan.mood.id,
    bpm: plan.bpm,
    mode: plan.key.mode,
    keyTonicPc,
    beatsPerBar,
  });
  const centre = plan.style.leadCentre + plan.mood.registerShift;
  return {
    chords: planStepChords(plan, steps),
    keyTonicPc,
    mode: plan.key.mode,
    conditioning,
    seed,
    temperature: opts.temperature ?? DEFAULT_TEMPERATURE,
    topP: opts.topP ?? DEFAULT_TOP_P,
    scaleMask: opts.scaleMask ?? plan.style.diatonic,
    lowestPitch: centre - 14,
    highestPitch: centre + 15,
    rangeShift: sectionRegisterPerStep(plan, steps),
    stepsPerBar: Math.round(plan.barTicks / STEP),
  };
}

/** Each section's register shift (src/core/catalog/forms.ts), per 16th step. */
export function sectionRegisterPerStep(plan: Plan, steps: number): number[] {
  const out = new Array<number>(steps).fill(0);
  const perBar = Math.round(plan.barTicks / STEP);
  for (const s of plan.sections) out.fill(s.register, Math.min(steps, s.startBar * perBar), Math.min(steps, (s.startBar + s.bars) * perBar));
  return out;
}

/** Step grid (pitch / −1 hold / −2 rest) → notes at 16th resolution. */
export function stepsToNotes(steps: readonly number[], velocity: (tick: number) => number): ScoreNote[] {
  const notes: ScoreNote[] = [];
  for (let s = 0; s < steps.length; s++) {
    const p = steps[s]!;
    if (p === STEP_HOLD || p === STEP_REST || p < 0) continue;
    let e = s + 1;
    while (e < steps.length && steps[e] === STEP_HOLD) e++;
    notes.push({ pitch: p, tick: s * STEP, durationTicks: (e - s) * STEP, velocity: velocity(s * STEP) });
  }
  return notes;
}

/** Notes → a step grid from `fromTick` (pitch at onsets, hold while sounding, rest elsewhere). */
export function notesToSteps(notes: readonly ScoreNote[], fromTick: number, count: number): number[] {
  const steps = new Array<number>(count).fill(STEP_REST);
  for (const n of notes) {
    const start = Math.round((n.tick - fromTick) / STEP);
    const end = Math.max(start + 1, Math.round((n.tick + n.durationTicks - fromTick) / STEP));
    if (start < 0 || start >= count) continue;
    steps[start] = n.pitch;
    for (let s = start + 1; s < Math.min(end, count); s++) steps[s] = STEP_HOLD;
  }
  return steps;
}

/**
 * Which steps of a phrase (a step grid) a variation rewrites: per four-bar unit, the last `amount`
 * share of its notes (a new cadence) or the last ones before the end of its second bar (a new
 * answer to the opening); the rest of the unit is kept note for note.
 * 0 keeps everything, 1 rewrites everything.
 */
export function variationWindows(grid: readonly number[], stepsPerBar: number, amount: number, rng: Rng): boolean[] {
  const out = new Array<boolean>(grid.length).fill(amount >= 1);
  if (amount <= 0 || amount >= 1) return out;
  const unit = stepsPerBar * 4;
  for (let from = 0; from < grid.length; from += unit) {
    const to = Math.min(grid.length, from + unit);
    const mid = Math.min(to, from + 2 * stepsPerBar);
    const onsets = (end: number) => grid.slice(from, end).flatMap((p, i) => (p >= 0 ? [from + i] : []));
    const all = onsets(to);
    if (!all.length) continue;
    const count = Math.max(1, Math.round(amount * all.length));
    const early = onsets(mid);
    const atEnd = rng.chance(0.6) || early.length < count + 1;
    const end = atEnd ? to : mid;
    const chosen = atEnd ? all : early;
    // The chosen notes' own steps (and the rests between them), not the silence after the last:
    // rewriting a long rest would fill it with more notes than the amount allows.
    // A long last note keeps its tail (a beat per rewritten note at most).
    const first = chosen[chosen.length - count]!;
    const last = chosen[chosen.length - 1]!;
    const stop = Math.min(end, Math.max(last + 1, first + 4 * count));
    for (let s = first; s < stop && (s <= last || grid[s] === STEP_HOLD); s++) out[s] = true;
  }
  return out;
}

export function neuralMelodyGenerator(model: MelodyModel, opts: NeuralMelodyOptions = {}): MelodyGenerator {
  return {
    name: model.version,
    melody: async (plan: Plan, rng: Rng, untilTick = plan.finalTick): Promise<ScoreNote[]> => {
      const seed = Math.floor(rng.next() * 2 ** 32);
      // Sampling runs step by step, so stopping early leaves every earlier step as it was; the key
      // guard then judges only the material the piece keeps.
      const steps = Math.round(Math.min(untilTick, plan.finalTick) / STEP);
      const attempts = Math.max(1, opts.keyAttempts ?? MELODY_KEY_ATTEMPTS);
      let best: { steps: number[]; margin: number } | null = null;
      for (let k = 0; k < attempts; k++) {
        const { steps: written } = await model.generate(planGenerateOptions(model, plan, (seed + k) >>> 0, opts, steps));
        const margin = attempts > 1 ? keyMargin(plan, written) : 1;
        if (!best || margin > best.margin) best = { steps: written, margin };
        if (margin > 0) break;
      }
      const chosen = best!.steps;
      const vel = rng.fork('velocity');
      return stepsToNotes(chosen, (tick) => velocityAt(plan, vel, tick));
    },
    // Teacher-forced variation: each rewritten window's onsets are sampled over the target's chords
    // after a bar of what precedes it (kept notes and earlier windows, fed as given); everything
    // else is kept note for note. Only the windows and their bar of context run through the network.
    vary: async (plan: Plan, request: VaryRequest, rng: Rng): Promise<ScoreNote[]> => {
      const perBar = Math.round(plan.barTicks / STEP);
      const startStep = Math.round(request.startTick / STEP);
      const lead = Math.min(startStep, perBar);
      const count = Math.round((request.endTick - request.startTick) / STEP);
      // grid[i] is step startStep − lead + i: a bar of what came before, then the placed phrase.
      const grid = [...notesToSteps(request.before, request.startTick - lead * STEP, lead), ...notesToSteps(request.placed, request.startTick, count)];
      const rewrite = [...new Array<boolean>(lead).fill(false), ...variationWindows(grid.slice(lead), perBar, request.amount, rng.fork('windows'))];
      const base = planGenerateOptions(model, plan, Math.floor(rng.next() * 2 ** 32), opts);
      const offset = startStep - lead;
      for (let a = lead; a < grid.length; a++) {
        if (!rewrite[a]) continue;
        let b = a;
        while (b < grid.length && rewrite[b]) b++;
        const from = Math.max(0, a - perBar);
        // In the window only the phrase's own onsets are sampled, its holds and rests kept: the
        // variation keeps the rhythm and changes pitches, so it never changes more notes than the
        // amount chose (sampling the whole window freely could fill a held note with many).
        const fixed = grid.slice(from, b).map((p, i) => (from + i < a || p < 0 ? p : null));
        const { steps } = await model.generate({
          ...base,
          seed: (base.seed + a) >>> 0,
          chords: base.chords.slice(offset + from, offset + b),
          rangeShift: base.rangeShift?.slice(offset + from, offset + b),
          fixed,
          startPosition: (offset + from) % perBar,
        });
        for (let s = a; s < b; s++) grid[s] = steps[s - from]!;
        // A kept hold after a new rest has nothing to hold: it is a rest.
        for (let s = b; s < grid.length && grid[s] === STEP_HOLD && grid[b - 1] === STEP_REST; s++) grid[s] = STEP_REST;
        a = b;
      }
      const vel = rng.fork('velocity');
      return stepsToNotes(grid.slice(lead), (tick) => velocityAt(plan, vel, tick + request.startTick)).map((n) => ({ ...n, tick: n.tick + request.startTick }));
    },
  };
}

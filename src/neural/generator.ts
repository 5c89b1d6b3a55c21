/**
 * The melody model behind the composer's MelodyGenerator seam (src/core/generator.ts):
 * plan → per-step chords and conditioning → model.generate → lead ScoreNotes.
 * The composer decides whether to use it; this file only adapts.
 */
import type { MelodyGenerator } from '../core/generator.ts';
import { tonicPitchClass } from '../core/keys.ts';
import { STEP, velocityAt } from '../core/parts/context.ts';
import type { Plan } from '../core/plan/plan.ts';
import type { Rng } from '../core/rng.ts';
import type { ScoreNote } from '../core/score.ts';
import { conditioningFor } from './conditioning.ts';
import type { GenerateOptions, MelodyModel, StepChord } from './melodyModel.ts';
import { expectedKsKey, keyScores } from './metrics.ts';
import { STEP_HOLD, STEP_REST } from './representation.ts';

export interface NeuralMelodyOptions {
  temperature?: number;
  topP?: number;
  /** Default: the style's `diatonic` flag. */
  scaleMask?: boolean;
  /**
   * Key guard: up to this many samples (seeds seed, seed+1, …); the first whose melody over the plan's
   * harmony reads as the requested key (Krumhansl–Schmuckler) is kept, else the one closest to it.
   * 1 disables the guard. Default 4.
   */
  keyAttempts?: number;
}

/**
 * How strongly the melody + the plan's harmony (chord tones, plus the roots again as the bass would
 * play them) point at the requested key: KS correlation of the wanted key minus the best other key
 * (> 0 ⇒ the wanted key is detected).
 */
export function keyMargin(plan: Plan, steps: readonly number[]): number {
  const notes: { pitch: number; duration: number }[] = [];
  for (const n of stepsToNotes(steps, () => 0)) notes.push({ pitch: n.pitch, duration: n.durationTicks });
  for (const c of plan.chords) {
    const d = c.endTick - c.startTick;
    for (const pc of c.pcs) notes.push({ pitch: pc, duration: d });
    notes.push({ pitch: c.rootPc, duration: d });
  }
  const want = expectedKsKey(plan.key);
  const scores = keyScores(notes);
  const wanted = scores.find((k) => k.tonicPc === want.tonicPc && k.mode === want.mode)!.r;
  const other = Math.max(...scores.filter((k) => !(k.tonicPc === want.tonicPc && k.mode === want.mode)).map((k) => k.r));
  return wanted - other;
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

export function planGenerateOptions(model: MelodyModel, plan: Plan, seed: number, opts: NeuralMelodyOptions = {}): GenerateOptions {
  const steps = Math.round(plan.finalTick / STEP);
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
    temperature: opts.temperature ?? 0.9,
    topP: opts.topP ?? 0.95,
    scaleMask: opts.scaleMask ?? plan.style.diatonic,
    lowestPitch: centre - 14,
    highestPitch: centre + 14,
    stepsPerBar: Math.round(plan.barTicks / STEP),
  };
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

export function neuralMelodyGenerator(model: MelodyModel, opts: NeuralMelodyOptions = {}): MelodyGenerator {
  return {
    name: model.version,
    melody: async (plan: Plan, rng: Rng): Promise<ScoreNote[]> => {
      const seed = Math.floor(rng.next() * 2 ** 32);
      const attempts = Math.max(1, opts.keyAttempts ?? 4);
      let best: { steps: number[]; margin: number } | null = null;
      for (let k = 0; k < attempts; k++) {
        const { steps } = await model.generate(planGenerateOptions(model, plan, (seed + k) >>> 0, opts));
        const margin = attempts > 1 ? keyMargin(plan, steps) : 1;
        if (!best || margin > best.margin) best = { steps, margin };
        if (margin > 0) break;
      }
      const steps = best!.steps;
      const vel = rng.fork('velocity');
      return stepsToNotes(steps, (tick) => velocityAt(plan, vel, tick));
    },
  };
}

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
import { STEP_HOLD, STEP_REST } from './representation.ts';

export interface NeuralMelodyOptions {
  temperature?: number;
  topP?: number;
  /** Default: the style's `diatonic` flag. */
  scaleMask?: boolean;
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
      const { steps } = await model.generate(planGenerateOptions(model, plan, seed, opts));
      const vel = rng.fork('velocity');
      return stepsToNotes(steps, (tick) => velocityAt(plan, vel, tick));
    },
  };
}

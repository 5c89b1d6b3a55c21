/**
 * The seam where the neural model plugs in: a MelodyGenerator writes the lead line for a plan.
 * The rule-based generator is the baseline; callers never know which one ran.
 */
import type { Plan } from './plan/plan.ts';
import type { Rng } from './rng.ts';
import type { ScoreNote } from './score.ts';
import { writeMelody } from './parts/melody.ts';

export interface MelodyGenerator {
  /** Name and version, recorded in the MIDI file, e.g. "rules@1". */
  readonly name: string;
  /** The name of what writes this plan's melody, where a generator delegates (default: name). */
  nameFor?(plan: Plan): string;
  melody(plan: Plan, rng: Rng): ScoreNote[] | Promise<ScoreNote[]>;
  /**
   * Learned drums, where the generator brings them (channel-10 GM notes); absent, or null for a
   * plan it cannot serve, means the composer's rule-based drums.
   */
  drums?(plan: Plan, rng: Rng): ScoreNote[] | null;
}

export const RuleBasedMelody: MelodyGenerator = {
  name: 'rules@1',
  melody: writeMelody,
};

/**
 * The seam where the neural model plugs in: a MelodyGenerator writes the lead line for a plan,
 * and varies a given phrase by a set amount (for themes that return). The rule-based generator is
 * the baseline; callers never know which one ran.
 */
import type { PlannedSection } from './plan/form.ts';
import type { Plan } from './plan/plan.ts';
import type { Rng } from './rng.ts';
import type { ScoreNote } from './score.ts';
import { writeMelody } from './parts/melody.ts';
import { varyByMotifs } from './parts/variation.ts';

/** A phrase to set again somewhere else in the piece, changed by `amount`. */
export interface VaryRequest {
  /**
   * The phrase, already placed at the target: its notes moved to [startTick, endTick) (repeated
   * if the original was shorter), still as the original wrote them (over the original's chords).
   */
  placed: ScoreNote[];
  /** Where the original phrase was: placed tick t came from source.startTick + (t − startTick) mod its length. */
  source: { startTick: number; endTick: number };
  startTick: number;
  endTick: number;
  /** 0 = exactly the phrase, 1 = a new phrase; in between, about that share of it is rewritten. */
  amount: number;
  /** The lead before startTick, as written so far (for continuity). */
  before: ScoreNote[];
  section: PlannedSection;
}

export interface MelodyGenerator {
  /** Name and version, recorded in the MIDI file, e.g. "rules@1". */
  readonly name: string;
  /** The name of what writes this plan's melody, where a generator delegates (default: name). */
  nameFor?(plan: Plan): string;
  /**
   * Fresh material from the plan's start to `untilTick` (default: the whole plan); the composer
   * keeps the parts that state new material and asks only as far as the last of them (freshUntil).
   */
  melody(plan: Plan, rng: Rng, untilTick?: number): ScoreNote[] | Promise<ScoreNote[]>;
  /**
   * The phrase varied by the set amount, over the target's chords; absent means the rule-based
   * motif operations (varyByMotifs).
   */
  vary?(plan: Plan, request: VaryRequest, rng: Rng): ScoreNote[] | Promise<ScoreNote[]>;
  /**
   * Learned drums, where the generator brings them (channel-10 GM notes); absent, or null for a
   * plan it cannot serve, means the composer's rule-based drums.
   */
  drums?(plan: Plan, rng: Rng): ScoreNote[] | null;
  /**
   * Learned chords and bass for this plan, given the lead already written; absent, or null for a
   * plan it does not serve, means the rule-based arranger (writeHarmony, writeBass). `keyRetry` is
   * compose's key-guard attempt (0 first): a retry may lean harder on the key.
   */
  accompaniment?(plan: Plan, rng: Rng, lead: readonly ScoreNote[], keyRetry?: number): { harmony: ScoreNote[]; bass: ScoreNote[] } | null;
}

/** The tick in the original phrase that a placed tick came from. */
export function sourceTickOf(request: Pick<VaryRequest, 'source' | 'startTick'>, tick: number): number {
  const length = Math.max(1, request.source.endTick - request.source.startTick);
  return request.source.startTick + ((tick - request.startTick) % length);
}

export const RuleBasedMelody: MelodyGenerator = {
  name: 'rules@2',
  melody: writeMelody,
  vary: varyByMotifs,
};

/** Scale degrees ⇄ MIDI pitches in a plan's key: the melody writers think in degrees. */
import { scalePitchClasses } from '../plan/harmony.ts';
import type { Plan } from '../plan/plan.ts';

/** Scale degree index (any integer) ⇄ MIDI pitch in the plan's key. */
export class ScaleLadder {
  readonly pcs: number[];
  readonly base: number; // MIDI pitch of degree 0 (the tonic in octave 4 area)
  constructor(plan: Plan) {
    this.pcs = scalePitchClasses(plan.key);
    this.base = 60 + this.pcs[0]!;
  }
  pitch(degree: number): number {
    const octave = Math.floor(degree / 7);
    const index = ((degree % 7) + 7) % 7;
    return this.base + 12 * octave + ((this.pcs[index]! - this.pcs[0]! + 12) % 12);
  }
  /** Nearest degree to a pitch (ties go down). */
  degreeOf(pitch: number): number {
    let best = 0;
    let bestDistance = Infinity;
    const guess = Math.round(((pitch - this.base) * 7) / 12);
    for (let d = guess - 3; d <= guess + 3; d++) {
      const dist = Math.abs(this.pitch(d) - pitch);
      if (dist < bestDistance) {
        best = d;
        bestDistance = dist;
      }
    }
    return best;
  }
}

/**
 * Orchestral percussion for styles without a drum kit (cinematic): timpani on the chord roots on a
 * pitched GM program (47) on its own channel, not the GM kit. Strokes on the strong beats of loud
 * sections, a crescendo roll into every section that is louder than the one before, a final stroke.
 */
import type { Plan } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import type { ScoreNote } from '../score.ts';
import { STEP, chordAt, gridNote, intensityAt, velocityAt } from './context.ts';

/** Timpani sound from about D2 to A3. */
const TIMPANI_LOW = 38;
const TIMPANI_HIGH = 57;

function timpaniPitch(pc: number): number {
  let p = TIMPANI_LOW + (((pc - TIMPANI_LOW) % 12) + 12) % 12;
  if (p > TIMPANI_HIGH) p -= 12;
  return p;
}

export function writePerc(plan: Plan, rng: Rng): ScoreNote[] {
  const notes: ScoreNote[] = [];
  plan.sections.forEach((section, index) => {
    const start = section.startBar * plan.barTicks;
    const intensity = intensityAt(plan, start);
    const next = plan.sections[index + 1];
    for (let b = 0; b < section.bars; b++) {
      const barStart = start + b * plan.barTicks;
      if (barStart >= plan.finalTick) break;
      const root = timpaniPitch(chordAt(plan, barStart).rootPc);
      const last = b === section.bars - 1;
      const rollInto = last && next && next.intensity > section.intensity + 0.1;
      if (rollInto) {
        // A one-bar roll in 32nds growing into the next section's downbeat.
        const end = barStart + plan.barTicks;
        for (let t = barStart + plan.barTicks / 2, i = 0; t < end; t += STEP / 2, i++) {
          const grow = (t - barStart - plan.barTicks / 2) / (plan.barTicks / 2);
          notes.push(gridNote(plan, t, STEP / 2, root, 40 + 70 * grow + rng.int(-3, 3)));
        }
        continue;
      }
      if (intensity < 0.6) {
        // Quiet: one soft stroke on a section's first bar.
        if (b === 0) notes.push(gridNote(plan, barStart, plan.beatTicks, root, velocityAt(plan, rng, barStart, { offset: -16 })));
        continue;
      }
      notes.push(gridNote(plan, barStart, plan.beatTicks, root, velocityAt(plan, rng, barStart, { offset: 4 })));
      if (intensity >= 0.85 && plan.meter.numerator % 2 === 0) {
        const half = barStart + plan.barTicks / 2;
        notes.push(gridNote(plan, half, plan.beatTicks, rng.chance(0.5) ? root : root - 5 >= TIMPANI_LOW ? root - 5 : root + 7, velocityAt(plan, rng, half, { offset: -6 })));
      }
    }
  });
  return notes.filter((n) => n.tick < plan.finalTick);
}

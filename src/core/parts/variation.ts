/**
 * Motif operations: how the rule-based composer varies a phrase when its theme returns.
 * The phrase is re-harmonised to the chords under it (strong-beat notes that no longer fit move
 * to the nearest chord tone), then about `amount` of its notes are touched by ornaments
 * (a neighbour note splitting a long note), rhythmic shifts (anticipations), sequences (a group
 * moved one or two scale steps) and neighbour changes. Every pitch stays on the key's scale
 * unless the original note was off it.
 */
import { sourceTickOf, type VaryRequest } from '../generator.ts';
import type { Plan } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import type { ScoreNote } from '../score.ts';
import { STEP, chordAt, metricWeight } from './context.ts';
import { ScaleLadder } from './scaleLadder.ts';

type Op = 'ornament' | 'rhythm' | 'sequence' | 'neighbour';
const OPS: readonly Op[] = ['ornament', 'rhythm', 'sequence', 'neighbour'];

export function varyByMotifs(plan: Plan, request: VaryRequest, rng: Rng): ScoreNote[] {
  const ladder = new ScaleLadder(plan);
  const notes = request.placed.map((n) => ({ ...n }));
  const inScale = (p: number) => ladder.pcs.includes(((p % 12) + 12) % 12);
  const stepOf = (tick: number) => Math.round((tick % plan.barTicks) / STEP);

  // A note off the scale and the note it resolves to stay as written (the resolution is the point).
  const locked = new Set<ScoreNote>();
  notes.forEach((n, i) => {
    if (!inScale(n.pitch)) {
      locked.add(n);
      if (notes[i + 1]) locked.add(notes[i + 1]!);
    }
  });
  // Per four-bar unit, so the changes spread over the phrase.
  const unit = plan.barTicks * 4;
  for (let from = request.startTick; from < request.endTick; from += unit) {
    const inUnit = () => notes.flatMap((n, i) => (n.tick >= from && n.tick < from + unit && !locked.has(n) ? [i] : []));
    // Re-harmonise: where the chord under a strong-beat note changed, move it onto the new chord.
    // These changes count against the amount.
    let reharmonised = 0;
    for (const i of inUnit()) {
      const n = notes[i]!;
      if (metricWeight(plan, stepOf(n.tick)) < 0.7) continue;
      const now = chordAt(plan, n.tick).pcs;
      const then = chordAt(plan, sourceTickOf(request, n.tick)).pcs;
      if (now.includes(n.pitch % 12) || sameSet(now, then)) continue;
      const moved = nearestChordTone(ladder, n.pitch, now);
      if (moved !== n.pitch) reharmonised++;
      n.pitch = moved;
    }
    const count = inUnit().length;
    let budget = Math.round(request.amount * count) - reharmonised;
    for (let guard = 0; budget > 0 && guard < count * 4; guard++) {
      const op = rng.pick(OPS);
      const candidates = inUnit();
      const i = rng.pick(candidates);
      const n = notes[i]!;
      const next = notes[i + 1] && !locked.has(notes[i + 1]!) ? notes[i + 1] : undefined;
      switch (op) {
        case 'ornament': {
          // A long note becomes the note and an upper or lower neighbour on its weak half.
          if (n.durationTicks < STEP * 4 || !inScale(n.pitch)) break;
          const half = Math.round(n.durationTicks / 2 / STEP) * STEP;
          const neighbour = ladder.pitch(ladder.degreeOf(n.pitch) + rng.pick([1, -1]));
          n.durationTicks = half;
          notes.splice(i + 1, 0, { ...n, tick: n.tick + half, pitch: neighbour, velocity: Math.max(1, n.velocity - 8) });
          budget -= 1;
          break;
        }
        case 'rhythm': {
          // Anticipate the next note by an eighth (a syncopation), where there is room.
          if (!next || n.durationTicks < STEP * 4 || next.tick - n.tick < STEP * 4) break;
          const shift = STEP * 2;
          n.durationTicks -= shift;
          next.tick -= shift;
          next.durationTicks += shift;
          budget -= 1;
          break;
        }
        case 'sequence': {
          // A group of up to three notes moved one or two scale steps (inside the bar).
          const shift = rng.pick([1, -1, 2, -2]);
          const bar = Math.floor(n.tick / plan.barTicks);
          const group = notes.slice(i, i + Math.min(3, budget)).filter((m) => Math.floor(m.tick / plan.barTicks) === bar && inScale(m.pitch) && !locked.has(m));
          for (const m of group) m.pitch = ladder.pitch(ladder.degreeOf(m.pitch) + shift);
          budget -= Math.max(1, group.length);
          break;
        }
        case 'neighbour': {
          if (metricWeight(plan, stepOf(n.tick)) >= 0.7 || !inScale(n.pitch)) break;
          n.pitch = ladder.pitch(ladder.degreeOf(n.pitch) + rng.pick([1, -1]));
          budget -= 1;
          break;
        }
      }
    }
  }
  return notes.filter((n) => n.tick >= request.startTick && n.tick < request.endTick && n.durationTicks > 0);
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((pc) => b.includes(pc));
}

/** The nearest pitch (by scale steps, then semitones) whose pitch class is in the chord. */
function nearestChordTone(ladder: ScaleLadder, pitch: number, chordPcs: readonly number[]): number {
  const degree = ladder.degreeOf(pitch);
  for (const offset of [0, 1, -1, 2, -2, 3, -3]) {
    const p = ladder.pitch(degree + offset);
    if (chordPcs.includes(p % 12)) return p;
  }
  return pitch;
}

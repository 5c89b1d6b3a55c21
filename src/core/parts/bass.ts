/**
 * The bass line: chord roots in the style's pattern, with walking lines that approach the next
 * chord's root and octave/fifth motion where the style wants it.
 */
import { scalePitchClasses } from '../plan/harmony.ts';
import type { Plan, ChordEvent } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import type { ScoreNote } from '../score.ts';
import { STEP, gridNote, intensityAt, nearestPitchWithPc, quietBarHits, sectionIntensityAt, stepsPerBar, velocityAt } from './context.ts';

type Degree = 'r' | '5' | 'o' | '3' | '7';
type BassHit = [step: number, length: number, degree: Degree];

const SYNCOPATED: Record<string, readonly BassHit[][]> = {
  lofi: [[[0, 5, 'r'], [6, 2, 'r'], [10, 5, 'r']], [[0, 6, 'r'], [7, 3, '5'], [10, 4, 'r']]],
  hiphop: [[[0, 6, 'r'], [7, 2, 'r'], [10, 3, 'r']], [[0, 3, 'r'], [3, 4, 'r'], [10, 4, 'o']]],
  funk: [[[0, 2, 'r'], [3, 1, 'o'], [6, 2, 'r'], [8, 1, 'r'], [10, 2, '7'], [14, 2, '5']], [[0, 3, 'r'], [4, 1, 'o'], [7, 1, 'r'], [10, 2, '5'], [12, 1, 'o'], [14, 2, '7']]],
};

function rootPitch(plan: Plan, pc: number): number {
  const [low, high] = plan.style.bass === 'alberti-low' ? [43, 55] : [33, 45];
  let p = low + ((pc - low) % 12 + 12) % 12;
  if (p > high) p -= 12;
  return p;
}

function degreePitch(plan: Plan, chord: ChordEvent, degree: Degree): number {
  const root = rootPitch(plan, chord.rootPc);
  switch (degree) {
    case 'o':
      return root + 12;
    case '5':
      return root + ((chord.pcs[2]! - chord.rootPc + 12) % 12);
    case '3':
      return root + ((chord.pcs[1]! - chord.rootPc + 12) % 12);
    case '7':
      return chord.pcs[3] !== undefined ? root + ((chord.pcs[3] - chord.rootPc + 12) % 12) : root + 12;
    default:
      return root;
  }
}

function hitsFor(plan: Plan, rng: Rng): BassHit[] {
  const steps = stepsPerBar(plan);
  const beat = plan.beatTicks / STEP;
  const pattern = plan.style.bass;
  const beats = (fn: (b: number) => Degree | null, len = beat): BassHit[] => {
    const out: BassHit[] = [];
    for (let s = 0, b = 0; s < steps; s += beat, b++) {
      const d = fn(b);
      if (d) out.push([s, len, d]);
    }
    return out;
  };
  switch (pattern) {
    case 'syncopated':
      if (steps === 16) return [...rng.pick(SYNCOPATED[plan.style.id] ?? SYNCOPATED.lofi!)];
      return beats((b) => (b === 0 ? 'r' : null), steps);
    case 'root-fifth':
      return beats((b) => (b === 0 ? 'r' : b === Math.floor(plan.meter.numerator / 2) && plan.meter.numerator > 2 ? '5' : null), beat * 2);
    case 'eighths':
    case 'octave': {
      const out: BassHit[] = [];
      for (let s = 0; s < steps; s += 2) out.push([s, 2, pattern === 'octave' && (s / 2) % 2 === 1 ? 'o' : 'r']);
      return out;
    }
    case 'alberti-low': {
      const order: Degree[] = ['r', '5', '3', '5'];
      const out: BassHit[] = [];
      for (let s = 0, i = 0; s < steps; s += 2, i++) out.push([s, 2, order[i % 4]!]);
      return out;
    }
    case 'pedal':
      return [[0, steps, 'r']];
    case 'waltz':
      // The "oom": one low note a bar (root on a new chord, its fifth while the chord holds); the chords play the "pah-pah".
      return [[0, steps, 'r']];
    case 'walking':
      return beats(() => 'r'); // pitches chosen by the walker below
    default:
      return beats((b) => (b === 0 ? 'r' : null), steps);
  }
}

export function writeBass(plan: Plan, rng: Rng): ScoreNote[] {
  const notes: ScoreNote[] = [];
  const scale = scalePitchClasses(plan.key);
  for (let bar = 0; bar * plan.barTicks < plan.finalTick; bar++) {
    const barStart = bar * plan.barTicks;
    const section = plan.sections.find((s) => bar >= s.startBar && bar < s.startBar + s.bars);
    const sparse = section?.name === 'intro' || intensityAt(plan, barStart) < 0.45;
    // A pedal drops out of the quietest sections altogether (the pads float on their own).
    if (plan.style.bass === 'pedal' && sectionIntensityAt(plan, barStart) < 0.7) continue;
    const hits = sparse && plan.style.bass !== 'pedal' ? quietBarHits(plan).map(([step, length]): BassHit => [step, length, 'r']) : hitsFor(plan, rng.fork(`bass${bar % 4}`));
    let walkPitch: number | undefined;
    hits.forEach(([step, length, degree], i) => {
      const tick = barStart + step * STEP;
      const chord = plan.chords.find((c) => c.startTick <= tick && tick < c.endTick);
      if (!chord || tick >= plan.finalTick) return;
      const held = plan.style.bass === 'waltz' && chord.startTick < tick;
      let pitch = degreePitch(plan, chord, held ? '5' : degree);
      if (plan.style.bass === 'walking' && !sparse) pitch = walkingPitch(plan, rng, chord, tick, i, walkPitch, scale);
      walkPitch = pitch;
      const end = Math.min(chord.endTick, tick + length * STEP);
      const velocity = velocityAt(plan, rng, tick, { offset: -4, accent: 10 });
      // Sparse bars hold each note to the next (a soft intro's bass is what carries it across the bar line).
      notes.push(gridNote(plan, tick, Math.max(STEP / 2, (end - tick) * (sparse ? 1 : 0.9)), pitch, velocity));
    });
  }
  return notes;
}

/** Walking bass: root on the chord's first beat, chord/scale tones after, a step into the next root. */
function walkingPitch(plan: Plan, rng: Rng, chord: ChordEvent, tick: number, beatIndex: number, previous: number | undefined, scale: number[]): number {
  const root = rootPitch(plan, chord.rootPc);
  if (tick === chord.startTick || previous === undefined) return root;
  const nextChord = plan.chords.find((c) => c.startTick >= tick + plan.beatTicks && c.startTick < tick + plan.beatTicks * 1.5);
  if (nextChord) {
    // Approach the next root from a semitone or a scale step away.
    const target = rootPitch(plan, nextChord.rootPc);
    return rng.chance(0.5) ? target + (previous > target ? 1 : -1) : nearestPitchWithPc(target + (previous > target ? 2 : -2), scale);
  }
  const tones = chord.pcs.slice(0, 4);
  const candidate = nearestPitchWithPc(previous + rng.pick([-4, -3, 2, 3, 4, 5]), beatIndex % 2 ? scale : tones);
  return Math.max(28, Math.min(50, candidate));
}

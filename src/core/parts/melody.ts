/**
 * The rule-based melody: phrases built from a motif (rhythm + scale-degree shape) that is
 * repeated, sequenced over the chords and varied, with chord tones on strong beats, stepwise
 * motion elsewhere, an arch contour per phrase and cadences on chord tones at phrase ends.
 * Pitches come from the key's scale, so diatonic styles stay in key by construction; other styles
 * add chromatic passing and neighbour tones on weak beats that resolve by a half step.
 * Each section writes in its own register and rhythm density (contrasting sections differ).
 */
import type { Plan } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import { isCompound, type ScoreNote } from '../score.ts';
import { STEP, chordAt, gridNote, intensityAt, metricWeight, stepsPerBar, velocityAt } from './context.ts';
import { ScaleLadder } from './scaleLadder.ts';

export { ScaleLadder };

interface MotifNote {
  step: number; // from the motif's start
  length: number; // in steps
  degree: number; // scale degree relative to the motif's first note
}

/** Onsets for one bar: `density` ≈ notes per beat, placed where the metre is strong. */
function barRhythm(plan: Plan, rng: Rng, density: number): { step: number; length: number }[] {
  const steps = stepsPerBar(plan);
  const beats = plan.meter.numerator * (isCompound(plan.meter) ? 1 / 3 : 1);
  const strongSwing = plan.style.swing >= 0.25;
  // Scale onset odds so the expected count per bar matches the density (the downbeat aside).
  let weightSum = 0;
  for (let s = 1; s < steps; s++) if (!(strongSwing && s % 2 === 1)) weightSum += metricWeight(plan, s) ** 1.5;
  const scale = Math.max(0.15, (density * beats - 0.8) / weightSum);
  const onsets: number[] = [];
  for (let s = 0; s < steps; s++) {
    if (strongSwing && s % 2 === 1) continue; // swung styles phrase in eighths
    const p = s === 0 ? 0.8 : Math.min(0.95, scale * metricWeight(plan, s) ** 1.5);
    if (rng.chance(p)) onsets.push(s);
  }
  if (onsets.length === 0) onsets.push(0);
  const beatSteps = steps / beats;
  return onsets.map((step, i) => {
    const next = onsets[i + 1] ?? steps;
    const gap = next - step;
    // Long gaps get a breath before the next note rather than one endless note.
    const length = gap > beatSteps && rng.chance(0.5) ? Math.max(2, Math.round(gap * rng.float(0.4, 0.75))) : gap;
    return { step, length };
  });
}

function makeMotif(plan: Plan, rng: Rng, bars: number, density: number): MotifNote[] {
  const steps = stepsPerBar(plan);
  const notes: MotifNote[] = [];
  let degree = 0;
  let direction = rng.chance(0.5) ? 1 : -1;
  for (let bar = 0; bar < bars; bar++) {
    for (const { step, length } of barRhythm(plan, rng, density)) {
      if (notes.length) {
        const leap = rng.chance(0.2);
        const move = leap ? rng.pick([2, 3, 4]) : rng.pick([0, 1, 1, 1, 1, 2, 2]);
        if (rng.chance(0.3) || Math.abs(degree) > 5) direction = -Math.sign(degree || direction) || 1;
        degree += direction * move;
        if (leap) direction = -direction; // a leap is answered by a step back
      }
      notes.push({ step: bar * steps + step, length, degree });
    }
  }
  return notes;
}

/** Vary a motif: small rhythmic and melodic changes so repeats don't sound pasted. */
function varyMotif(motif: MotifNote[], rng: Rng, amount: number): MotifNote[] {
  return motif.map((n, i) => {
    if (i === 0 || !rng.chance(amount)) return n;
    return { ...n, degree: n.degree + rng.pick([-1, 1, -2, 2]) };
  });
}

export function writeMelody(plan: Plan, rng: Rng): ScoreNote[] {
  const ladder = new ScaleLadder(plan);
  const centreDegree = ladder.degreeOf(plan.style.leadCentre + plan.mood.registerShift);
  // The tune lives above the chords (voiced around E4/C4), so its range reaches less far down than up.
  const lowDegree = centreDegree - 5;
  const highDegree = centreDegree + 8;
  const steps = stepsPerBar(plan);
  const notes: ScoreNote[] = [];
  let lastPitch = ladder.pitch(centreDegree);

  plan.sections.forEach((section) => {
    if ((section.kind === 'intro' && section.bars >= 2) || section.break) return; // the band sets the scene first
    const density = Math.max(0.3, 1.2 * plan.style.density * plan.mood.densityScale * section.density * (0.6 + section.intensity * 0.5));
    // A sparse line needs two bars for its motif to have a shape at all.
    const notesPerBar = density * plan.meter.numerator * (isCompound(plan.meter) ? 1 / 3 : 1);
    const phraseBars = section.bars >= 8 || notesPerBar < 2.5 ? 2 : 1;
    const motifA = makeMotif(plan, rng, phraseBars, density);
    const motifB = makeMotif(plan, rng, phraseBars, density * 1.1);
    // The section's register (a contrasting section sits higher or lower), in scale steps.
    const lift = Math.round((section.register * 7) / 12);
    const low = ladder.pitch(lowDegree + lift);
    const high = ladder.pitch(highDegree + lift);
    const cells = Math.ceil(section.bars / phraseBars);
    for (let cell = 0; cell < cells; cell++) {
      // a a' b a'' … : repetition with variation makes a tune out of random notes.
      const pattern = cell % 4 === 2 ? motifB : varyMotif(motifA, rng, cell === 0 ? 0 : 0.3);
      const cellStartBar = section.startBar + cell * phraseBars;
      const cellEndTick = Math.min(section.startBar + section.bars, cellStartBar + phraseBars) * plan.barTicks;
      const startTick = cellStartBar * plan.barTicks;
      const chord = chordAt(plan, startTick);
      // Start each cell on a chord tone between the previous note (smooth sequence) and the
      // section's home register (lifted in choruses), so the tune neither drifts nor jumps.
      const home = centreDegree + lift;
      const anchorDegree = nearestChordDegree(ladder, chord.pcs, Math.round((ladder.degreeOf(lastPitch) + home) / 2));
      const isPhraseEnd = cell === cells - 1 || cell % 2 === 1;
      const cellNotes = pattern.filter((n) => startTick + n.step * STEP < cellEndTick);
      cellNotes.forEach((n, i) => {
        const tick = startTick + n.step * STEP;
        const here = chordAt(plan, tick);
        let degree = anchorDegree + n.degree;
        const strong = metricWeight(plan, n.step % steps) >= 0.7;
        const last = i === cellNotes.length - 1;
        if (strong || (last && isPhraseEnd)) {
          // Snap onto a chord tone in the direction the line is moving, so steps don't collapse into repeats.
          const previousDegree = i > 0 ? anchorDegree + cellNotes[i - 1]!.degree : degree;
          degree = nearestChordDegree(ladder, here.pcs, degree, Math.sign(degree - previousDegree));
        }
        let pitch = ladder.pitch(degree);
        while (pitch > high) pitch = ladder.pitch((degree -= 7));
        while (pitch < low) pitch = ladder.pitch((degree += 7));
        if (!plan.style.diatonic) pitch = avoidChromaticClash(pitch, here.pcs, ladder.pcs);
        let length = Math.min(n.length * STEP, cellEndTick - tick);
        if (last && isPhraseEnd) length = Math.max(length, Math.min(cellEndTick - tick, plan.beatTicks * 2));
        const velocity = velocityAt(plan, rng, tick, { offset: 6, accent: 14 });
        notes.push(gridNote(plan, tick, Math.max(STEP / 2, length * 0.95), pitch, velocity));
        lastPitch = pitch;
      });
    }
  });
  const thinned = thinForIntensity(plan, notes);
  return plan.style.diatonic ? thinned : addChromaticTones(plan, thinned, rng.fork('chromatic'));
}

/**
 * Chromatic passing tones (between notes a whole step apart) and lower neighbours (between
 * repeated notes), each taking the weak end of a note of a quarter or more and resolving by a
 * half step: the idiomatic ways out of the scale, short enough to leave the key unmistakable.
 */
export function addChromaticTones(plan: Plan, notes: ScoreNote[], rng: Rng, chance = 0.35): ScoreNote[] {
  const out: ScoreNote[] = [];
  notes.forEach((a, i) => {
    const b = notes[i + 1];
    out.push(a);
    if (!b || a.durationTicks < STEP * 4 || b.tick < a.tick + a.durationTicks - STEP / 2) return;
    const interval = b.pitch - a.pitch;
    if (Math.abs(interval) !== 2 && interval !== 0) return;
    const length = a.durationTicks >= STEP * 6 ? STEP * 2 : STEP;
    const tick = a.tick + a.durationTicks - length;
    if (metricWeight(plan, Math.round((tick % plan.barTicks) / STEP)) >= 0.7 || !rng.chance(chance)) return;
    const pitch = interval === 0 ? a.pitch - 1 : a.pitch + Math.sign(interval);
    out[out.length - 1] = { ...a, durationTicks: a.durationTicks - length };
    out.push({ pitch, tick, durationTicks: length, velocity: Math.max(1, a.velocity - 10) });
  });
  return out;
}

/** Against a chord with a note outside the scale (V in minor), bend a clashing neighbour onto it. */
function avoidChromaticClash(pitch: number, chordPcs: readonly number[], scalePcs: readonly number[]): number {
  const pc = pitch % 12;
  if (chordPcs.includes(pc)) return pitch;
  for (const shift of [1, -1]) {
    const neighbour = (pc + shift + 12) % 12;
    if (chordPcs.includes(neighbour) && !scalePcs.includes(neighbour)) return pitch + shift;
  }
  return pitch;
}

function nearestChordDegree(ladder: ScaleLadder, chordPcs: readonly number[], degree: number, direction = 0): number {
  const order = direction > 0 ? [0, 1, -1, 2, -2, 3, -3] : [0, -1, 1, -2, 2, -3, 3];
  for (const offset of order) {
    const pc = ladder.pitch(degree + offset) % 12;
    if (chordPcs.includes(pc)) return degree + offset;
  }
  return degree;
}

/** In quiet sections, drop some weak-beat notes so the melody breathes. */
function thinForIntensity(plan: Plan, notes: ScoreNote[]): ScoreNote[] {
  return notes.filter((n) => {
    const quiet = intensityAt(plan, n.tick) < 0.45;
    const weak = metricWeight(plan, Math.round((n.tick % plan.barTicks) / STEP)) < 0.3;
    return !(quiet && weak && n.durationTicks <= STEP);
  });
}

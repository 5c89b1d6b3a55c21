/**
 * Shared helpers for the part writers: where we are in the piece (chord, section, intensity),
 * metric weight, swing and velocity shaping. All derived from the plan; no state.
 */
import type { Plan, ChordEvent } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import { PPQ, isCompound, type ScoreNote } from '../score.ts';

/** One sixteenth note in ticks: the grid every part writes on. */
export const STEP = PPQ / 4;

export function stepsPerBar(plan: Plan): number {
  return plan.barTicks / STEP;
}

/**
 * The held hits of a quiet bar, in steps: two halves (in 3/4, two beats and one), so piano, guitar
 * and plucked bass are struck again before they decay into a drop-out under a soft intro or outro.
 */
export function quietBarHits(plan: Plan): [step: number, length: number][] {
  const steps = stepsPerBar(plan);
  const beat = plan.beatTicks / STEP;
  if (plan.style.arrangement.quietHits === 'beats' && Number.isInteger(beat) && steps % beat === 0) {
    return Array.from({ length: steps / beat }, (_, i): [number, number] => [i * beat, beat]);
  }
  if (Number.isInteger(beat) && steps === 3 * beat) return [[0, 2 * beat], [2 * beat, beat]];
  if (steps % 2 !== 0) return [[0, steps]];
  return [[0, steps / 2], [steps / 2, steps / 2]];
}

export function chordAt(plan: Plan, tick: number): ChordEvent {
  // Chords are sorted and contiguous; a linear scan is fine at our sizes (≤ a few hundred).
  let found = plan.chords[0]!;
  for (const chord of plan.chords) {
    if (chord.startTick <= tick) found = chord;
    else break;
  }
  return found;
}

export function sectionIndexAt(plan: Plan, tick: number): number {
  const bar = Math.floor(tick / plan.barTicks);
  const index = plan.sections.findIndex((s) => bar >= s.startBar && bar < s.startBar + s.bars);
  return index < 0 ? plan.sections.length : index;
}

/** 0–1 intensity at a tick; outros fade towards the end. */
export function intensityAt(plan: Plan, tick: number): number {
  const index = sectionIndexAt(plan, tick);
  const section = plan.sections[index];
  if (!section) return 0.7;
  const energyShift = plan.energy === 'high' ? 0.12 : plan.energy === 'low' ? -0.12 : 0;
  let value = section.intensity + energyShift;
  if (section.name === 'outro') {
    const progress = (tick / plan.barTicks - section.startBar) / section.bars;
    value *= 1 - 0.4 * progress;
  }
  return Math.min(1, Math.max(0.15, value));
}

/**
 * How far the mood widens the style's dynamics at a tick (Mood.dynamicsScale): in the body only.
 * Intros and outros keep the style's own range: softer still, their decaying instruments would
 * fall into audible drop-outs, and the body's rise and fall is what the listener hears as dynamics.
 */
export function dynamicsScaleAt(plan: Plan, tick: number): number {
  const section = plan.sections[sectionIndexAt(plan, tick)];
  return section && (section.kind === 'intro' || section.kind === 'outro') ? 1 : (plan.mood.dynamicsScale ?? 1);
}

/**
 * The planned intensity of the section at a tick (no energy shift, no outro fade): what decides which
 * layers play, so a high-energy request plays louder rather than thicker.
 */
export function sectionIntensityAt(plan: Plan, tick: number): number {
  return plan.sections[sectionIndexAt(plan, tick)]?.intensity ?? 0.7;
}

/** Metric weight of a step within the bar: 1 downbeat, ~0.75 beats, 0.45 off-beats, 0.2 sixteenths. */
export function metricWeight(plan: Plan, stepInBar: number): number {
  if (stepInBar === 0) return 1;
  const compound = isCompound(plan.meter);
  const beatSteps = compound ? 6 : 16 / plan.meter.denominator;
  if (stepInBar % beatSteps === 0) {
    // In 4/4 beat 3 is stronger than 2 and 4.
    if (!compound && plan.meter.numerator === 4 && stepInBar === 8) return 0.85;
    return 0.7;
  }
  if (compound) return stepInBar % 2 === 0 ? 0.4 : 0.15;
  if (stepInBar % 2 === 0) return 0.45;
  return 0.2;
}

/** Swing: delays off-beat eighths (strong swing) or off-beat sixteenths (light swing). */
export function swing(plan: Plan, tick: number): number {
  const amount = plan.style.swing;
  if (amount <= 0 || isCompound(plan.meter)) return tick;
  const unit = amount >= 0.25 ? STEP * 2 : STEP;
  const within = tick % (unit * 2);
  if (within === unit) return tick + Math.round(amount * unit);
  return tick;
}

/** A note on the grid: swing applied to both ends, clipped to the piece's music. */
export function gridNote(plan: Plan, startTick: number, lengthTicks: number, pitch: number, velocity: number): ScoreNote {
  const start = swing(plan, startTick);
  const end = Math.max(start + STEP / 4, swing(plan, startTick + lengthTicks));
  return { pitch: clampPitch(pitch), tick: start, durationTicks: Math.round(end - start), velocity: clampVelocity(velocity) };
}

export function clampVelocity(v: number): number {
  return Math.max(1, Math.min(127, Math.round(v)));
}

export function clampPitch(p: number): number {
  return Math.max(0, Math.min(127, Math.round(p)));
}

/** Velocity for a part at a tick: style base, mood, section intensity, metric accent, a little life. */
export function velocityAt(plan: Plan, rng: Rng, tick: number, opts: { offset?: number; accent?: number; jitter?: number } = {}): number {
  const { base, range } = plan.style.dynamics;
  const stepInBar = Math.round((tick % plan.barTicks) / STEP);
  const accent = (opts.accent ?? 8) * (metricWeight(plan, stepInBar) - 0.5);
  const shaped = base + plan.mood.velocityShift + (intensityAt(plan, tick) - 0.7) * range * dynamicsScaleAt(plan, tick) + accent + (opts.offset ?? 0);
  const jitter = opts.jitter ?? 4;
  return clampVelocity(shaped + (jitter ? rng.float(-jitter, jitter) : 0));
}

/** Pitch nearest `target` whose pitch class is in `pcs`. */
export function nearestPitchWithPc(target: number, pcs: readonly number[]): number {
  let best = target;
  let bestDistance = Infinity;
  for (let p = target - 12; p <= target + 12; p++) {
    if (!pcs.includes(((p % 12) + 12) % 12)) continue;
    const d = Math.abs(p - target);
    if (d < bestDistance || (d === bestDistance && p < best)) {
      best = p;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Close-position voicing of `pcs` near `centre`, voice-led from the previous voicing if any.
 * `maxTop` keeps the top voice at or under a pitch (the lead's register starts above it).
 */
export function voiceChord(chordPcs: readonly number[], centre: number, previous?: readonly number[], maxTop = 127): number[] {
  // Rotations of the pitch classes in ascending order are the close-position inversions (an added
  // ninth listed last would otherwise stack a ninth above the fifth).
  const pcs = [...new Set(chordPcs.map((pc) => ((pc % 12) + 12) % 12))].sort((a, b) => a - b);
  const candidates: number[][] = [];
  for (let inversion = 0; inversion < pcs.length; inversion++) {
    const order = [...pcs.slice(inversion), ...pcs.slice(0, inversion)];
    for (let base = centre - 12; base <= centre; base++) {
      if (((base % 12) + 12) % 12 !== order[0]) continue;
      const voicing = [base];
      for (const pc of order.slice(1)) {
        let p = voicing[voicing.length - 1]! + 1;
        while (((p % 12) + 12) % 12 !== pc) p++;
        voicing.push(p);
      }
      candidates.push(voicing);
    }
  }
  const score = (v: number[]) => {
    const mid = (v[0]! + v[v.length - 1]!) / 2;
    let cost = Math.abs(mid - centre) * 0.6;
    if (v[v.length - 1]! > maxTop) cost += 100 + (v[v.length - 1]! - maxTop);
    if (previous && previous.length) {
      const prev = [...previous].sort((a, b) => a - b);
      cost += v.reduce((sum, p, i) => sum + Math.abs(p - (prev[Math.min(i, prev.length - 1)] ?? p)), 0) / v.length;
    }
    return cost;
  };
  candidates.sort((a, b) => score(a) - score(b) || a[0]! - b[0]!);
  return candidates[0] ?? [...pcs].map((pc) => centre - 6 + ((pc - centre + 6 + 120) % 12));
}

/**
 * The chord tones a voicing of `voices` notes keeps: the fifth goes first, then the root (the bass
 * plays it), so a seventh chord in three voices is the shell 1-3-7 and a ninth chord keeps 3-7-9.
 * Two voices of a triad are its open fifth.
 */
export function voicingTones(pcs: readonly number[], voices: number): number[] {
  const tones = [...pcs];
  if (voices === 2 && tones.length >= 3) return [tones[0]!, tones[2]!];
  if (tones.length > voices && tones.length >= 4) tones.splice(2, 1);
  if (tones.length > voices) tones.splice(0, 1);
  return tones.slice(0, Math.max(1, voices));
}

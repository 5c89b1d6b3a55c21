/**
 * What turns written parts into a performance and a mix, from the style's arrangement data:
 * legato ties (sustained parts sound until their next note, so no bar line falls silent),
 * humanised timing and velocity, CC11 expression that follows the sections' intensity (and pumps
 * on every beat where the style side-chains), and each track's volume, pan and effect sends.
 */
import type { Style } from '../catalog/styles.ts';
import type { Plan } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import type { ControllerEvent, Role, ScoreNote, TrackMix } from '../score.ts';
import { STEP, clampVelocity, dynamicsScaleAt, intensityAt } from './context.ts';

/** Mixer defaults per role: CC7 volume, CC10 pan (64 = centre), CC91 reverb and CC93 chorus sends. */
export const DEFAULT_MIX: Readonly<Record<Role, TrackMix>> = {
  lead: { volume: 106, pan: 64, reverb: 40, chorus: 10 },
  harmony: { volume: 84, pan: 50, reverb: 48, chorus: 24 },
  bass: { volume: 100, pan: 64, reverb: 12, chorus: 0 },
  pad: { volume: 70, pan: 80, reverb: 70, chorus: 40 },
  arp: { volume: 66, pan: 84, reverb: 50, chorus: 20 },
  perc: { volume: 96, pan: 64, reverb: 60, chorus: 0 },
  drums: { volume: 96, pan: 64, reverb: 24, chorus: 0 },
};

export function mixFor(style: Style, role: Role): TrackMix {
  return { ...DEFAULT_MIX[role], ...style.arrangement.mix[role] };
}

/**
 * Ties each note into the next onset of its part: a note that would stop before the next one starts
 * is lengthened to meet it (never past `limit`, never more than two bars). Notes already overlapping
 * the next onset are left alone.
 */
/** Each note at most `share` of the time to the next onset (the last one untouched): phrasing that breathes. */
export function breathe(notes: readonly ScoreNote[], share: number): ScoreNote[] {
  if (share >= 1) return [...notes];
  const sorted = [...notes].sort((a, b) => a.tick - b.tick);
  let next = 0; // first note with a later onset (chords in the lead share one)
  return sorted.map((n) => {
    while (next < sorted.length && sorted[next]!.tick <= n.tick) next++;
    if (next >= sorted.length) return n;
    return { ...n, durationTicks: Math.max(1, Math.min(n.durationTicks, Math.round((sorted[next]!.tick - n.tick) * share))) };
  });
}

export function tieLegato(notes: readonly ScoreNote[], limit: number, maxTicks: number): ScoreNote[] {
  const onsets = [...new Set(notes.map((n) => n.tick))].sort((a, b) => a - b);
  let k = 0;
  return [...notes]
    .sort((a, b) => a.tick - b.tick || a.pitch - b.pitch)
    .map((note) => {
      while (k < onsets.length && onsets[k]! <= note.tick) k++;
      const next = Math.min(onsets[k] ?? limit, limit);
      const end = note.tick + note.durationTicks;
      if (end >= next || next - note.tick > maxTicks) return note;
      return { ...note, durationTicks: next - note.tick };
    });
}

/**
 * No two notes of one pitch overlap in a part: the earlier one stops where the later starts (a note-off
 * of the earlier would otherwise silence the later one in the synthesizer, leaving a hole — humanised
 * onsets and legato ties make such overlaps). Same-tick duplicates keep the longer note.
 */
export function separateSamePitch(notes: readonly ScoreNote[]): ScoreNote[] {
  const sorted = [...notes].sort((a, b) => a.pitch - b.pitch || a.tick - b.tick || b.durationTicks - a.durationTicks);
  const out: ScoreNote[] = [];
  for (const note of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.pitch === note.pitch) {
      if (prev.tick === note.tick) continue;
      if (prev.tick + prev.durationTicks > note.tick) out[out.length - 1] = { ...prev, durationTicks: note.tick - prev.tick };
    }
    out.push(note);
  }
  return out.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

/**
 * Humanise: every onset moves by up to ±timing ticks (notes struck together move together, so chords
 * stay chords) and velocities by up to ±velocity. The first note of the piece and the music's end stay put.
 */
export function humanize(notes: readonly ScoreNote[], rng: Rng, amount: { timing: number; velocity: number }, limit: number): ScoreNote[] {
  if (amount.timing <= 0 && amount.velocity <= 0) return [...notes];
  const shift = new Map<number, number>();
  return notes.map((note) => {
    let dt = shift.get(note.tick);
    if (dt === undefined) {
      dt = amount.timing > 0 && note.tick > 0 ? rng.int(-amount.timing, amount.timing) : 0;
      shift.set(note.tick, dt);
    }
    const tick = Math.max(0, note.tick + dt);
    const end = Math.min(limit, note.tick + note.durationTicks + dt);
    const velocity = amount.velocity > 0 ? clampVelocity(note.velocity + rng.int(-amount.velocity, amount.velocity)) : note.velocity;
    return { ...note, tick, durationTicks: Math.max(1, end - tick), velocity };
  });
}

/**
 * CC11 for an intensity: quiet sections sit about 8 dB under the climax (fluidsynth's CC11 curve is
 * ~40·log10), further for moods with wide dynamics (Mood.dynamicsScale: epic, dark, energetic).
 */
export function expressionFor(intensity: number, role: Role, dynamicsScale = 1): number {
  const floor = 1 - (1 - (role === 'drums' ? 0.62 : 0.5)) * dynamicsScale;
  return Math.round(127 * (floor + (1 - floor) * Math.min(1, Math.max(0, intensity))));
}

/** Roles that duck under the kick when the style pumps. */
const PUMPED: ReadonlySet<Role> = new Set(['harmony', 'pad', 'bass', 'arp']);

/**
 * Expression over the piece for one part: a value per bar from the sections' intensity (the outro
 * fades), and in pumping styles a dip on every beat that recovers over a dotted eighth, in bars loud
 * enough for the kick to drive it.
 */
export function expressionEvents(plan: Plan, role: Role): ControllerEvent[] {
  const events: ControllerEvent[] = [];
  const pump = PUMPED.has(role) ? plan.style.arrangement.pump : 0;
  let last = -1;
  const put = (tick: number, value: number) => {
    const v = Math.max(1, Math.min(127, Math.round(value)));
    if (v !== last) events.push({ tick, number: 11, value: v });
    last = v;
  };
  for (let bar = 0; bar * plan.barTicks < plan.finalTick; bar++) {
    const barStart = bar * plan.barTicks;
    const intensity = intensityAt(plan, barStart);
    const level = expressionFor(intensity, role, dynamicsScaleAt(plan, barStart));
    if (pump > 0 && intensity >= 0.6) {
      for (let beat = barStart; beat < barStart + plan.barTicks; beat += plan.beatTicks) {
        put(beat, level * (1 - pump));
        put(beat + STEP, level * (1 - pump * 0.55));
        put(beat + STEP * 2, level * (1 - pump * 0.2));
        put(beat + STEP * 3, level);
      }
    } else put(barStart, level);
  }
  // The final chord sounds at the level the music ended on (no pump dip held over the ending).
  if (pump > 0) put(plan.finalTick, expressionFor(intensityAt(plan, Math.max(0, plan.finalTick - 1)), role, dynamicsScaleAt(plan, Math.max(0, plan.finalTick - 1))));
  return events;
}

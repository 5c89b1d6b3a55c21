/**
 * Harmony, pad and arpeggio parts from the chord plan, in the style's comping pattern.
 * Voicings have the style's number of voices (3–4), are voice-led (nearest inversion to the previous
 * chord) and keep their top voice under `ceiling`, the top of the accompaniment's register, which the
 * composer sets a few semitones under the lead's median pitch so the lead is heard on top.
 */
import type { CompPattern } from '../catalog/styles.ts';
import type { Plan, ChordEvent } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import { isCompound, type ScoreNote } from '../score.ts';
import { STEP, gridNote, intensityAt, quietBarHits, sectionIntensityAt, stepsPerBar, velocityAt, voiceChord, voicingTones } from './context.ts';

type Hit = [step: number, length: number];

/** Comping rhythms per pattern for a 16-step bar; other metres use beat-based patterns. */
const COMP_4_4: Record<string, readonly Hit[][]> = {
  block: [[[0, 7], [7, 9]], [[0, 16]], [[0, 6], [6, 4], [10, 6]]],
  comp: [[[2, 2], [10, 3]], [[6, 2], [12, 2]], [[0, 3], [7, 2], [14, 2]], [[3, 2], [8, 2], [14, 2]]],
  funk: [[[0, 1], [3, 1], [6, 1], [10, 1], [12, 1]], [[2, 1], [6, 1], [8, 1], [11, 1], [14, 1]]],
  bossa: [[[0, 3], [3, 3], [6, 2], [10, 3], [13, 3]], [[0, 2], [3, 3], [8, 3], [11, 2], [14, 2]]],
  pulse: [[[0, 2], [2, 2], [4, 2], [6, 2], [8, 2], [10, 2], [12, 2], [14, 2]]],
  offbeat: [[[2, 2], [6, 2], [10, 2], [14, 2]]],
  strum: [[[0, 4], [4, 2], [6, 4], [10, 2], [12, 2], [14, 2]]],
};

/** Lowest bottom voice for chords: under it, close voicings turn to mud against the bass. */
const CHORD_FLOOR = 50;

function chordSpansInBar(plan: Plan, barStart: number): ChordEvent[] {
  const barEnd = barStart + plan.barTicks;
  return plan.chords.filter((c) => c.startTick < barEnd && c.endTick > barStart && c.startTick < plan.finalTick);
}

function hitsFor(plan: Plan, pattern: CompPattern, rng: Rng): Hit[] {
  const steps = stepsPerBar(plan);
  const beat = plan.beatTicks / STEP;
  if (steps === 16 && !['sustain', 'arpeggio', 'broken', 'stride', 'ostinato'].includes(pattern)) {
    const key = pattern === 'comp' ? (plan.style.id === 'funk' ? 'funk' : plan.style.id === 'bossa-nova' ? 'bossa' : 'comp') : pattern === 'pulse' && plan.style.id === 'edm' ? 'offbeat' : pattern;
    return [...rng.pick(COMP_4_4[key] ?? COMP_4_4.block!)];
  }
  if (pattern === 'stride') {
    // Oom-pah(-pah): chords on every beat after the first (the bass takes beat one), held to the next.
    const hits: Hit[] = [];
    for (let s = beat; s < steps; s += beat) hits.push([s, beat]);
    return hits;
  }
  if (pattern === 'strum' && isCompound(plan.meter)) return [[0, 4], [4, 2], [6, 4], [10, 2]].filter(([s]) => s! < steps) as Hit[];
  if (pattern === 'sustain' || pattern === 'broken') return [[0, steps]];
  // Generic: one chord per beat, held.
  const hits: Hit[] = [];
  for (let s = 0; s < steps; s += beat) hits.push([s, beat]);
  return hits;
}

/** Centre of the chord register: under the ceiling by about half a voicing, never into the bass. */
function chordCentre(ceiling: number, voices: number): number {
  return Math.max(CHORD_FLOOR + 2 * voices, Math.min(62, ceiling - 2 * voices));
}

export function writeHarmony(plan: Plan, rng: Rng, ceiling = 72): ScoreNote[] {
  const pattern = plan.style.comp;
  if (pattern === 'ostinato' || pattern === 'arpeggio') return writeFiguration(plan, rng, ceiling);
  const notes: ScoreNote[] = [];
  // A fourth voice only where it fits between the chord floor and the lead (a low tune gets shells of three).
  const voices = ceiling - CHORD_FLOOR >= 12 ? plan.style.arrangement.voices : Math.min(3, plan.style.arrangement.voices);
  let previous: number[] | undefined;
  const centre = chordCentre(ceiling, voices);
  for (let bar = 0; bar * plan.barTicks < plan.finalTick; bar++) {
    const barStart = bar * plan.barTicks;
    const hits = hitsFor(plan, pattern, rng.fork(`bar${bar % 8}`)); // the same few patterns recur
    const quiet = intensityAt(plan, barStart) < 0.5;
    for (const chord of chordSpansInBar(plan, barStart)) {
      // Quiet sections thin the chord by a voice (never under two notes).
      const tones = voicingTones(chord.pcs, quiet ? Math.max(2, voices - 1) : voices);
      const voicing = voiceChord(tones, centre, previous, ceiling);
      previous = voicing;
      // Sustained chords sound once for the whole chord, however many bars it lasts.
      if (pattern === 'sustain' && chord.startTick < barStart) continue;
      const chordHits: Hit[] = pattern === 'sustain' ? [[(chord.startTick - barStart) / STEP, (chord.endTick - chord.startTick) / STEP]] : quiet && pattern !== 'stride' ? quietBarHits(plan) : hits;
      for (const [step, length] of chordHits) {
        const tick = barStart + step * STEP;
        if (tick < chord.startTick || tick >= chord.endTick) continue;
        const end = Math.min(chord.endTick, tick + length * STEP);
        // Quiet bars' chords carry the bar on their own (thinned, no stabs): they sit less far under the lead.
        const velocity = velocityAt(plan, rng, tick, { offset: quiet ? -6 : -12 });
        const strum = pattern === 'strum' || pattern === 'broken';
        const up = pattern === 'strum' && step % 4 === 2;
        const ordered = up ? [...voicing].reverse().slice(0, 3) : voicing;
        // Held patterns sound to the next hit; stabs are cut short on purpose.
        // So are quiet bars' whole-bar chords: a gated one left only a decaying bass under the bar's end.
        const held = pattern === 'sustain' || pattern === 'broken' || pattern === 'stride' || quiet;
        ordered.forEach((pitch, i) => {
          const offset = strum ? i * (pattern === 'broken' ? STEP : 12) : 0;
          if (tick + offset >= end) return;
          // Stabs are cut short on purpose (eighth pulses shorter still); held patterns sound to the next hit.
          // Block chords release just before the next (a decaying bass alone left holes before bar lines).
          const gate = pattern === 'pulse' ? 0.7 : pattern === 'block' ? 0.95 : 0.85;
          const length = held ? end - tick - offset : Math.max(STEP / 2, (end - tick - offset) * gate);
          notes.push(gridNote(plan, tick + offset, length, pitch, velocity - (up ? 10 : 0)));
        });
      }
    }
  }
  return notes;
}

/**
 * One-voice figuration of the chords: a string ostinato in eighths (cinematic) or a fast arpeggio
 * in sixteenths (chiptune). Quiet sections hold the chord instead.
 */
function writeFiguration(plan: Plan, rng: Rng, ceiling: number): ScoreNote[] {
  const notes: ScoreNote[] = [];
  const ostinato = plan.style.comp === 'ostinato';
  const unit = ostinato ? STEP * 2 : STEP;
  const centre = chordCentre(ceiling, 3);
  let previous: number[] | undefined;
  for (const chord of plan.chords) {
    if (chord.startTick >= plan.finalTick) continue;
    const voicing = voiceChord(voicingTones(chord.pcs, 3), centre, previous, ceiling);
    previous = voicing;
    if (intensityAt(plan, chord.startTick) < 0.5) {
      for (const pitch of voicing) notes.push(gridNote(plan, chord.startTick, chord.endTick - chord.startTick, pitch, velocityAt(plan, rng, chord.startTick, { offset: -14, accent: 0 })));
      continue;
    }
    // Ostinato: low-high-mid-high; arpeggio: up through the chord and its octave.
    const [a, b, c] = [voicing[0]!, voicing[1] ?? voicing[0]!, voicing[2] ?? voicing[0]! + 12];
    const figure = ostinato ? [a, c, b, c] : [a, b, c, a + 12, c, b];
    let i = 0;
    for (let tick = chord.startTick; tick < chord.endTick; tick += unit, i++) {
      const velocity = velocityAt(plan, rng, tick, { offset: ostinato ? -10 : -16, accent: 12, jitter: 3 });
      notes.push(gridNote(plan, tick, Math.min(unit, chord.endTick - tick), figure[i % figure.length]!, velocity));
    }
  }
  return notes;
}

/** A soft sustained layer in the louder sections (from the style's threshold), under the ceiling. */
export function writePad(plan: Plan, rng: Rng, ceiling = 72): ScoreNote[] {
  const notes: ScoreNote[] = [];
  const { voices, from } = plan.style.arrangement.pad;
  let previous: number[] | undefined;
  for (const chord of plan.chords) {
    if (chord.startTick >= plan.finalTick) continue;
    if (sectionIntensityAt(plan, chord.startTick) < from) continue;
    const voicing = voiceChord(voicingTones(chord.pcs, voices), Math.min(64, ceiling - 4), previous, ceiling);
    previous = voicing;
    const velocity = velocityAt(plan, rng, chord.startTick, { offset: -20, accent: 0, jitter: 2 });
    for (const pitch of voicing) notes.push(gridNote(plan, chord.startTick, chord.endTick - chord.startTick, pitch, velocity));
  }
  return notes;
}

/**
 * Arpeggio, up-and-down over two octaves, in the style's step (sixteenths for synthwave and EDM,
 * quarters with rests for ambient bells), from the style's intensity threshold.
 */
export function writeArpeggio(plan: Plan, rng: Rng): ScoreNote[] {
  const notes: ScoreNote[] = [];
  const { unit: unitSteps, from, rest } = plan.style.arrangement.arp;
  const unit = STEP * unitSteps;
  for (const chord of plan.chords) {
    if (chord.startTick >= plan.finalTick) continue;
    if (sectionIntensityAt(plan, chord.startTick) < from) continue;
    const base = voiceChord(chord.pcs.slice(0, 4), 72);
    const ladder = [...base, ...base.map((p) => p + 12)];
    const cycle = [...ladder, ...ladder.slice(1, -1).reverse()];
    let i = 0;
    for (let tick = chord.startTick; tick < chord.endTick; tick += unit, i++) {
      if (rest > 0 && tick !== chord.startTick && rng.chance(rest)) continue;
      const velocity = velocityAt(plan, rng, tick, { offset: rest > 0 ? -18 : -14, accent: 10, jitter: 3 });
      notes.push(gridNote(plan, tick, unit * (rest > 0 ? 0.5 : 0.8), cycle[i % cycle.length]!, velocity));
    }
  }
  return notes;
}

/**
 * Harmony, pad and arpeggio parts from the chord plan, in the style's comping pattern.
 * Voicings are voice-led (nearest inversion to the previous chord).
 */
import type { CompPattern } from '../catalog/styles.ts';
import type { Plan, ChordEvent } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import { isCompound, type ScoreNote } from '../score.ts';
import { STEP, gridNote, intensityAt, stepsPerBar, velocityAt, voiceChord } from './context.ts';

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

function chordSpansInBar(plan: Plan, barStart: number): ChordEvent[] {
  const barEnd = barStart + plan.barTicks;
  return plan.chords.filter((c) => c.startTick < barEnd && c.endTick > barStart && c.startTick < plan.finalTick);
}

function hitsFor(plan: Plan, pattern: CompPattern, rng: Rng): Hit[] {
  const steps = stepsPerBar(plan);
  const beat = plan.beatTicks / STEP;
  if (steps === 16 && pattern !== 'sustain' && pattern !== 'arpeggio' && pattern !== 'broken' && pattern !== 'stride') {
    const key = pattern === 'comp' ? (plan.style.id === 'funk' ? 'funk' : plan.style.id === 'bossa-nova' ? 'bossa' : 'comp') : pattern === 'pulse' && plan.style.id === 'edm' ? 'offbeat' : pattern;
    return [...rng.pick(COMP_4_4[key] ?? COMP_4_4.block!)];
  }
  if (pattern === 'stride') {
    // Oom-pah(-pah): chords on every beat after the first (the bass takes beat one).
    const hits: Hit[] = [];
    for (let s = beat; s < steps; s += beat) hits.push([s, Math.max(1, beat - 1)]);
    return hits;
  }
  if (pattern === 'strum' && isCompound(plan.meter)) return [[0, 4], [4, 2], [6, 4], [10, 2]].filter(([s]) => s! < steps) as Hit[];
  if (pattern === 'sustain' || pattern === 'broken') return [[0, steps]];
  // Generic: one chord per beat, held.
  const hits: Hit[] = [];
  for (let s = 0; s < steps; s += beat) hits.push([s, beat]);
  return hits;
}

export function writeHarmony(plan: Plan, rng: Rng): ScoreNote[] {
  const notes: ScoreNote[] = [];
  const pattern = plan.style.comp;
  let previous: number[] | undefined;
  // Voiced around C4 so the lead (around its style's centre, a fifth or more higher) sits on top.
  const centre = plan.style.id === 'classical-piano' ? 60 : 61;
  for (let bar = 0; bar * plan.barTicks < plan.finalTick; bar++) {
    const barStart = bar * plan.barTicks;
    const hits = hitsFor(plan, pattern, rng.fork(`bar${bar % 8}`)); // the same few patterns recur
    const quiet = intensityAt(plan, barStart) < 0.5;
    for (const chord of chordSpansInBar(plan, barStart)) {
      const rootless = chord.pcs.length >= 5 ? chord.pcs.slice(1) : chord.pcs;
      const voicing = voiceChord(rootless, centre, previous);
      previous = voicing;
      for (const [step, length] of quiet && pattern !== 'sustain' ? [[0, stepsPerBar(plan)] as Hit] : hits) {
        const tick = barStart + step * STEP;
        if (tick < chord.startTick || tick >= chord.endTick) continue;
        const end = Math.min(chord.endTick, tick + length * STEP);
        const velocity = velocityAt(plan, rng, tick, { offset: -12 });
        const strum = pattern === 'strum' || pattern === 'broken';
        const up = pattern === 'strum' && step % 4 === 2;
        const ordered = up ? [...voicing].reverse().slice(0, 3) : voicing;
        ordered.forEach((pitch, i) => {
          const offset = strum ? i * (pattern === 'broken' ? STEP : 12) : 0;
          if (tick + offset >= end) return;
          notes.push(gridNote(plan, tick + offset, Math.max(STEP / 2, (end - tick - offset) * 0.92), pitch, velocity - (up ? 10 : 0)));
        });
      }
    }
  }
  return notes;
}

/** A soft sustained layer that swells with the sections; silent in the quietest parts. */
export function writePad(plan: Plan, rng: Rng): ScoreNote[] {
  const notes: ScoreNote[] = [];
  let previous: number[] | undefined;
  for (const chord of plan.chords) {
    if (chord.startTick >= plan.finalTick) continue;
    if (intensityAt(plan, chord.startTick) < 0.55 && plan.style.drumFeel !== 'none') continue;
    const voicing = voiceChord(chord.pcs.slice(0, 4), 67, previous);
    previous = voicing;
    const velocity = velocityAt(plan, rng, chord.startTick, { offset: -20, accent: 0, jitter: 2 });
    for (const pitch of voicing) notes.push(gridNote(plan, chord.startTick, chord.endTick - chord.startTick - 4, pitch, velocity));
  }
  return notes;
}

/** Arpeggio in sixteenths (chiptune) or eighths, up-and-down over two octaves, busiest sections only. */
export function writeArpeggio(plan: Plan, rng: Rng): ScoreNote[] {
  const notes: ScoreNote[] = [];
  const unit = plan.style.id === 'chiptune' || plan.style.id === 'synthwave' ? STEP : STEP * 2;
  for (const chord of plan.chords) {
    if (chord.startTick >= plan.finalTick) continue;
    if (intensityAt(plan, chord.startTick) < 0.7 && plan.style.drumFeel !== 'none') continue;
    const base = voiceChord(chord.pcs.slice(0, 4), 72);
    const ladder = [...base, ...base.map((p) => p + 12)];
    const cycle = [...ladder, ...ladder.slice(1, -1).reverse()];
    let i = 0;
    for (let tick = chord.startTick; tick < chord.endTick; tick += unit, i++) {
      const velocity = velocityAt(plan, rng, tick, { offset: plan.style.id === 'ambient' ? -18 : -14, accent: 10, jitter: 3 });
      notes.push(gridNote(plan, tick, unit * 0.8, cycle[i % cycle.length]!, velocity));
    }
  }
  return notes;
}

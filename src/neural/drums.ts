/**
 * Learned drums by retrieval: quantized beats and fills from the Groove MIDI Dataset (human
 * performances, microtiming kept), chosen by style, tempo and energy; a fill closes each section.
 * Only for styles whose catalog entry names Groove MIDI style tags that fit it (grooveStyles: rock,
 * funk, jazz, hiphop, soul, …); every other style gets null here and the composer's own patterns.
 * models/drums/grooves.json is built by scripts/prepare-grooves.ts (train + validation performances).
 *
 * `grooveDrums(plan, rng)` has the signature of the composer's writeDrums, so it can stand in for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrumFeel } from '../core/catalog/styles.ts';
import type { Plan } from '../core/plan/plan.ts';
import type { Rng } from '../core/rng.ts';
import type { ScoreNote } from '../core/score.ts';

export interface GrooveClip {
  id: string;
  style: string;
  bpm: number;
  kind: 'beat' | 'fill';
  meter: string;
  bars: number;
  intensity: number;
  energy: 0 | 1 | 2;
  notes: [number, number, number, number][];
}

/** Recorded in the MIDI's generator field when these drums play. */
export const GROOVES_VERSION = 'groove-midi-drums@2';

export const DEFAULT_GROOVE_PATH = join(import.meta.dirname, '../../models/drums/grooves.json');

const ENERGY = { low: 0, medium: 1, high: 2 } as const;

export class GrooveLibrary {
  constructor(readonly clips: readonly GrooveClip[]) {}

  static load(path = DEFAULT_GROOVE_PATH): GrooveLibrary | null {
    if (!existsSync(path)) return null;
    return new GrooveLibrary((JSON.parse(readFileSync(path, 'utf8')) as { clips: GrooveClip[] }).clips);
  }

  /**
   * Rank clips of this kind and meter by tempo distance (octaves), energy mismatch and style rank,
   * then pick one of the best five with the seeded rng. Null when none fits the meter.
   */
  pick(opts: { feel: Exclude<DrumFeel, 'none'>; styles: readonly string[]; bpm: number; energy: keyof typeof ENERGY; kind: 'beat' | 'fill'; meter: string; rng: Rng }): GrooveClip | null {
    const styles = opts.styles;
    // Only the data set's own style tags that fit: a rock fill never lands in a jazz piece.
    const fitting = this.clips.filter((c) => c.kind === opts.kind && c.meter === opts.meter && styles.includes(c.style));
    // A beat is looped under a whole section, so it must keep time in every bar (windows cut from
    // a performance sometimes start on a bar of hi-hat alone); fills may do anything.
    const steady = opts.kind === 'beat' ? fitting.filter((c) => keepsTime(c, opts.feel)) : fitting;
    const candidates = steady.length ? steady : fitting;
    if (!candidates.length) return null;
    const cost = (c: GrooveClip) => {
      const rank = styles.indexOf(c.style);
      return Math.abs(Math.log2(opts.bpm / c.bpm)) + 0.3 * Math.abs(c.energy - ENERGY[opts.energy]) + 0.15 * rank;
    };
    const ranked = [...candidates].sort((a, b) => cost(a) - cost(b) || a.id.localeCompare(b.id));
    return opts.rng.pick(ranked.slice(0, 5));
  }
}

const KICK = 36;
const SNARES = new Set([37, 38]);
const TIMEKEEPERS = new Set([42, 44, 46, 51]);

/**
 * Whether every bar of a clip keeps time for its feel: kick and snare (or side stick) in each bar;
 * for swing, a ride or hi-hat pulse (at least 4 hits) instead, since jazz drummers drop the kick and
 * snare for bars at a time.
 */
export function keepsTime(clip: GrooveClip, feel: Exclude<DrumFeel, 'none'>): boolean {
  const barSteps = (Number(clip.meter.split('/')[0]) * 16) / Number(clip.meter.split('/')[1]);
  for (let bar = 0; bar < clip.bars; bar++) {
    const keys = clip.notes.filter(([step]) => step >= bar * barSteps && step < (bar + 1) * barSteps).map(([, key]) => key);
    const ok = feel === 'jazz-swing' ? keys.filter((k) => TIMEKEEPERS.has(k)).length >= 4 : keys.includes(KICK) && keys.some((k) => SNARES.has(k));
    if (!ok) return false;
  }
  return true;
}

/** A clip's notes from `startTick`, looped or cut to `steps` 16ths; microtiming kept (scaled by `feel`, 0–1). */
export function renderClip(clip: GrooveClip, startTick: number, steps: number, feel = 1, stepTicks = 120): ScoreNote[] {
  const clipSteps = (clip.bars * Number(clip.meter.split('/')[0]) * 16) / Number(clip.meter.split('/')[1]);
  const out: ScoreNote[] = [];
  for (let base = 0; base < steps; base += clipSteps)
    for (const [step, key, vel, micro] of clip.notes) {
      const s = base + step;
      if (s >= steps) continue;
      const tick = Math.max(0, startTick + s * stepTicks + Math.round(micro * feel * (stepTicks / 120)));
      out.push({ pitch: key, tick, durationTicks: stepTicks / 2, velocity: vel });
    }
  return out;
}

let cached: GrooveLibrary | null | undefined;

/**
 * Drums for a plan: per section a beat loop, its last bar replaced by a fill (sections of 2+ bars).
 * Null (the composer's own patterns) when the style names no fitting Groove MIDI styles or the
 * library has no beat of them in this meter; [] for styles without drums.
 */
export function grooveDrums(plan: Plan, rng: Rng, library: GrooveLibrary | null = (cached ??= GrooveLibrary.load())): ScoreNote[] | null {
  const feel = plan.style.drumFeel;
  if (feel === 'none' || !plan.instruments.drums) return [];
  const styles = plan.style.arrangement.grooveStyles;
  if (!library || !styles.length) return null;
  const meter = `${plan.meter.numerator}/${plan.meter.denominator}`;
  const barSteps = Math.round(plan.barTicks / 120);
  if (!library.clips.some((c) => c.kind === 'beat' && c.meter === meter && styles.includes(c.style))) return null;
  const notes: ScoreNote[] = [];
  plan.sections.forEach((section, i) => {
    const r = rng.fork(`section-${i}`);
    const beat = library.pick({ feel, styles, bpm: plan.bpm, energy: plan.energy, kind: 'beat', meter, rng: r });
    if (!beat) return;
    const start = section.startBar * plan.barTicks;
    const fill = section.bars >= 2 ? library.pick({ feel, styles, bpm: plan.bpm, energy: plan.energy, kind: 'fill', meter, rng: r }) : null;
    const beatBars = fill ? section.bars - 1 : section.bars;
    notes.push(...renderClip(beat, start, beatBars * barSteps));
    if (fill) notes.push(...renderClip(fill, start + beatBars * plan.barTicks, barSteps));
  });
  return notes.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

/**
 * Theme measures on a score, as issue 11 defines them: the lead cut into 4-bar units per section;
 * two units match when they have the same notes, a transposition of them, or at most 25 % of
 * their notes changed. Sections named with the same letter ("A", "A2") share material; the first
 * is the theme's statement, the others return to it; different letters are meant to contrast.
 */
import type { Score } from '../../src/core/score.ts';

export type Unit = { step: number; pitch: number }[];

export function material(name: string): string | null {
  return /^([A-Z])\d*$/.exec(name)?.[1] ?? null;
}

export function unitsOf(score: Score, startTick: number, endTick: number): Unit[] {
  const lead = score.tracks.find((t) => t.role === 'lead')!;
  const span = (score.ppq * 16 * score.meter.numerator) / score.meter.denominator; // four bars
  const units: Unit[] = [];
  for (let at = startTick; at + span <= endTick; at += span) {
    const notes = lead.notes.filter((n) => n.tick >= at && n.tick < at + span).map((n) => ({ step: Math.round((n.tick - at) / (score.ppq / 4)), pitch: n.pitch }));
    if (notes.length) units.push(notes);
  }
  return units;
}

export function unitsMatch(a: Unit, b: Unit): boolean {
  const size = Math.max(a.length, b.length);
  const inB = new Set(b.map((n) => `${n.step}:${n.pitch}`));
  let best = 0;
  for (let t = -12; t <= 12; t++) best = Math.max(best, a.filter((n) => inB.has(`${n.step}:${n.pitch + t}`)).length);
  return size - best <= 0.25 * size;
}

export interface ThemeFigures {
  /** Share of the returning sections' units that match a unit of their theme's statement (null: no return). */
  themeReturn: number | null;
  /** Share of units that match a unit of a section with another letter. */
  sharedAcrossContrast: number;
}

export function themeFigures(score: Score): ThemeFigures {
  const groups = new Map<string, Score['sections']>();
  for (const s of score.sections) {
    const m = material(s.name);
    if (m) groups.set(m, [...(groups.get(m) ?? []), s]);
  }
  let returning = 0;
  let returned = 0;
  for (const sections of groups.values()) {
    const theme = unitsOf(score, sections[0]!.startTick, sections[0]!.endTick);
    for (const s of sections.slice(1)) {
      for (const u of unitsOf(score, s.startTick, s.endTick)) {
        returning++;
        if (theme.some((t) => unitsMatch(u, t))) returned++;
      }
    }
  }
  let units = 0;
  let shared = 0;
  for (const [letter, sections] of groups) {
    const others = [...groups].filter(([l]) => l !== letter).flatMap(([, ss]) => ss.flatMap((s) => unitsOf(score, s.startTick, s.endTick)));
    for (const s of sections) {
      for (const u of unitsOf(score, s.startTick, s.endTick)) {
        units++;
        if (others.some((o) => unitsMatch(u, o))) shared++;
      }
    }
  }
  return { themeReturn: returning ? returned / returning : null, sharedAcrossContrast: units ? shared / units : 0 };
}

/**
 * Distinct progressions: each section's chord numerals (the first four; the final cadence's
 * dominant and the ending left out); a section whose chords start another's counts as the same.
 */
export function progressionCount(score: Score): number {
  const sequences = score.sections
    .map((s) => score.chords.filter((c) => c.startTick >= s.startTick && c.startTick < s.endTick && c.endTick < score.endTick).map((c) => c.numeral).slice(0, 4))
    .filter((numerals) => numerals.length >= 2)
    .sort((a, b) => b.length - a.length);
  const distinct: string[][] = [];
  for (const seq of sequences) if (!distinct.some((d) => seq.every((n, i) => d[i] === n))) distinct.push(seq);
  return distinct.length;
}

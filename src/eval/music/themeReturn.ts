/**
 * Does the theme come back, and do contrasting sections really contrast?
 *
 * Units. Each section is cut into 4-bar melody units from its first bar (a section of 9 bars has
 * 2 units; the trailing bar belongs to none; a section under 4 bars has no unit). A unit's content
 * is the lead track's notes whose onset lies inside it, each as (onset in 16ths from the unit's
 * start, rounded to the nearest 16th; MIDI pitch). Durations and velocities are ignored.
 *
 * Match. Unit U matches unit T when, for some chromatic transposition t in −12…+12 semitones
 * (t = 0: the same notes), at most 25 % of the notes are changed:
 *     changed = max(|U − T'|, |T' − U|) / max(|U|, |T'|)  ≤ 0.25
 * where T' is T transposed by t and the differences are multiset differences of (onset, pitch)
 * pairs. So a note whose pitch or onset moved counts once (it is missing from one side and extra
 * on the other), an added ornament note or a dropped note counts once. Alignment is fixed at the
 * unit starts (no sliding): a theme restated a beat late is a rhythmic variation of every note.
 * Empty units match nothing (a silent lead is no return).
 *
 * Measures (see sections.ts for the roles):
 *   returnShare    returning sections' units that match some unit of the theme's first statement
 *   contrastShare  contrasting sections' units that match some unit of the theme's first statement
 */
import { ticksPerBar, type Score } from '../../core/score.ts';
import { classifySections, type SectionInfo } from './sections.ts';

export interface UnitNote {
  step: number;
  pitch: number;
}

export const UNIT_BARS = 4;
export const MAX_CHANGED = 0.25;

/** The lead's 4-bar units of one section. */
export function sectionUnits(score: Score, section: { startTick: number; endTick: number }): UnitNote[][] {
  const barTicks = ticksPerBar(score.meter, score.ppq);
  const step = score.ppq / 4;
  const unitTicks = UNIT_BARS * barTicks;
  const count = Math.floor((section.endTick - section.startTick) / unitTicks);
  const lead = score.tracks.filter((t) => t.role === 'lead').flatMap((t) => t.notes);
  return Array.from({ length: count }, (_, u) => {
    const start = section.startTick + u * unitTicks;
    return lead
      .filter((n) => n.tick >= start && n.tick < start + unitTicks)
      .map((n) => ({ step: Math.round((n.tick - start) / step), pitch: n.pitch }));
  });
}

/** Share of notes changed between two units under transposition t (see the module comment). */
export function changedShare(u: readonly UnitNote[], theme: readonly UnitNote[], t: number): number {
  if (!u.length || !theme.length) return 1;
  const counts = new Map<number, number>();
  const key = (n: UnitNote, shift: number) => n.step * 256 + n.pitch + shift;
  for (const n of theme) counts.set(key(n, t), (counts.get(key(n, t)) ?? 0) + 1);
  let common = 0;
  for (const n of u) {
    const c = counts.get(key(n, 0)) ?? 0;
    if (c > 0) {
      common++;
      counts.set(key(n, 0), c - 1);
    }
  }
  return Math.max(u.length - common, theme.length - common) / Math.max(u.length, theme.length);
}

export function unitsMatch(u: readonly UnitNote[], theme: readonly UnitNote[]): boolean {
  for (let t = -12; t <= 12; t++) if (changedShare(u, theme, t) <= MAX_CHANGED) return true;
  return false;
}

export interface SectionMatch {
  name: string;
  units: number;
  matched: number;
}

export interface ThemeReturnResult {
  /** Name of the theme's first statement, or null when the piece has no body section. */
  theme: string | null;
  themeUnits: number;
  returning: SectionMatch[];
  contrasting: SectionMatch[];
  /** Matched / all units of the returning sections; null when there are none. */
  returnShare: number | null;
  contrastShare: number | null;
}

function share(list: readonly SectionMatch[]): number | null {
  const units = list.reduce((a, s) => a + s.units, 0);
  return units ? list.reduce((a, s) => a + s.matched, 0) / units : null;
}

export function themeReturn(score: Score): ThemeReturnResult {
  const infos = classifySections(score);
  const theme = infos.find((s) => s.role === 'theme');
  const themeUnits = theme ? sectionUnits(score, theme.section) : [];
  const measure = (s: SectionInfo): SectionMatch => {
    const units = sectionUnits(score, s.section);
    return { name: s.section.name, units: units.length, matched: units.filter((u) => themeUnits.some((t) => unitsMatch(u, t))).length };
  };
  const returning = infos.filter((s) => s.role === 'returning').map(measure).filter((s) => s.units > 0);
  const contrasting = infos.filter((s) => s.role === 'contrasting').map(measure).filter((s) => s.units > 0);
  return { theme: theme?.section.name ?? null, themeUnits: themeUnits.length, returning, contrasting, returnShare: share(returning), contrastShare: share(contrasting) };
}


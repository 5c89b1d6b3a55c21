/**
 * Is the lead above the accompaniment? Lead median pitch minus the median top voice of the chords
 * and pad: for each of the harmony and pad tracks, the notes are grouped by onset (notes starting
 * within a 32nd of each other form one chord) and each group's highest pitch is a top voice; the
 * median is over all groups of both tracks. The lead's median is over its notes (each note once).
 * Also reported: whether the lead plays the same GM program as the chords.
 */
import type { Score, ScoreNote } from '../../core/score.ts';

export interface LeadAboveResult {
  leadMedian: number | null;
  accompanimentTopMedian: number | null;
  /** leadMedian − accompanimentTopMedian; null when either is missing. */
  aboveBy: number | null;
  sameProgramAsChords: boolean;
}

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Highest pitch of each onset group (onsets within `window` ticks of the group's first). */
export function topVoices(notes: readonly ScoreNote[], window: number): number[] {
  const sorted = [...notes].sort((a, b) => a.tick - b.tick);
  const tops: number[] = [];
  let start = -Infinity;
  for (const n of sorted) {
    if (n.tick - start > window) {
      tops.push(n.pitch);
      start = n.tick;
    } else tops[tops.length - 1] = Math.max(tops[tops.length - 1]!, n.pitch);
  }
  return tops;
}

export function leadAbove(score: Score): LeadAboveResult {
  const lead = score.tracks.filter((t) => t.role === 'lead');
  const chords = score.tracks.filter((t) => t.role === 'harmony');
  const accompaniment = score.tracks.filter((t) => t.role === 'harmony' || t.role === 'pad');
  const leadMedian = median(lead.flatMap((t) => t.notes.map((n) => n.pitch)));
  const accompanimentTopMedian = median(accompaniment.flatMap((t) => topVoices(t.notes, score.ppq / 8)));
  return {
    leadMedian,
    accompanimentTopMedian,
    aboveBy: leadMedian !== null && accompanimentTopMedian !== null ? leadMedian - accompanimentTopMedian : null,
    sameProgramAsChords: lead.some((l) => chords.some((c) => c.program === l.program)),
  };
}

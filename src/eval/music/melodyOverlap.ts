/**
 * Melody metrics against real pop melodies. A piece's melody excerpt is its lead track on the 16th
 * grid, 20 bars from the first bar in which the lead starts a note (shorter if the music ends
 * first); a POP909 excerpt is the same: 20 bars from the first bar with a melody note. The metrics
 * are src/neural/metrics.ts's MusPy-style set; the overlapping area (Yang & Lerch) of each metric's
 * distribution over a set of pieces against the POP909 excerpts' is averaged over the six
 * informative metrics (polyphony is 1 for every monophonic melody and says nothing).
 */
import { ticksPerBar, type Score } from '../../core/score.ts';
import { METRIC_NAMES, computeMetrics, gridNotes, overlappingArea, type GridNote, type MetricName, type Metrics } from '../../neural/metrics.ts';
import { REST, STEP_HOLD, STEP_REST, tokenToPitch, type PreparedPiece } from '../../neural/representation.ts';

export const EXCERPT_BARS = 20;
export const INFORMATIVE_METRICS: readonly MetricName[] = METRIC_NAMES.filter((m) => m !== 'polyphony');

export interface Excerpt {
  notes: GridNote[];
  lengthSteps: number;
  stepsPerBar: number;
}

/** The lead's excerpt of a composed piece (null when the lead is silent). */
export function scoreMelodyExcerpt(score: Score, bars = EXCERPT_BARS): Excerpt | null {
  const step = score.ppq / 4;
  const barTicks = ticksPerBar(score.meter, score.ppq);
  const stepsPerBar = Math.round(barTicks / step);
  const lead = score.tracks.filter((t) => t.role === 'lead').flatMap((t) => t.notes).filter((n) => n.tick < score.endTick);
  if (!lead.length) return null;
  const startTick = Math.floor(Math.min(...lead.map((n) => n.tick)) / barTicks) * barTicks;
  const endTick = Math.min(score.endTick, startTick + bars * barTicks);
  const lengthSteps = Math.round((endTick - startTick) / step);
  const notes = lead
    .filter((n) => n.tick >= startTick && n.tick < endTick)
    .map((n) => {
      const onset = Math.round((n.tick - startTick) / step);
      const end = Math.min(lengthSteps, Math.max(onset + 1, Math.round((n.tick + n.durationTicks - startTick) / step)));
      return { pitch: n.pitch, onset, duration: end - onset };
    })
    .filter((n) => n.onset < lengthSteps)
    .sort((a, b) => a.onset - b.onset);
  return { notes, lengthSteps, stepsPerBar };
}

/** POP909 excerpts: 20 bars (16 steps each) from each piece's first bar with a melody note. */
export function pop909Excerpts(pieces: readonly PreparedPiece[], bars = EXCERPT_BARS): Excerpt[] {
  const out: Excerpt[] = [];
  for (const p of pieces) {
    const first = p.tokens.findIndex((t) => t >= 2);
    if (first < 0) continue;
    const start = Math.floor(first / 16) * 16;
    const toks = p.tokens.slice(start, start + bars * 16);
    const steps = toks.map((t, i) => (t === REST ? STEP_REST : t < 2 ? (i === 0 ? STEP_REST : STEP_HOLD) : tokenToPitch(t)));
    out.push({ notes: gridNotes(steps), lengthSteps: steps.length, stepsPerBar: 16 });
  }
  return out;
}

export function excerptMetrics(e: Excerpt): Metrics {
  return computeMetrics(e.notes, e.lengthSteps, e.stepsPerBar);
}

export interface OverlapResult {
  perMetric: Record<MetricName, number>;
  /** Mean over INFORMATIVE_METRICS. */
  mean: number;
}

export function melodyOverlap(generated: readonly Metrics[], real: readonly Metrics[]): OverlapResult {
  const perMetric = {} as Record<MetricName, number>;
  for (const m of METRIC_NAMES) perMetric[m] = overlappingArea(generated.map((x) => x[m]), real.map((x) => x[m]));
  return { perMetric, mean: INFORMATIVE_METRICS.reduce((a, m) => a + perMetric[m], 0) / INFORMATIVE_METRICS.length };
}

/**
 * Holes before bar lines: bar lines where nothing (or almost nothing) sounds in the last 16th
 * before them, over all pitched tracks (channel 10 excluded).
 *
 *   bar lines  every bar line inside the music and the one into the final cadence (or the loop
 *              point): bars 1…n of the n bars before Score.endTick.
 *   gap        the pitched notes together sound for less than half of the 16th before the bar line
 *              ([line − 16th, line)). A note released a 32nd or more early with nothing else
 *              sounding is a gap; a legato join a few ticks short is not. Note length is taken
 *              as written (no release tail: the audio measure in dropouts.ts hears those).
 *   breaks     bar lines whose last 16th lies inside a section the plan marks as a break
 *              (sections.ts) are excepted; today's plans have none.
 */
import { DRUM_CHANNEL, ticksPerBar, type Score } from '../../core/score.ts';
import { isBreakSection } from './sections.ts';

export interface BarLineGapResult {
  barLines: number;
  gaps: number;
  /** Ticks of the bar lines with a gap. */
  gapTicks: number[];
  share: number;
}

/** Ticks of [from, to) covered by at least one of the spans. */
export function coveredTicks(spans: readonly (readonly [number, number])[], from: number, to: number): number {
  const clipped = spans
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let end = from;
  for (const [a, b] of clipped) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  return covered;
}

export function barLineGaps(score: Score): BarLineGapResult {
  const barTicks = ticksPerBar(score.meter, score.ppq);
  const sixteenth = score.ppq / 4;
  const bars = Math.floor(score.endTick / barTicks);
  const spans = score.tracks
    .filter((t) => t.channel !== DRUM_CHANNEL)
    .flatMap((t) => t.notes.map((n) => [n.tick, n.tick + n.durationTicks] as const));
  const breaks = score.sections.filter(isBreakSection);
  let barLines = 0;
  const gapTicks: number[] = [];
  for (let k = 1; k <= bars; k++) {
    const line = k * barTicks;
    if (breaks.some((s) => s.startTick < line && s.endTick >= line)) continue;
    barLines++;
    const near = spans.filter(([a, b]) => a < line && b > line - sixteenth);
    if (coveredTicks(near, line - sixteenth, line) * 2 < sixteenth) gapTicks.push(line);
  }
  return { barLines, gaps: gapTicks.length, gapTicks, share: barLines ? gapTicks.length / barLines : 0 };
}

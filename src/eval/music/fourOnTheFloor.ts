/**
 * Four on the floor: the share of drum bars with a kick on every beat.
 *
 *   drum bar   a bar of the music (before the final cadence, Score.endTick) in which the drum
 *              track (channel 10) plays any note.
 *   kick       GM 35 (acoustic bass drum) or 36 (bass drum 1).
 *   on a beat  an onset within half a 16th (a 32nd) of the beat, so humanised timing still counts.
 *   beats      the felt beats of the meter (4 in 4/4, 3 in 3/4, 2 dotted quarters in 6/8).
 */
import { DRUM_CHANNEL, ticksPerBar, ticksPerBeat, type Score } from '../../core/score.ts';

export const KICKS: ReadonlySet<number> = new Set([35, 36]);

export interface FourOnTheFloorResult {
  drumBars: number;
  fourOnTheFloorBars: number;
  /** null when the piece has no drum bar. */
  share: number | null;
}

export function fourOnTheFloor(score: Score): FourOnTheFloorResult {
  const barTicks = ticksPerBar(score.meter, score.ppq);
  const beatTicks = ticksPerBeat(score.meter, score.ppq);
  const tolerance = score.ppq / 8;
  const bars = Math.floor(score.endTick / barTicks);
  const drums = score.tracks.filter((t) => t.channel === DRUM_CHANNEL).flatMap((t) => t.notes);
  let drumBars = 0;
  let full = 0;
  const kicks = drums.filter((n) => KICKS.has(n.pitch));
  for (let bar = 0; bar < bars; bar++) {
    const start = bar * barTicks;
    if (!drums.some((n) => n.tick >= start && n.tick < start + barTicks)) continue;
    drumBars++;
    let every = true;
    for (let beat = start; beat < start + barTicks; beat += beatTicks) if (!kicks.some((n) => Math.abs(n.tick - beat) <= tolerance)) every = false;
    if (every) full++;
  }
  return { drumBars, fourOnTheFloorBars: full, share: drumBars ? full / drumBars : null };
}

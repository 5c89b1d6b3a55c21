/**
 * Average notes sounding at once over the whole piece (final cadence included), drums (channel 10)
 * excluded, weighted by time over the sounding time only: the integral of the number of distinct
 * (channel, pitch) pairs sounding, divided by the time in which at least one pitched note sounds.
 * Silences do not pull the figure down (MusPy's polyphony, in ticks instead of on a grid). Two
 * overlapping notes of one pitch on one channel count once: a synthesiser plays them as one.
 */
import { DRUM_CHANNEL, type Score } from '../../core/score.ts';

export function polyphony(score: Score): number {
  const events: [tick: number, key: number, delta: 1 | -1][] = [];
  for (const t of score.tracks) {
    if (t.channel === DRUM_CHANNEL) continue;
    for (const n of t.notes) {
      const key = t.channel * 128 + n.pitch;
      events.push([n.tick, key, 1], [n.tick + n.durationTicks, key, -1]);
    }
  }
  if (!events.length) return 0;
  events.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  const depth = new Map<number, number>();
  let distinct = 0;
  let weighted = 0;
  let sounding = 0;
  let last = events[0]![0];
  for (const [tick, key, delta] of events) {
    if (distinct > 0) {
      weighted += distinct * (tick - last);
      sounding += tick - last;
    }
    last = tick;
    const before = depth.get(key) ?? 0;
    depth.set(key, before + delta);
    if (before === 0 && delta === 1) distinct++;
    if (before === 1 && delta === -1) distinct--;
  }
  return sounding ? weighted / sounding : 0;
}

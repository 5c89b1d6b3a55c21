/**
 * Is there a drum kit? Counts the notes on channel 10 that belong to a kit: kicks (35, 36), snares,
 * side stick and clap (37–40), toms (41, 43, 45, 47, 48, 50), hi-hats (42, 44, 46) and rides
 * (51, 53, 59). Crash, splash and china cymbals (49, 52, 55, 57) and the rest of the GM
 * percussion map (triangle, shakers, timbales…) are counted separately as orchestral / hand
 * percussion: a cymbal swell is not a kit. Timpani (GM program 47 on a pitched channel) is no
 * kit at all: only channel 10 is read.
 */
import { DRUM_CHANNEL, type Score } from '../../core/score.ts';

export const KIT_KEYS: ReadonlySet<number> = new Set([35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 51, 53, 59]);

export interface DrumKitResult {
  kitNotes: number;
  /** Channel-10 notes outside the kit (cymbals, hand and orchestral percussion). */
  otherPercussionNotes: number;
  /** The kit keys that sound, ascending. */
  kitKeys: number[];
}

export function drumKit(score: Score): DrumKitResult {
  const notes = score.tracks.filter((t) => t.channel === DRUM_CHANNEL).flatMap((t) => t.notes);
  const kit = notes.filter((n) => KIT_KEYS.has(n.pitch));
  return { kitNotes: kit.length, otherPercussionNotes: notes.length - kit.length, kitKeys: [...new Set(kit.map((n) => n.pitch))].sort((a, b) => a - b) };
}

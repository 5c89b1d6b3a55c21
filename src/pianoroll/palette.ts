/**
 * Colours for the piano roll: a dark theme, one bright colour per track, and muted section bands.
 */
import { DRUM_CHANNEL } from '../core/score.ts';
import type { Role, Score, ScoreTrack } from '../core/score.ts';
import { mix } from './canvas.ts';
import type { Color } from './canvas.ts';

export const THEME = {
  background: 0x101218,
  plot: 0x171a21,
  /** Rows of black keys are a shade darker, like a piano roll editor's keyboard stripes. */
  blackKeyRow: 0x13161c,
  frame: 0x2b303b,
  octaveLine: 0x2e3440,
  beatLine: 0x1d2028,
  barLine: 0x272c36,
  strongBarLine: 0x3e4555,
  axisTick: 0x5a6273,
  title: 0xf3f5f9,
  subtitle: 0x98a2b3,
  label: 0x7f8898,
  sectionText: 0xe8ebf0,
} as const;

/** Bright, mutually distinct colours that read on the dark plot. */
export const TRACK_PALETTE: readonly Color[] = [
  0xff9f43, // orange
  0x4cc9f0, // sky blue
  0x7bd389, // green
  0xb48cff, // violet
  0xffd166, // yellow
  0xff6fa8, // pink
  0x3ddbd9, // teal
  0xff6b6b, // red
  0xe6dcc6, // warm white
  0x9fb3ff, // periwinkle
];

/** Where in the palette each role looks first, so a lead is orange and drums warm white across pieces. */
const ROLE_PREFERENCE: Record<Role, number> = { lead: 0, harmony: 1, bass: 2, pad: 3, arp: 4, perc: 5, drums: 8 };

export const SECTION_PALETTE: readonly Color[] = [0x2f3e5c, 0x4a3358, 0x2f5249, 0x5a4530, 0x4d2f3b, 0x34495e];

export function isDrumTrack(track: ScoreTrack): boolean {
  return track.role === 'drums' || track.channel === DRUM_CHANNEL;
}

/** One colour per track (same order as score.tracks); roles get their usual colour when it is free. */
export function trackColors(score: Score): Color[] {
  const taken = new Set<number>();
  return score.tracks.map((track) => {
    const start = ROLE_PREFERENCE[track.role] ?? 0;
    for (let k = 0; k < TRACK_PALETTE.length; k++) {
      const index = (start + k) % TRACK_PALETTE.length;
      if (!taken.has(index)) {
        taken.add(index);
        return TRACK_PALETTE[index]!;
      }
    }
    // More tracks than colours: reuse, slightly darkened so neighbours still differ.
    return mix(TRACK_PALETTE[start % TRACK_PALETTE.length]!, 0x000000, 0.25);
  });
}

/** Velocity as brightness: full colour at 127, about a third at 1, never vanishing into the background. */
export function velocityShade(color: Color, velocity: number): Color {
  const v = Math.max(1, Math.min(127, velocity));
  return mix(0x000000, color, 0.35 + (0.65 * v) / 127);
}

/** Section colours by name, in order of first appearance: a repeated "A" gets the same band colour. */
export function sectionColors(names: readonly string[]): Color[] {
  const byName = new Map<string, Color>();
  return names.map((name) => {
    let color = byName.get(name);
    if (color === undefined) {
      color = SECTION_PALETTE[byName.size % SECTION_PALETTE.length]!;
      byName.set(name, color);
    }
    return color;
  });
}

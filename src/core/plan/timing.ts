/**
 * Exact length: choose the tempo and bar count so the audio lasts exactly the requested
 * duration. Non-loops end with a final tonic chord on a downbeat plus a release tail, both
 * inside the duration; loops are a whole number of bars, with the tempo nudged to fit.
 */
import type { Meter } from '../score.ts';

export interface Timing {
  bpm: number;
  /** Whole bars of music before the final chord (non-loop) or of the loop. */
  bars: number;
  /** Seconds from the final chord's downbeat to the note-offs (0 for loops). */
  finalHoldSec: number;
  /** Seconds of release tail after the note-offs, inside the duration (0 for loops). */
  releaseSec: number;
  /** True when the requested tempo had to change (loops only). */
  tempoAdjusted: boolean;
}

export function barSeconds(bpm: number, meter: Meter): number {
  return (meter.numerator * (4 / meter.denominator) * 60) / bpm;
}

/** Release tail: long enough for reverb to ring out, short next to the piece. */
export function releaseFor(durationSec: number): number {
  return Math.min(1.5, Math.max(0.25, durationSec * 0.08));
}

export function planTiming(opts: {
  durationSec: number;
  meter: Meter;
  bpm: number;
  tempoFixed: boolean;
  tempoRange: { min: number; max: number };
  loop: boolean;
}): Timing {
  const { durationSec, meter, loop } = opts;
  if (loop) return loopTiming(opts);

  const release = releaseFor(durationSec);
  const beatSec = (bpm: number) => barSeconds(bpm, meter) / meter.numerator;
  // The final chord should ring for at least a beat (or what little time a tiny piece has).
  const holdFor = (bpm: number) => {
    const bar = barSeconds(bpm, meter);
    const minHold = Math.min(beatSec(bpm) * 2, Math.max(0.2, (durationSec - release) * 0.5));
    const bars = Math.max(0, Math.floor((durationSec - release - minHold) / bar + 1e-9));
    return { bars, hold: durationSec - release - bars * bar };
  };

  let bpm = opts.bpm;
  let { bars, hold } = holdFor(bpm);
  if (!opts.tempoFixed && bars >= 2) {
    // Nudge the tempo (±6%, inside the style's range) so the final chord lasts about one bar.
    const target = barSeconds(bpm, meter);
    const wanted = (bars * barSeconds(bpm, meter) * bpm) / (durationSec - release - target);
    const nudged = Math.min(opts.tempoRange.max, Math.max(opts.tempoRange.min, wanted));
    if (Math.abs(nudged - bpm) / bpm <= 0.06) {
      bpm = Math.round(nudged * 100) / 100;
      ({ bars, hold } = holdFor(bpm));
    }
  }
  return { bpm, bars, finalHoldSec: hold, releaseSec: release, tempoAdjusted: false };
}

function loopTiming(opts: { durationSec: number; meter: Meter; bpm: number; tempoFixed: boolean }): Timing {
  const bar = barSeconds(opts.bpm, opts.meter);
  // Prefer a multiple of 4 bars (phrases) when the tempo change stays small.
  let bars = Math.max(1, Math.round(opts.durationSec / bar));
  const four = Math.max(4, Math.round(bars / 4) * 4);
  if (Math.abs(four * bar - opts.durationSec) / opts.durationSec <= 0.08 && opts.durationSec / bar >= 3) bars = four;
  const bpm = (bars * barSeconds(1, opts.meter)) / opts.durationSec;
  return {
    bpm,
    bars,
    finalHoldSec: 0,
    releaseSec: 0,
    tempoAdjusted: Math.abs(bpm - opts.bpm) > 1e-6,
  };
}

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

/** How far a tempo the user did not fix may move to make the bars fit the duration. */
const FREE_TEMPO_NUDGE = 0.12;

export function planTiming(opts: {
  durationSec: number;
  meter: Meter;
  bpm: number;
  tempoFixed: boolean;
  tempoRange: { min: number; max: number };
  loop: boolean;
}): Timing {
  if (opts.loop) return loopTiming(opts);
  const { durationSec, meter } = opts;
  const release = releaseFor(durationSec);
  const quarters = (bpm: number) => (durationSec - release) * (bpm / 60); // music time in quarter notes
  const barQuarters = meter.numerator * (4 / meter.denominator);
  const beatQuarters = barQuarters / meter.numerator;

  // The final chord rings at least two beats (less only when the piece is tinier than that).
  const holdAt = (bpm: number) => {
    const total = quarters(bpm);
    const minHold = Math.min(beatQuarters * 2, total * 0.5);
    // The tolerance absorbs the rounding of a nudged tempo to 0.01 bpm.
    const bars = Math.max(0, Math.floor((total - minHold) / barQuarters + 1e-3));
    return { bars, holdQuarters: total - bars * barQuarters };
  };

  let bpm = opts.bpm;
  if (!opts.tempoFixed) {
    // Free tempo: pick the bar count whose tempo (for a final chord of about a bar, or two beats
    // in short pieces) is nearest the wanted one, within the nudge and the style's range.
    const targetHold = durationSec >= 20 ? barQuarters : beatQuarters * 2;
    const approxBars = (quarters(bpm) - targetHold) / barQuarters;
    let best: number | undefined;
    for (let bars = Math.max(1, Math.floor(approxBars) - 1); bars <= Math.ceil(approxBars) + 1; bars++) {
      const candidate = ((bars * barQuarters + targetHold) * 60) / (durationSec - release);
      const inRange = candidate >= opts.tempoRange.min && candidate <= opts.tempoRange.max;
      const near = Math.abs(candidate - opts.bpm) / opts.bpm <= FREE_TEMPO_NUDGE;
      if (inRange && near && (best === undefined || Math.abs(candidate - opts.bpm) < Math.abs(best - opts.bpm))) best = candidate;
    }
    if (best !== undefined) bpm = Math.round(best * 100) / 100;
  }
  const { bars, holdQuarters } = holdAt(bpm);
  return { bpm, bars, finalHoldSec: (holdQuarters * 60) / bpm, releaseSec: release, tempoAdjusted: false };
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

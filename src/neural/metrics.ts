/**
 * Evaluation metrics for melodies on the 16th-note grid, after MusPy (Dong et al. 2020), the
 * Yang & Lerch (2018) overlapping area between two sets' metric distributions, and
 * Krumhansl–Schmuckler key detection.
 *
 * Definitions used here (a piece = notes with onset/duration in 16th steps, 16 steps per bar):
 *   pitchClassEntropy  — Shannon entropy (bits) of the note-count pitch-class histogram
 *   scaleConsistency   — largest fraction of notes inside one major or natural-minor scale
 *   grooveConsistency  — 1 − mean Hamming distance between consecutive bars' onset patterns / 16
 *   emptyBeatRate      — fraction of beats in which no note sounds
 *   polyphony          — mean number of sounding notes over steps where any note sounds
 *   pitchRange         — highest − lowest pitch (semitones)
 *   meanIoi            — mean inter-onset interval (steps)
 */

export interface GridNote {
  pitch: number;
  onset: number;
  duration: number;
}

export const METRIC_NAMES = ['pitchClassEntropy', 'scaleConsistency', 'grooveConsistency', 'emptyBeatRate', 'polyphony', 'pitchRange', 'meanIoi'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Metrics = Record<MetricName, number>;

/** Step grid (pitch ≥ 0 note-on / −1 hold / −2 rest) → notes. */
export function gridNotes(steps: readonly number[]): GridNote[] {
  const out: GridNote[] = [];
  for (let s = 0; s < steps.length; s++) {
    const p = steps[s]!;
    if (p < 0) continue;
    let e = s + 1;
    while (e < steps.length && steps[e] === -1) e++;
    out.push({ pitch: p, onset: s, duration: e - s });
  }
  return out;
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

export function computeMetrics(notes: readonly GridNote[], lengthSteps: number, stepsPerBar = 16): Metrics {
  const n = notes.length;
  const hist = new Array<number>(12).fill(0);
  for (const x of notes) hist[((x.pitch % 12) + 12) % 12]!++;
  let entropy = 0;
  for (const h of hist) if (h > 0) entropy -= (h / n) * Math.log2(h / n);

  let bestScale = 0;
  for (let tonic = 0; tonic < 12; tonic++)
    for (const scale of [MAJOR, MINOR]) {
      let inside = 0;
      for (const iv of scale) inside += hist[(tonic + iv) % 12]!;
      bestScale = Math.max(bestScale, n ? inside / n : 0);
    }

  const bars = Math.max(1, Math.ceil(lengthSteps / stepsPerBar));
  const patterns: Uint8Array[] = Array.from({ length: bars }, () => new Uint8Array(stepsPerBar));
  for (const x of notes) patterns[Math.floor(x.onset / stepsPerBar)]![x.onset % stepsPerBar] = 1;
  let ham = 0;
  for (let b = 1; b < bars; b++) {
    let d = 0;
    for (let k = 0; k < stepsPerBar; k++) d += patterns[b]![k] !== patterns[b - 1]![k] ? 1 : 0;
    ham += d / stepsPerBar;
  }
  const groove = bars > 1 ? 1 - ham / (bars - 1) : 1;

  const sounding = soundingCounts(notes, lengthSteps);
  const beats = Math.ceil(lengthSteps / 4);
  let empty = 0;
  for (let b = 0; b < beats; b++) {
    let any = false;
    for (let s = b * 4; s < Math.min(lengthSteps, b * 4 + 4); s++) if (sounding[s]! > 0) any = true;
    if (!any) empty++;
  }

  const pitches = notes.map((x) => x.pitch);
  const onsets = [...new Set(notes.map((x) => x.onset))].sort((a, b) => a - b);
  let ioi = 0;
  for (let i = 1; i < onsets.length; i++) ioi += onsets[i]! - onsets[i - 1]!;

  return {
    pitchClassEntropy: entropy,
    scaleConsistency: bestScale,
    grooveConsistency: groove,
    emptyBeatRate: beats ? empty / beats : 0,
    polyphony: meanPolyphony(sounding),
    pitchRange: n ? Math.max(...pitches) - Math.min(...pitches) : 0,
    meanIoi: onsets.length > 1 ? ioi / (onsets.length - 1) : 0,
  };
}

function gaussianKde(values: readonly number[], bw: number): (x: number) => number {
  const k = 1 / (values.length * bw * Math.sqrt(2 * Math.PI));
  return (x) => {
    let s = 0;
    for (const v of values) {
      const u = (x - v) / bw;
      s += Math.exp(-0.5 * u * u);
    }
    return s * k;
  };
}

function silverman(values: readonly number[], scale: number): number {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const sorted = [...values].sort((a, b) => a - b);
  const iqr = (sorted[Math.floor(0.75 * (n - 1))]! - sorted[Math.floor(0.25 * (n - 1))]!) / 1.34;
  const spread = Math.min(sd, iqr > 0 ? iqr : sd);
  // Degenerate sets (all equal, e.g. polyphony 1 of monophonic melodies) get a small width on the
  // common scale, so equal constants overlap fully and different constants do not.
  return Math.max(0.9 * spread * n ** -0.2, 1e-3 * scale);
}

/** Overlapping area of the two sets' Gaussian-KDE densities (Yang & Lerch 2018), in [0, 1]. */
export function overlappingArea(a: readonly number[], b: readonly number[]): number {
  if (!a.length || !b.length) return 0;
  const all = [...a, ...b];
  const lo0 = Math.min(...all);
  const hi0 = Math.max(...all);
  const scale = Math.max(1e-9, hi0 - lo0, Math.abs(hi0), Math.abs(lo0));
  const pa = gaussianKde(a, silverman(a, scale));
  const pb = gaussianKde(b, silverman(b, scale));
  const bw = Math.max(silverman(a, scale), silverman(b, scale));
  const lo = lo0 - 4 * bw;
  const hi = hi0 + 4 * bw;
  const N = 2000;
  const dx = (hi - lo) / N;
  let area = 0;
  for (let i = 0; i < N; i++) {
    const x = lo + (i + 0.5) * dx;
    area += Math.min(pa(x), pb(x)) * dx;
  }
  return Math.min(1, area);
}

// Krumhansl–Kessler key profiles (1982), tonic first.
// Krumhansl–Schmuckler lives in core (the composer's key guard uses it); re-exported for the evaluations.
export { detectKey, expectedKsKey, keyScores } from '../core/keyProfile.ts';

/** How many notes sound at each step (onset to onset + duration, cut at the length). */
export function soundingCounts(notes: readonly { onset: number; duration: number }[], lengthSteps: number): Uint16Array {
  const sounding = new Uint16Array(lengthSteps);
  for (const x of notes) for (let s = x.onset; s < Math.min(lengthSteps, x.onset + x.duration); s++) sounding[s]!++;
  return sounding;
}

/** Mean number of sounding notes over the steps where any note sounds (0 for silence). */
export function meanPolyphony(sounding: Uint16Array): number {
  let sum = 0;
  let steps = 0;
  for (const c of sounding)
    if (c > 0) {
      sum += c;
      steps++;
    }
  return steps ? sum / steps : 0;
}

/**
 * Metrics of an accompaniment (all of its notes: comping and bass together, as POP909's PIANO +
 * BRIDGE tracks hold both hands) on the 16th-note grid, 16 steps per bar:
 *   polyphony        — mean number of sounding notes over steps where any note sounds
 *   pitchRange       — highest − lowest pitch (semitones)
 *   onsetDensity     — note onsets per bar
 *   chordToneRatio   — fraction of notes whose pitch class is in the chord sounding at their onset
 *                      (notes under no chord are not counted)
 *   voiceLeading     — mean over consecutive chord spans of the mean distance (semitones) from each
 *                      pitch struck in a span to the nearest pitch struck in the previous span
 *   grooveConsistency — 1 − mean Hamming distance between consecutive bars' onset patterns / 16
 * Overlapping areas and bootstrap intervals use metrics.ts's Gaussian-KDE overlappingArea.
 */
import { createRng } from '../core/rng.ts';
import { meanPolyphony, overlappingArea, soundingCounts } from './metrics.ts';

export interface AccompNote {
  pitch: number;
  onset: number;
  duration: number;
}

export const ACCOMP_METRIC_NAMES = ['polyphony', 'pitchRange', 'onsetDensity', 'chordToneRatio', 'voiceLeading', 'grooveConsistency'] as const;
export type AccompMetricName = (typeof ACCOMP_METRIC_NAMES)[number];
export type AccompMetrics = Record<AccompMetricName, number>;

/**
 * @param chordAt per step: the chord's 12-bit pitch-class mask and an id that changes at each chord
 *   change (mask 0 = no chord).
 */
export function accompMetrics(notes: readonly AccompNote[], lengthSteps: number, chordAt: (step: number) => { mask: number; span: number }): AccompMetrics {
  const sounding = soundingCounts(notes, lengthSteps);
  const pitches = notes.map((n) => n.pitch);
  const bars = Math.max(1, Math.ceil(lengthSteps / 16));

  let inChord = 0;
  let counted = 0;
  const spans = new Map<number, number[]>();
  for (const n of notes) {
    const c = chordAt(n.onset);
    if (c.mask === 0) continue;
    counted++;
    if ((c.mask >> (((n.pitch % 12) + 12) % 12)) & 1) inChord++;
    const list = spans.get(c.span) ?? [];
    list.push(n.pitch);
    spans.set(c.span, list);
  }
  const order = [...spans.keys()].sort((a, b) => a - b);
  let vl = 0;
  let vlN = 0;
  for (let i = 1; i < order.length; i++) {
    const prev = [...new Set(spans.get(order[i - 1]!)!)];
    const cur = [...new Set(spans.get(order[i]!)!)];
    let d = 0;
    for (const p of cur) d += Math.min(...prev.map((q) => Math.abs(p - q)));
    vl += d / cur.length;
    vlN++;
  }

  const patterns: Uint8Array[] = Array.from({ length: bars }, () => new Uint8Array(16));
  for (const n of notes) if (n.onset < lengthSteps) patterns[Math.floor(n.onset / 16)]![n.onset % 16] = 1;
  let ham = 0;
  for (let b = 1; b < bars; b++) {
    let d = 0;
    for (let k = 0; k < 16; k++) d += patterns[b]![k] !== patterns[b - 1]![k] ? 1 : 0;
    ham += d / 16;
  }
  return {
    polyphony: meanPolyphony(sounding),
    pitchRange: pitches.length ? Math.max(...pitches) - Math.min(...pitches) : 0,
    onsetDensity: notes.length / bars,
    chordToneRatio: counted ? inChord / counted : 0,
    voiceLeading: vlN ? vl / vlN : 0,
    grooveConsistency: bars > 1 ? 1 - ham / (bars - 1) : 1,
  };
}

/** Mean overlapping area over the metrics of `gen` against `real`. */
export function meanOverlap(gen: readonly AccompMetrics[], real: readonly AccompMetrics[], names: readonly AccompMetricName[] = ACCOMP_METRIC_NAMES): number {
  return names.reduce((a, m) => a + overlappingArea(gen.map((x) => x[m]), real.map((x) => x[m])), 0) / names.length;
}

/**
 * Percentile-bootstrap 95 % interval of f(resampled sets): every set is resampled with replacement
 * (independently) `rounds` times with a seeded generator.
 */
export function bootstrapInterval<T>(sets: readonly (readonly T[])[], f: (sets: T[][]) => number, rounds = 200, seed = 7): { lo: number; hi: number; point: number } {
  const rng = createRng(seed);
  const values: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const resampled = sets.map((s) => Array.from({ length: s.length }, () => s[Math.floor(rng.next() * s.length)]!));
    values.push(f(resampled));
  }
  values.sort((a, b) => a - b);
  return { lo: values[Math.floor(0.025 * rounds)]!, hi: values[Math.min(rounds - 1, Math.ceil(0.975 * rounds) - 1)]!, point: f(sets.map((s) => [...s])) };
}

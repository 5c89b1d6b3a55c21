/**
 * Krumhansl–Schmuckler key finding (Krumhansl–Kessler profiles, duration-weighted pitch-class
 * histogram): what the evaluations call key accuracy, and what the composer's key guard checks.
 */
import { tonicPitchClass } from './keys.ts';
import type { KeySignature } from './score.ts';

/** Major (0) or minor (1) family of a mode: dorian and phrygian read as minor, mixolydian and lydian as major. */
export function modeFamily(mode: string): 0 | 1 {
  const m = mode.toLowerCase();
  return m === 'minor' || m === 'aeolian' || m === 'dorian' || m === 'phrygian' || m === 'locrian' || m === 'harmonic minor' || m === 'melodic minor'
    ? 1
    : 0;
}

const KK_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const KK_MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

function correlation(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Correlation of the duration-weighted pitch-class histogram with each of the 24 key profiles. */
export function keyScores(notes: readonly { pitch: number; duration: number }[]): { tonicPc: number; mode: 'major' | 'minor'; r: number }[] {
  const hist = new Array<number>(12).fill(0);
  for (const x of notes) hist[((x.pitch % 12) + 12) % 12]! += x.duration;
  const out: { tonicPc: number; mode: 'major' | 'minor'; r: number }[] = [];
  for (let t = 0; t < 12; t++)
    for (const [mode, prof] of [
      ['major', KK_MAJOR],
      ['minor', KK_MINOR],
    ] as const)
      out.push({ tonicPc: t, mode, r: correlation(hist.map((_, k) => hist[(k + t) % 12]!), prof) });
  return out;
}

/**
 * The Krumhansl–Schmuckler key a requested key should be detected as: its tonic, and major or minor
 * by mode family (dorian reads as minor, mixolydian as major).
 */
export function expectedKsKey(key: KeySignature): { tonicPc: number; mode: 'major' | 'minor' } {
  return { tonicPc: tonicPitchClass(key), mode: modeFamily(key.mode) === 1 ? 'minor' : 'major' };
}

/** Krumhansl–Schmuckler: the best-correlated key (first in tonic order on ties). */
export function detectKey(notes: readonly { pitch: number; duration: number }[]): { tonicPc: number; mode: 'major' | 'minor'; r: number } {
  let best = { tonicPc: 0, mode: 'major' as 'major' | 'minor', r: -Infinity };
  for (const k of keyScores(notes)) if (k.r > best.r) best = k;
  return best;
}


/**
 * Correlation of `key`'s expected KS key minus the best other key's, over `notes` (> 0: the notes
 * read in `key`): what the composer's and the generators' key guards maximise.
 */
export function keyMargin(notes: readonly { pitch: number; duration: number }[], key: KeySignature): number {
  const scores = keyScores(notes);
  const want = expectedKsKey(key);
  const isWant = (k: { tonicPc: number; mode: string }) => k.tonicPc === want.tonicPc && k.mode === want.mode;
  return scores.find(isWant)!.r - Math.max(...scores.filter((k) => !isWant(k)).map((k) => k.r));
}

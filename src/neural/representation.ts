/**
 * The melody representation shared by data preparation, training, inference and evaluation.
 *
 * A melody is a grid of 16th-note steps (Magenta ImprovRNN style, so length in steps is exact).
 * Each step holds one token: REST, HOLD (the sounding note continues) or a note-on of one pitch in
 * [MIN_PITCH, MAX_PITCH]. Everything is stored transposed to a common key: the tonic moved to C
 * (shift in −5..+6 semitones, the smallest move, so the register barely changes) and the mode kept
 * as an input. Generation transposes back to the requested key.
 *
 * Model input at step t (the step whose token is predicted) is a concatenation of one-hot blocks:
 *   previous token (VOCAB) | position in the bar (16) | chord root (12) + no-chord (1) |
 *   chord chroma (12, relative to C in the common key) | mode (2) | tempo bin | density bin | register bin
 * The conditioning blocks repeat at every step instead of being prefix tokens: a truncated training
 * window then always sees them, and an LSTM needs no attention back to a prefix.
 */

export { modeFamily } from '../core/keyProfile.ts';

export const MIN_PITCH = 48; // C3
export const MAX_PITCH = 84; // C6
export const NUM_PITCHES = MAX_PITCH - MIN_PITCH + 1;
export const REST = 0;
export const HOLD = 1;
export const VOCAB = 2 + NUM_PITCHES;

/** Grid values used by the public API (per step): MIDI pitch ≥ 0 is a note-on. */
export const STEP_HOLD = -1;
export const STEP_REST = -2;

export const STEPS_PER_BAR = 16;
export const TEMPO_BINS = 3;
export const DENSITY_BINS = 3;
export const REGISTER_BINS = 3;
export const MODES = ['major', 'minor'] as const;
/** Density and register bins are computed per block of this many bars (local, so they are controllable). */
export const BLOCK_BARS = 8;

export const FEATURE_OFFSETS = (() => {
  let o = 0;
  const take = (n: number) => {
    const at = o;
    o += n;
    return at;
  };
  return {
    prev: take(VOCAB),
    pos: take(STEPS_PER_BAR),
    root: take(13), // 12 roots + index 12 = no chord
    chroma: take(12),
    mode: take(MODES.length),
    tempo: take(TEMPO_BINS),
    density: take(DENSITY_BINS),
    register: take(REGISTER_BINS),
    total: o,
  };
})();
export const INPUT_DIM = FEATURE_OFFSETS.total;

export function pitchToToken(pitch: number): number {
  let p = pitch;
  while (p < MIN_PITCH) p += 12;
  while (p > MAX_PITCH) p -= 12;
  return 2 + (p - MIN_PITCH);
}

export function tokenToPitch(token: number): number {
  return MIN_PITCH + token - 2;
}

/** Smallest transposition (−5..+6) that moves the tonic pitch class to C. */
export function shiftToC(tonicPc: number): number {
  const up = (12 - (((tonicPc % 12) + 12) % 12)) % 12; // 0..11
  return up > 6 ? up - 12 : up;
}

/** One step of conditioning for the model, all in the common key (tonic C). */
export interface StepInput {
  /** Position in the bar, 0..15. */
  pos: number;
  /** Chord root pitch class 0..11 or −1 for none. */
  root: number;
  /** 12-bit pitch-class mask of the chord (bit k = pitch class k). */
  chroma: number;
  mode: number;
  tempoBin: number;
  densityBin: number;
  registerBin: number;
}

/** Indices of the active (value 1) features for one step; the input is a sparse binary vector. */
export function activeFeatures(prevToken: number, s: StepInput, out: number[] = []): number[] {
  out.length = 0;
  const F = FEATURE_OFFSETS;
  out.push(F.prev + prevToken);
  out.push(F.pos + (s.pos % STEPS_PER_BAR));
  out.push(F.root + (s.root < 0 ? 12 : s.root));
  for (let k = 0; k < 12; k++) if (s.chroma & (1 << k)) out.push(F.chroma + k);
  out.push(F.mode + s.mode);
  out.push(F.tempo + s.tempoBin);
  out.push(F.density + s.densityBin);
  out.push(F.register + s.registerBin);
  return out;
}

/** Rotate a 12-bit pitch-class mask up by `shift` semitones. */
export function rotateChroma(mask: number, shift: number): number {
  const s = ((shift % 12) + 12) % 12;
  return ((mask << s) | (mask >>> (12 - s))) & 0xfff;
}

export function chromaToMask(chroma: readonly number[]): number {
  let m = 0;
  for (let k = 0; k < 12; k++) if ((chroma[k] ?? 0) > 0) m |= 1 << k;
  return m;
}

// Intervals above the root for the chord qualities in POP909's Harte-style labels ("C:min7/b3").
const QUALITY: Record<string, number[]> = {
  maj: [0, 4, 7],
  min: [0, 3, 7],
  dim: [0, 3, 6],
  aug: [0, 4, 8],
  sus2: [0, 2, 7],
  sus4: [0, 5, 7],
  'sus4(b7)': [0, 5, 7, 10],
  maj7: [0, 4, 7, 11],
  min7: [0, 3, 7, 10],
  '7': [0, 4, 7, 10],
  dim7: [0, 3, 6, 9],
  hdim7: [0, 3, 6, 10],
  minmaj7: [0, 3, 7, 11],
  maj6: [0, 4, 7, 9],
  min6: [0, 3, 7, 9],
  '9': [0, 4, 7, 10, 2],
  maj9: [0, 4, 7, 11, 2],
  min9: [0, 3, 7, 10, 2],
};

const NOTE_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

export function parsePitchClass(name: string): number | null {
  const letter = NOTE_PC[name[0]?.toUpperCase() ?? ''];
  if (letter === undefined) return null;
  let pc = letter;
  for (const ch of name.slice(1)) {
    if (ch === '#') pc++;
    else if (ch === 'b') pc--;
    else return null;
  }
  return ((pc % 12) + 12) % 12;
}

/** Parse "Root:quality[/bass]" (or "N") into root pitch class and chroma mask; null for no chord. */
export function parseHarteChord(label: string): { root: number; mask: number } | null {
  if (label === 'N' || label === 'X' || label === '') return null;
  const [rootName, rest = 'maj'] = label.split(':');
  const root = parsePitchClass(rootName ?? '');
  if (root === null) return null;
  const quality = rest.split('/')[0] ?? 'maj';
  const ivs = QUALITY[quality] ?? (quality.startsWith('min') ? QUALITY.min! : QUALITY.maj!);
  let mask = 0;
  for (const iv of ivs) mask |= 1 << ((root + iv) % 12);
  return { root, mask };
}

export function binOf(value: number, thresholds: readonly number[]): number {
  let b = 0;
  while (b < thresholds.length && value >= (thresholds[b] as number)) b++;
  return b;
}

/** A prepared piece (one key segment of one song), in the common key. */
export interface PreparedPiece {
  id: string;
  bpm: number;
  tokens: number[];
  pos: number[];
  root: number[];
  chroma: number[];
  mode: number;
  tempoBin: number;
  densityBin: number[];
  registerBin: number[];
  /** Original tonic pitch class, for the record. */
  tonicPc: number;
}

export interface DataStats {
  tempoThresholds: number[];
  densityThresholds: number[];
  registerThresholds: number[];
  splits: Record<'train' | 'valid' | 'test', string[]>;
  counts: Record<string, number>;
}

/** Note-ons per bar and mean pitch of the notes in token range [from, to). */
export function blockStats(tokens: readonly number[], from: number, to: number): { notesPerBar: number; meanPitch: number | null } {
  let n = 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i] as number;
    if (t >= 2) {
      n++;
      sum += tokenToPitch(t);
    }
  }
  const bars = Math.max(1, (to - from) / STEPS_PER_BAR);
  return { notesPerBar: n / bars, meanPitch: n > 0 ? sum / n : null };
}

/**
 * The accompaniment representation shared by data preparation, training, inference and evaluation.
 *
 * The accompaniment (POP909's PIANO and BRIDGE tracks together) is a piano roll on a 16th-note grid,
 * in the common key (tonic moved to C, as the melody model): per step and per pitch slot one of
 * off / onset (struck at this step) / sustain (still sounding from the previous step). The model
 * predicts, per step, two multi-hot vectors of NUM_SLOTS Bernoulli outputs each: onset[p] and
 * sustain[p] (sustain is only meaningful where p sounded at the previous step).
 *
 * Input at step t (binary, sparse):
 *   previous step's onsets (NUM_SLOTS) | previous step's sustains (NUM_SLOTS) | position in bar (16) |
 *   chord root (12 + no chord) | chord chroma (12) | melody pitch class (12 + no melody) |
 *   melody onset (1) | mode (2) | intensity bin (INTENSITY_BINS)
 * The intensity bin is the tertile of accompaniment onsets per bar over a block of BLOCK_BARS bars
 * (a section-level control the composer sets from the section's energy).
 *
 * The bass line is not a separate track in POP909: it is the pianist's left hand. The composer
 * splits the generated roll: the lowest onset at or below BASS_SPLIT becomes the bass part.
 */

export const MIN_SLOT_PITCH = 28; // E1 in the common key
export const NUM_SLOTS = 64; // E1 … G6
export const MAX_SLOT_PITCH = MIN_SLOT_PITCH + NUM_SLOTS - 1;
export const STEPS_PER_BAR = 16;
export const INTENSITY_BINS = 3;
export const BLOCK_BARS = 4;
/** Left-hand notes at or below this pitch (common key) can become the bass line (G3). */
export const BASS_SPLIT = 55;

export const ACCOMP_OFFSETS = (() => {
  let o = 0;
  const take = (n: number) => {
    const at = o;
    o += n;
    return at;
  };
  return {
    prevOn: take(NUM_SLOTS),
    prevSus: take(NUM_SLOTS),
    pos: take(STEPS_PER_BAR),
    root: take(13),
    chroma: take(12),
    melPc: take(13),
    melOn: take(1),
    mode: take(2),
    intensity: take(INTENSITY_BINS),
    total: o,
  };
})();
export const ACCOMP_INPUT_DIM = ACCOMP_OFFSETS.total;
/** Output units: onset logits [0, NUM_SLOTS), sustain logits [NUM_SLOTS, 2·NUM_SLOTS). */
export const ACCOMP_OUTPUT_DIM = 2 * NUM_SLOTS;

/** Fold a pitch by octaves into the slot range; returns the slot index. */
export function pitchToSlot(pitch: number): number {
  let p = pitch;
  while (p < MIN_SLOT_PITCH) p += 12;
  while (p > MAX_SLOT_PITCH) p -= 12;
  return p - MIN_SLOT_PITCH;
}

export function slotToPitch(slot: number): number {
  return MIN_SLOT_PITCH + slot;
}

/** Conditioning of one step, common key. */
export interface AccompStepInput {
  pos: number;
  /** Chord root pitch class or −1. */
  root: number;
  /** 12-bit chord pitch-class mask. */
  chroma: number;
  /** Melody pitch class sounding at this step, or −1. */
  melPc: number;
  /** 1 when a melody note starts at this step. */
  melOn: number;
  mode: number;
  intensity: number;
}

/** Active input features of one step given the previous step's onset and sustain slots. */
export function accompFeatures(prevOn: readonly number[], prevSus: readonly number[], s: AccompStepInput, out: number[] = []): number[] {
  out.length = 0;
  const F = ACCOMP_OFFSETS;
  for (const k of prevOn) out.push(F.prevOn + k);
  for (const k of prevSus) out.push(F.prevSus + k);
  out.push(F.pos + (s.pos % STEPS_PER_BAR));
  out.push(F.root + (s.root < 0 ? 12 : s.root));
  for (let k = 0; k < 12; k++) if (s.chroma & (1 << k)) out.push(F.chroma + k);
  out.push(F.melPc + (s.melPc < 0 ? 12 : s.melPc));
  if (s.melOn) out.push(F.melOn);
  out.push(F.mode + s.mode);
  out.push(F.intensity + s.intensity);
  return out;
}

/** A prepared accompaniment piece (one key segment of one song), common key. */
export interface AccompPiece {
  id: string;
  bpm: number;
  mode: number;
  tonicPc: number;
  /** Per step: onset slots. */
  on: number[][];
  /** Per step: sustained slots (sounding at the previous step and still sounding). */
  sus: number[][];
  pos: number[];
  root: number[];
  chroma: number[];
  melPc: number[];
  melOn: number[];
  /** Melody pitch sounding at each step (common key, unfolded), or −1: the same-shape melody reference of the evaluation. */
  melPitch: number[];
  intensity: number[];
}

export interface AccompStats {
  intensityThresholds: number[];
  splits: Record<'train' | 'valid' | 'test', string[]>;
  counts: Record<string, number>;
}

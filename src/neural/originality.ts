/**
 * Originality: a generated melody must not copy COPY_LIMIT (16) or more consecutive notes of a
 * training melody. Notes are compared as (interval to the previous note, inter-onset interval in
 * steps) pairs, so a copy transposed to another key or started elsewhere is still caught.
 *
 * The runtime index is a sorted Uint32Array of 32-bit hashes of every COPY_LIMIT-note window in
 * POP909 (all splits, so the bot never reproduces any of its songs), committed as
 * models/melody/ngram16.bin and rebuilt by scripts/prepare-ngram-index.ts. A 32-bit hash gives
 * false alarms at a rate of about (#windows / 2^32) ≈ 1e-4 per window: a harmless extra resample.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOLD, REST, STEP_HOLD, STEP_REST, tokenToPitch } from './representation.ts';

export const COPY_LIMIT = 16;

export interface MelodyNote {
  pitch: number;
  onset: number; // step
}

/** Note-ons of a token grid (model tokens, common key). */
export function notesFromTokens(tokens: ArrayLike<number>): MelodyNote[] {
  const out: MelodyNote[] = [];
  for (let s = 0; s < tokens.length; s++) {
    const t = tokens[s]!;
    if (t !== REST && t !== HOLD) out.push({ pitch: tokenToPitch(t), onset: s });
  }
  return out;
}

/** Note-ons of a public step grid (MIDI pitch ≥ 0 = note-on, −1 hold, −2 rest). */
export function notesFromSteps(steps: ArrayLike<number>): MelodyNote[] {
  const out: MelodyNote[] = [];
  for (let s = 0; s < steps.length; s++) {
    const p = steps[s]!;
    if (p !== STEP_HOLD && p !== STEP_REST && p >= 0) out.push({ pitch: p, onset: s });
  }
  return out;
}

/** FNV-1a over the (interval, IOI) pairs of notes[i .. i+n-1]. */
export function windowHash(notes: readonly MelodyNote[], i: number, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let k = i + 1; k < i + n; k++) {
    const a = notes[k - 1]!;
    const b = notes[k]!;
    // Clamp to a byte each; IOIs beyond 127 steps are all "very long".
    h = Math.imul(h ^ ((b.pitch - a.pitch + 128) & 0xff), 0x01000193);
    h = Math.imul(h ^ Math.min(255, b.onset - a.onset), 0x01000193);
  }
  return h >>> 0;
}

export function windowHashes(notes: readonly MelodyNote[], n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + n <= notes.length; i++) out.push(windowHash(notes, i, n));
  return out;
}

export class NgramIndex {
  constructor(
    readonly n: number,
    private readonly sorted: Uint32Array,
  ) {}

  static fromHashes(n: number, hashes: Iterable<number>): NgramIndex {
    const arr = Uint32Array.from(new Set(hashes));
    arr.sort();
    return new NgramIndex(n, arr);
  }

  static load(path: string, n = COPY_LIMIT): NgramIndex | null {
    if (!existsSync(path)) return null;
    const buf = readFileSync(path);
    const arr = new Uint32Array(buf.byteLength / 4);
    for (let i = 0; i < arr.length; i++) arr[i] = buf.readUInt32LE(i * 4);
    return new NgramIndex(n, arr);
  }

  get size(): number {
    return this.sorted.length;
  }

  toBuffer(): Buffer {
    const buf = Buffer.alloc(this.sorted.length * 4);
    this.sorted.forEach((h, i) => buf.writeUInt32LE(h, i * 4));
    return buf;
  }

  has(hash: number): boolean {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.sorted[mid]!;
      if (v === hash) return true;
      if (v < hash) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Index of the first note that starts a copied window, or −1. */
  firstCopy(notes: readonly MelodyNote[]): number {
    for (let i = 0; i + this.n <= notes.length; i++) if (this.has(windowHash(notes, i, this.n))) return i;
    return -1;
  }
}

export const DEFAULT_INDEX_PATH = join(import.meta.dirname, '../../models/melody/ngram16.bin');

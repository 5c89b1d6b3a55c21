/**
 * First-order Markov baseline for the accompaniment: the state of a 16th step is the set of notes
 * struck at it, each as (pitch − chord root, length in steps ≤ 16), fitted on the training pieces;
 * the next step's state is drawn from the counts after the current one (unseen states fall back to
 * the overall state frequencies). Pitches follow the current chord's root; the same key mask as the
 * model applies (onsets outside the allowed pitch classes are dropped).
 */
import { createRng } from '../core/rng.ts';
import type { AccompRoll } from './accompModel.ts';
import { BASS_SPLIT, MIN_SLOT_PITCH, NUM_SLOTS, type AccompPiece, type AccompStepInput } from './accompRepresentation.ts';

export class AccompMarkov {
  readonly version = 'accomp-markov@1';
  private constructor(
    private readonly next: Map<string, Map<string, number>>,
    private readonly unigram: Map<string, number>,
  ) {}

  static fit(pieces: readonly AccompPiece[]): AccompMarkov {
    const next = new Map<string, Map<string, number>>();
    const unigram = new Map<string, number>();
    for (const p of pieces) {
      let prev = '';
      for (let s = 0; s < p.on.length; s++) {
        const root = p.root[s]! < 0 ? 0 : p.root[s]!;
        const parts = p.on[s]!.map((k) => {
          let e = s + 1;
          while (e < p.on.length && e - s < 16 && p.sus[e]!.includes(k)) e++;
          return `${MIN_SLOT_PITCH + k - root}:${e - s}`;
        });
        const state = parts.join(',');
        const row = next.get(prev) ?? new Map<string, number>();
        row.set(state, (row.get(state) ?? 0) + 1);
        next.set(prev, row);
        unigram.set(state, (unigram.get(state) ?? 0) + 1);
        prev = state;
      }
    }
    return new AccompMarkov(next, unigram);
  }

  private static draw(counts: Map<string, number>, u: number): string {
    let total = 0;
    for (const c of counts.values()) total += c;
    let x = u * total;
    for (const [k, c] of counts) {
      x -= c;
      if (x < 0) return k;
    }
    return '';
  }

  generate(opts: { steps: readonly AccompStepInput[]; allowed: readonly number[]; allowedLow?: readonly number[]; seed: number; highestPitch?: number }): AccompRoll {
    const rng = createRng(opts.seed);
    const n = opts.steps.length;
    const on: number[][] = Array.from({ length: n }, () => []);
    const sus: number[][] = Array.from({ length: n }, () => []);
    let prev = '';
    for (let s = 0; s < n; s++) {
      const state = AccompMarkov.draw(this.next.get(prev) ?? this.unigram, rng.next());
      prev = state;
      if (!state) continue;
      const root = opts.steps[s]!.root < 0 ? 0 : opts.steps[s]!.root;
      for (const part of state.split(',')) {
        const [rel, dur] = part.split(':').map(Number) as [number, number];
        const pitch = rel + root;
        const k = pitch - MIN_SLOT_PITCH;
        if (k < 0 || k >= NUM_SLOTS || (opts.highestPitch !== undefined && pitch > opts.highestPitch)) continue;
        const mask = pitch <= BASS_SPLIT ? (opts.allowedLow?.[s] ?? opts.allowed[s]!) : opts.allowed[s]!;
        if (!((mask >> (pitch % 12)) & 1) || on[s]!.includes(k)) continue;
        on[s]!.push(k);
        for (let e = s + 1; e < Math.min(n, s + dur); e++) if (!sus[e]!.includes(k)) sus[e]!.push(k);
      }
    }
    // A later onset of the same pitch ends the sustain (the roll holds one state per slot).
    for (let s = 0; s < n; s++) {
      on[s]!.sort((a, b) => a - b);
      sus[s] = sus[s]!.filter((k) => !on[s]!.includes(k) && (s === 0 || on[s - 1]!.includes(k) || sus[s - 1]!.includes(k))).sort((a, b) => a - b);
    }
    return { on, sus };
  }
}

/**
 * The first-order Markov baseline: P(token_t | token_{t−1}) over the same tokens and the same
 * training pieces (common key), add-α smoothed. It sees no chords, bar position or conditioning —
 * that is what "first-order" means here, and what the LSTM has to beat.
 */
import { createRng } from '../core/rng.ts';
import { HOLD, MAX_PITCH, MIN_PITCH, REST, STEP_HOLD, STEP_REST, VOCAB, pitchToToken, shiftToC, tokenToPitch } from './representation.ts';
import { sampleToken } from './sampling.ts';

export class MarkovBaseline {
  readonly version = 'markov1@1';
  /** Row-major log-probabilities [prev][next]. */
  private readonly logp: Float32Array;

  constructor(counts: Float64Array, alpha = 0.1) {
    this.logp = new Float32Array(VOCAB * VOCAB);
    for (let a = 0; a < VOCAB; a++) {
      let total = 0;
      for (let b = 0; b < VOCAB; b++) total += counts[a * VOCAB + b]! + alpha;
      for (let b = 0; b < VOCAB; b++) this.logp[a * VOCAB + b] = Math.log((counts[a * VOCAB + b]! + alpha) / total);
    }
  }

  static fit(pieces: readonly { tokens: readonly number[] }[], alpha = 0.1): MarkovBaseline {
    const counts = new Float64Array(VOCAB * VOCAB);
    for (const p of pieces) {
      let prev = REST;
      for (const t of p.tokens) {
        counts[prev * VOCAB + t]!++;
        prev = t;
      }
    }
    return new MarkovBaseline(counts, alpha);
  }

  /** Mean negative log-likelihood per token (nats) over whole pieces, starting from REST. */
  nll(pieces: readonly { tokens: readonly number[] }[]): { nll: number; tokens: number } {
    let sum = 0;
    let n = 0;
    for (const p of pieces) {
      let prev = REST;
      for (const t of p.tokens) {
        sum -= this.logp[prev * VOCAB + t]!;
        prev = t;
        n++;
      }
    }
    return { nll: sum / n, tokens: n };
  }

  /** A melody of `length` steps in the requested key (same output format as the LSTM). */
  generate(opts: { length: number; keyTonicPc: number; seed: number; temperature?: number; lowestPitch?: number; highestPitch?: number }): { steps: number[] } {
    const shift = shiftToC(opts.keyTonicPc);
    const rng = createRng(opts.seed >>> 0);
    const logits = new Float32Array(VOCAB);
    const allowed = new Uint8Array(VOCAB);
    const lo = Math.max(MIN_PITCH, (opts.lowestPitch ?? 0) + shift);
    const hi = Math.min(MAX_PITCH, (opts.highestPitch ?? 127) + shift);
    const steps: number[] = [];
    let prev = REST;
    for (let s = 0; s < opts.length; s++) {
      logits.set(this.logp.subarray(prev * VOCAB, prev * VOCAB + VOCAB));
      allowed.fill(0);
      allowed[REST] = 1;
      allowed[HOLD] = prev === REST ? 0 : 1;
      for (let p = lo; p <= hi; p++) allowed[pitchToToken(p)] = 1;
      const t = sampleToken(logits, allowed, opts.temperature ?? 1, 1, rng);
      steps.push(t === REST ? STEP_REST : t === HOLD ? STEP_HOLD : tokenToPitch(t) - shift);
      prev = t;
    }
    return { steps };
  }
}

/**
 * Seeded sampling from logits: masking, temperature, nucleus (top-p). Pure functions of their
 * inputs and the Rng, so the same seed gives the same notes.
 */
import type { Rng } from '../core/rng.ts';

/**
 * Sample an index from `logits` where `allowed[i]` is true. temperature → 0 is greedy.
 * topP keeps the smallest set of most likely tokens whose mass reaches topP (Holtzman et al. 2020).
 */
export function sampleToken(logits: Float32Array, allowed: Uint8Array, temperature: number, topP: number, rng: Rng): number {
  const n = logits.length;
  let best = -1;
  let max = -Infinity;
  for (let i = 0; i < n; i++)
    if (allowed[i] && logits[i]! > max) {
      max = logits[i]!;
      best = i;
    }
  if (best < 0) throw new Error('sampleToken: every token is masked');
  if (temperature <= 1e-6) return best;
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!allowed[i]) continue;
    const p = Math.exp((logits[i]! - max) / temperature);
    probs[i] = p;
    sum += p;
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (probs[i]! > 0) order.push(i);
  // Ties broken by index so the order (and the sample) is deterministic.
  order.sort((a, b) => probs[b]! - probs[a]! || a - b);
  let kept = order.length;
  if (topP < 1) {
    let acc = 0;
    for (let k = 0; k < order.length; k++) {
      acc += probs[order[k]!]! / sum;
      if (acc >= topP) {
        kept = k + 1;
        break;
      }
    }
  }
  let keptSum = 0;
  for (let k = 0; k < kept; k++) keptSum += probs[order[k]!]!;
  let r = rng.next() * keptSum;
  for (let k = 0; k < kept; k++) {
    r -= probs[order[k]!]!;
    if (r < 0) return order[k]!;
  }
  return order[kept - 1]!;
}

/** Log-probability of `index` under softmax(logits) (natural log). */
export function logSoftmaxAt(logits: Float32Array, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return logits[index]! - max - Math.log(sum);
}

/**
 * Two-stage sampling for the melody grid: first rest / hold / note-on by the model's own
 * probabilities (all pitches' mass counts towards "note-on", masked or not), then the pitch among the
 * allowed note-on tokens with temperature and top-p. Applying temperature and top-p to the flat
 * token distribution instead would starve note-ons — their mass is split over ~37 pitches while REST
 * is one token — and melodies would fall silent; masking would do the same.
 */
export function sampleGridToken(
  logits: Float32Array,
  rest: number,
  hold: number,
  holdAllowed: boolean,
  allowedPitch: Uint8Array,
  temperature: number,
  topP: number,
  rng: Rng,
): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let pRest = 0;
  let pHold = 0;
  let pNote = 0;
  let anyPitch = false;
  for (let i = 0; i < logits.length; i++) {
    const p = Math.exp(logits[i]! - max);
    if (i === rest) pRest = p;
    else if (i === hold) pHold = holdAllowed ? p : 0;
    else {
      pNote += p;
      if (allowedPitch[i]) anyPitch = true;
    }
  }
  if (!anyPitch) pNote = 0;
  let u = rng.next() * (pRest + pHold + pNote);
  if ((u -= pRest) < 0) return rest;
  if ((u -= pHold) < 0) return hold;
  return sampleToken(logits, allowedPitch, temperature, topP, rng);
}

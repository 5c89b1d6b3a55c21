import { distance } from 'fastest-levenshtein';

/** The allowed value nearest to `input` by edit distance, if it is plausibly a typo of it. */
export function nearest(input: string, allowed: readonly string[], maxDistance?: number): string | undefined {
  const needle = input.toLowerCase().trim();
  if (!needle) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = distance(needle, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const limit = maxDistance ?? Math.max(1, Math.floor(needle.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Like `nearest` but always returns the closest candidate (for "did you mean" in errors). */
export function closest(input: string, allowed: readonly string[]): string | undefined {
  return nearest(input, allowed, Infinity);
}

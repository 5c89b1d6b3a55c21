import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.ts';
import { logSoftmaxAt, sampleGridToken, sampleToken } from '../../src/neural/sampling.ts';
import { MarkovBaseline } from '../../src/neural/markov.ts';
import { COPY_LIMIT, NgramIndex, windowHashes, type MelodyNote } from '../../src/neural/originality.ts';

const logits = Float32Array.from([2, 1, 0.5, -1, 3]);
const all = new Uint8Array(5).fill(1);

describe('sampling', () => {
  it('is deterministic for a seed and respects the mask', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 50 }, () => sampleToken(logits, Uint8Array.from([1, 1, 0, 1, 0]), 1, 1, rng));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(draw(3)).not.toContain(2);
    expect(draw(3)).not.toContain(4);
  });

  it('temperature 0 is greedy and a tiny top-p keeps only the best token', () => {
    const rng = createRng(1);
    expect(sampleToken(logits, all, 0, 1, rng)).toBe(4);
    for (let i = 0; i < 20; i++) expect(sampleToken(logits, all, 1, 0.01, rng)).toBe(4);
  });

  it('top-p 0.9 never samples the least likely token', () => {
    const rng = createRng(9);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, all, 1, 0.9, rng));
    expect(seen.has(3)).toBe(false);
    expect(seen.size).toBeGreaterThan(2);
  });

  it('grid sampling keeps the model\'s rest/hold/note odds whatever the temperature, top-p or mask', () => {
    // Token 0 rest, 1 hold, 2–9 pitches: rest alone holds 40 %, the eight pitches share 60 %.
    const l = Float32Array.from([Math.log(0.4), -Infinity, ...new Array(8).fill(Math.log(0.075))]);
    const someMasked = Uint8Array.from([0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    for (const [t, p] of [
      [1, 1],
      [0.5, 0.5],
    ] as const) {
      const rng = createRng(21);
      let notes = 0;
      for (let i = 0; i < 4000; i++) {
        const tok = sampleGridToken(l, 0, 1, false, someMasked, t, p, rng);
        expect(tok === 0 || tok === 2 || tok === 3).toBe(true);
        if (tok >= 2) notes++;
      }
      expect(notes / 4000).toBeGreaterThan(0.56);
      expect(notes / 4000).toBeLessThan(0.64);
    }
    const none = new Uint8Array(10);
    const rng = createRng(2);
    for (let i = 0; i < 50; i++) expect(sampleGridToken(l, 0, 1, true, none, 1, 1, rng)).toBe(0);
  });

  it('log-softmax sums to one', () => {
    let s = 0;
    for (let i = 0; i < logits.length; i++) s += Math.exp(logSoftmaxAt(logits, i));
    expect(s).toBeCloseTo(1, 6);
  });
});

describe('Markov baseline', () => {
  it('fits transition counts: a deterministic sequence gets low NLL, a shuffled one high', () => {
    const pattern = { tokens: Array.from({ length: 400 }, (_, i) => [10, 1, 12, 0][i % 4]!) };
    const m = MarkovBaseline.fit([pattern]);
    expect(m.nll([pattern]).nll).toBeLessThan(0.1);
    const other = { tokens: Array.from({ length: 400 }, (_, i) => [12, 10, 0, 1][i % 4]!) };
    expect(m.nll([other]).nll).toBeGreaterThan(3);
    const g = m.generate({ length: 64, keyTonicPc: 0, seed: 1 });
    expect(g.steps).toHaveLength(64);
    expect(g).toEqual(m.generate({ length: 64, keyTonicPc: 0, seed: 1 }));
  });
});

describe('originality index', () => {
  it('finds a copied run even when transposed and shifted in time', () => {
    const melody: MelodyNote[] = Array.from({ length: 40 }, (_, i) => ({ pitch: 60 + ((i * 5) % 12), onset: i * 2 + (i % 3) }));
    const index = NgramIndex.fromHashes(COPY_LIMIT, windowHashes(melody, COPY_LIMIT));
    const copy = melody.slice(10, 10 + COPY_LIMIT).map((n) => ({ pitch: n.pitch + 3, onset: n.onset + 100 }));
    const fresh: MelodyNote[] = [{ pitch: 70, onset: 0 }, ...copy.map((n) => ({ ...n, onset: n.onset + 1 }))];
    expect(index.firstCopy(copy)).toBe(0);
    expect(index.firstCopy(fresh)).toBe(1);
    const changed = copy.map((n, i) => (i === 8 ? { ...n, pitch: n.pitch + 1 } : n));
    expect(index.firstCopy(changed)).toBe(-1);
  });
});

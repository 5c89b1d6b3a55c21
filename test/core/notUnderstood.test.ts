import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../src/core/buildRequest.ts';
import { StyleCatalog } from '../../src/core/catalog/index.ts';
import { listWords, notUnderstood } from '../../src/core/notUnderstood.ts';
import type { RequestInput } from '../../src/core/request.ts';

const check = (input: RequestInput) => notUnderstood(input, buildRequest(input, { randomSeed: () => 1 }));

describe('notUnderstood', () => {
  it('reports a prompt of nonsense words with catalog examples and the nearest style/mood words', () => {
    const n = check({ prompt: 'asdkjh qwpoeiru zzxxcc' })!;
    expect(n.words).toEqual(['asdkjh', 'qwpoeiru', 'zzxxcc']);
    expect(n.examples).toHaveLength(3);
    const prompts = StyleCatalog.styles.map((s) => s.examplePrompt);
    for (const e of n.examples) expect(prompts).toContain(e);
    expect(n.nearest.length).toBeGreaterThan(0);
  });

  it('points a near miss at the word it resembles, and that style first among the examples', () => {
    // "jzaz" is two edits from jazz: too far for the parser's typo reading, but still the nearest word.
    const n = check({ prompt: 'jzaz' })!;
    expect(n.words).toEqual(['jzaz']);
    expect(n.nearest).toEqual(['jazz']);
    expect(n.examples[0]).toBe(StyleCatalog.style('jazz').examplePrompt);
    expect(new Set(n.examples).size).toBe(3);
  });

  it('is null when anything was understood, when an option names the music, or when only stop words were given', () => {
    expect(check({ prompt: 'asdkjh jazz' })).toBeNull();
    expect(check({ prompt: 'asdkjh', style: 'jazz' })).toBeNull();
    expect(check({ prompt: 'asdkjh', duration: '10' })).toBeNull();
    expect(check({ prompt: 'play me something' })).toBeNull();
    expect(check({})).toBeNull();
    // A seed alone says nothing about the music.
    expect(check({ prompt: 'asdkjh', seed: 5 })).not.toBeNull();
  });

  it('lists words readably and bounded', () => {
    expect(listWords(['a'])).toBe('“a”');
    expect(listWords(['a', 'b', 'c'], 'and')).toBe('“a”, “b” and “c”');
    expect(listWords(Array.from({ length: 12 }, (_, i) => `w${i}`))).toMatch(/“w7” or 4 more$/);
    expect(listWords(['x'.repeat(200)])).toBe(`“${'x'.repeat(30)}…”`);
  });
});

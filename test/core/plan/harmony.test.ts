import { describe, expect, it } from 'vitest';
import { dominantChord, resolveNumeral } from '../../../src/core/plan/harmony.ts';
import type { KeySignature } from '../../../src/core/score.ts';

const C_MAJOR: KeySignature = { tonic: 'C', mode: 'major' };
const C_MINOR: KeySignature = { tonic: 'C', mode: 'minor' };

describe('resolveNumeral', () => {
  it('keeps the 7th off the tonic chord (Imaj7 holds iii, i7 holds III) but keeps an added 9th', () => {
    expect(resolveNumeral('I', C_MAJOR, 'ninth', true).pcs).toEqual([0, 4, 7, 2]);
    expect(resolveNumeral('I', C_MAJOR, 'seventh', true).pcs).toEqual([0, 4, 7]);
    expect(resolveNumeral('i', C_MINOR, 'seventh', false).pcs).toEqual([0, 3, 7]);
    // Other chords keep their 7ths.
    expect(resolveNumeral('IV', C_MAJOR, 'seventh', true).pcs).toEqual([5, 9, 0, 4]);
  });

  it("takes a spelled chord's 7th from the key: dominant V and dorian IV in minor, major IV in major", () => {
    expect(resolveNumeral('V', C_MINOR, 'seventh', false).pcs).toEqual([7, 11, 2, 5]);
    expect(resolveNumeral('IV', C_MINOR, 'seventh', false).pcs).toEqual([5, 9, 0, 3]);
    expect(resolveNumeral('IV', C_MAJOR, 'seventh', false).pcs).toEqual([5, 9, 0, 4]);
  });
});

describe('dominantChord', () => {
  it('cadences modal minor with the plagal iv and harmonic minor with a major V', () => {
    expect(dominantChord(C_MINOR, 'triad', true).pcs).toEqual([5, 8, 0]);
    expect(dominantChord(C_MINOR, 'triad', false).pcs).toEqual([7, 11, 2]);
    expect(dominantChord(C_MAJOR, 'triad', true).pcs).toEqual([7, 11, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { formatKey, isMinorish, parseKey, tonicPitchClass } from '../../src/core/keys.ts';

describe('parseKey', () => {
  it.each([
    ['C major', 'C', 'major'],
    ['A minor', 'A', 'minor'],
    ['F# minor', 'F#', 'minor'],
    ['Eb major', 'Eb', 'major'],
    ['D dorian', 'D', 'dorian'],
    ['E phrygian', 'E', 'phrygian'],
    ['F lydian', 'F', 'lydian'],
    ['G mixolydian', 'G', 'mixolydian'],
    ['G mixo', 'G', 'mixolydian'],
    ['B locrian', 'B', 'locrian'],
    ['A aeolian', 'A', 'minor'],
    ['C ionian', 'C', 'major'],
    // Chord-symbol shorthand: small m is minor, capital M major, a bare tonic major.
    ['c#m', 'C#', 'minor'],
    ['Am', 'A', 'minor'],
    ['Bbm', 'Bb', 'minor'],
    ['CM', 'C', 'major'],
    ['Bb', 'Bb', 'major'],
    ['g', 'G', 'major'],
    ['Db maj', 'Db', 'major'],
    ['g min', 'G', 'minor'],
    // Spelled-out and typographic accidentals, any case, stray spaces.
    ['f sharp minor', 'F#', 'minor'],
    ['b flat major', 'Bb', 'major'],
    ['A♭ major', 'Ab', 'major'],
    ['C♯m', 'C#', 'minor'],
    ['  e MINOR  ', 'E', 'minor'],
    ['D Dorian', 'D', 'dorian'],
  ])('%j → %s %s', (text, tonic, mode) => {
    expect(parseKey(text)).toEqual({ tonic, mode });
  });

  // German names: H is B natural, B is B flat, -is sharpens and -es flattens; Dur major, Moll minor.
  it.each([
    ['H major', 'B', 'major'],
    ['h moll', 'B', 'minor'],
    ['H-Dur', 'B', 'major'],
    ['h-Moll', 'B', 'minor'],
    ['B-Dur', 'Bb', 'major'],
    ['fis moll', 'F#', 'minor'],
    ['Es-Dur', 'Eb', 'major'],
    ['as dur', 'Ab', 'major'],
    ['C Dur', 'C', 'major'],
    ['a moll', 'A', 'minor'],
  ])('German %j → %s %s', (text, tonic, mode) => {
    expect(parseKey(text)).toEqual({ tonic, mode });
  });

  it.each(['', '   ', 'H', 'fis', 'H dorianx', 'major', 'X', 'C##', 'C# majr', 'the key of C', 'Cmaj7', 'A minor key', 'C major minor', '12', '🎵'])(
    '%j is not a key',
    (text) => {
      expect(parseKey(text)).toBeNull();
    },
  );
});

describe('key helpers', () => {
  it('formats a key the way parseKey reads it back', () => {
    for (const text of ['F# minor', 'Eb major', 'D dorian', 'Bb mixolydian']) {
      const key = parseKey(text)!;
      expect(formatKey(key)).toBe(text);
      expect(parseKey(formatKey(key))).toEqual(key);
    }
  });

  it('gives the tonic pitch class, enharmonics alike', () => {
    expect(tonicPitchClass({ tonic: 'C', mode: 'major' })).toBe(0);
    expect(tonicPitchClass({ tonic: 'C#', mode: 'minor' })).toBe(1);
    expect(tonicPitchClass({ tonic: 'Db', mode: 'major' })).toBe(1);
    expect(tonicPitchClass({ tonic: 'Bb', mode: 'minor' })).toBe(10);
    expect(() => tonicPitchClass({ tonic: 'H', mode: 'major' })).toThrow();
  });

  it('groups modes into minor-ish and major-ish', () => {
    expect(['minor', 'dorian', 'phrygian', 'locrian'].every(isMinorish)).toBe(true);
    expect(['major', 'lydian', 'mixolydian'].some(isMinorish)).toBe(false);
  });
});

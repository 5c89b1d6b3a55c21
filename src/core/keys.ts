import { Note } from 'tonal';
import type { KeySignature } from './score.ts';

/** Modes a key may be in (names as @tonaljs/scale spells them). */
export const MODES = ['major', 'minor', 'dorian', 'phrygian', 'lydian', 'mixolydian', 'locrian'] as const;
export type ModeName = (typeof MODES)[number];

const MODE_WORDS: Record<string, ModeName> = {
  major: 'major', maj: 'major', ionian: 'major', M: 'major', '': 'major',
  minor: 'minor', min: 'minor', m: 'minor', aeolian: 'minor', mi: 'minor',
  dorian: 'dorian', phrygian: 'phrygian', lydian: 'lydian', mixolydian: 'mixolydian', mixo: 'mixolydian', locrian: 'locrian',
};

/** The twelve tonics we write keys in (flats where a key signature conventionally uses them). */
export const TONICS = ['C', 'C#', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/**
 * German note names, read only before "Dur"/"Moll" (an English "B" or "as" means something
 * else): H is B natural, B is B flat, -is sharpens and -es/-s flattens.
 */
const GERMAN_TONICS: Readonly<Record<string, string>> = {
  c: 'C', cis: 'C#', des: 'Db', d: 'D', dis: 'D#', es: 'Eb', e: 'E', f: 'F', fis: 'F#',
  ges: 'Gb', g: 'G', gis: 'G#', as: 'Ab', a: 'A', ais: 'A#', b: 'Bb', h: 'B',
};
const GERMAN_MODES: Readonly<Record<string, ModeName>> = { dur: 'major', moll: 'minor' };

/** "H-Dur", "h moll", "fis-Moll", "Es-Dur"; also "H major", since H is only ever German B. */
function parseGermanKey(text: string): KeySignature | null {
  const match = /^([a-h](?:is|es|s)?)[\s-]*([a-z]+)$/i.exec(text);
  if (!match) return null;
  const [name, modeWord] = [match[1]!.toLowerCase(), match[2]!.toLowerCase()];
  const german = GERMAN_MODES[modeWord];
  if (german) {
    const tonic = GERMAN_TONICS[name];
    return tonic ? { tonic, mode: german } : null;
  }
  return name === 'h' ? parseKey(`B ${modeWord}`) : null;
}

/**
 * Parse a key name: "F# minor", "Eb major", "D dorian", "c#m", "Am", "Bb", "f sharp minor",
 * and German ones ("H-Dur", "fis moll"). Returns null when it is not a key.
 */
export function parseKey(text: string): KeySignature | null {
  const cleaned = text
    .trim()
    .replace(/\s+sharp\b/i, '#')
    .replace(/\s+flat\b/i, 'b')
    .replace(/♯/g, '#')
    .replace(/♭/g, 'b');
  const match = /^([A-Ga-g])([#b]?)\s*(major|minor|maj|min|mi|m|M|ionian|aeolian|dorian|phrygian|lydian|mixolydian|mixo|locrian)?$/i.exec(cleaned);
  if (!match) return parseGermanKey(cleaned);
  const letter = match[1]!.toUpperCase();
  const accidental = match[2] ?? '';
  const rawMode = match[3] ?? '';
  // "M" (capital) means major, "m" minor; longer words are case-insensitive.
  const modeKey = rawMode.length <= 1 ? rawMode : rawMode.toLowerCase();
  const mode = MODE_WORDS[modeKey];
  if (!mode) return null;
  const tonic = Note.pitchClass(letter + accidental);
  if (!tonic) return null;
  return { tonic, mode };
}

export function formatKey(key: KeySignature): string {
  return `${key.tonic} ${key.mode}`;
}

/** Pitch class 0–11 of the tonic. */
export function tonicPitchClass(key: KeySignature): number {
  const chroma = Note.chroma(key.tonic);
  if (chroma === undefined || Number.isNaN(chroma)) throw new Error(`not a tonic: ${key.tonic}`);
  return chroma;
}

/** Major-like modes count as "major" where only the two families matter. */
export function isMinorish(mode: string): boolean {
  return mode === 'minor' || mode === 'dorian' || mode === 'phrygian' || mode === 'locrian';
}

/**
 * Roman numerals → concrete chords in a key, with @tonaljs for scales and chord names.
 * Diatonic styles take each chord's quality from the mode's own scale (so "IV" in D dorian is
 * G major and every chord tone stays in the key); other styles keep the numeral's spelled quality.
 */
import { Chord, Note, Scale } from 'tonal';
import type { ChordFlavor } from '../catalog/styles.ts';
import type { KeySignature } from '../score.ts';
import { isMinorish } from '../keys.ts';

export interface PlannedChord {
  numeral: string;
  /** Pitch class 0–11 of the root. */
  rootPc: number;
  /** Chord tones as pitch classes, root first, then 3rd, 5th, [7th], [9th]. */
  pcs: number[];
  symbol: string;
}

const DEGREES: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4, v: 5, vi: 6, vii: 7 };

interface ParsedNumeral {
  accidental: number; // -1 flat, +1 sharp
  degree: number; // 1–7
  upper: boolean;
}

function parseNumeral(numeral: string): ParsedNumeral {
  const m = /^([b#]?)([ivIV]+)/.exec(numeral);
  if (!m) throw new Error(`bad roman numeral ${numeral}`);
  const letters = m[2]!;
  const degree = DEGREES[letters.toLowerCase()];
  if (!degree) throw new Error(`bad roman numeral ${numeral}`);
  return { accidental: m[1] === 'b' ? -1 : m[1] === '#' ? 1 : 0, degree, upper: letters === letters.toUpperCase() };
}

/** The seven pitch classes of a key's scale, tonic first. */
export function scalePitchClasses(key: KeySignature): number[] {
  const notes = Scale.get(`${key.tonic} ${key.mode}`).notes;
  if (notes.length !== 7) throw new Error(`no 7-note scale for ${key.tonic} ${key.mode}`);
  return notes.map((n) => Note.chroma(n)!);
}

function chordSymbol(pcs: number[], key: KeySignature): string {
  // Spell pitch classes with the key's own note names where possible, so detection reads well.
  const scaleNotes = Scale.get(`${key.tonic} ${key.mode}`).notes;
  const spell = (pc: number) => scaleNotes.find((n) => Note.chroma(n) === pc) ?? Note.pitchClass(Note.fromMidi(60 + pc));
  const names = pcs.map(spell);
  const detected = Chord.detect(names)[0] ?? `${names[0]}`;
  return detected.replace(/^([A-G][#b]?)M(add9)?$/, '$1$2'); // tonal spells a plain major triad "CM", "CMadd9"
}

/** Resolve one numeral in a key; `diatonic` forces the mode's own chord quality. */
export function resolveNumeral(numeral: string, key: KeySignature, flavor: ChordFlavor, diatonic: boolean): PlannedChord {
  const parsed = parseNumeral(numeral);
  const scale = scalePitchClasses(key);
  const tonicPc = scale[0]!;
  // Numerals in minor-family progressions are read against natural minor, others against major.
  const reference = Scale.get(`${key.tonic} ${isMinorish(key.mode) ? 'minor' : 'major'}`).notes.map((n) => Note.chroma(n)!);
  let rootPc = ((reference[parsed.degree - 1] ?? tonicPc) + parsed.accidental + 12) % 12;

  let pcs: number[];
  if (diatonic || scale.includes(rootPc)) {
    let index = scale.indexOf(rootPc);
    if (index < 0) index = parsed.degree - 1; // drop an accidental the mode does not have
    let stack = (i: number) => scale[(index + i) % 7]!;
    const fifthInterval = (stack(4) - stack(0) + 12) % 12;
    if (fifthInterval !== 7 && diatonic) {
      // A diminished chord where the progression wanted a plain one: use the chord a third below.
      index = (index + 5) % 7;
      stack = (i: number) => scale[(index + i) % 7]!;
    }
    rootPc = stack(0);
    const third = (stack(2) - rootPc + 12) % 12;
    const wantsQuality = parsed.upper ? 4 : 3;
    if (diatonic || third === wantsQuality) {
      pcs = [stack(0), stack(2), stack(4)];
      if (flavor !== 'triad') pcs.push(stack(6));
      // A 9th only where it is a whole step above the root (a minor 9th sounds wrong here).
      if (flavor === 'ninth' && (stack(1) - rootPc + 12) % 12 === 2) pcs.push(stack(1));
    } else {
      pcs = spelledChord(rootPc, parsed.upper, flavor, scale);
    }
  } else {
    pcs = spelledChord(rootPc, parsed.upper, flavor, scale);
  }
  // The tonic chord never carries a 7th: Imaj7 holds the iii triad and i7 the relative major,
  // which blurs the key; an added 9th keeps the colour without the ambiguity.
  if (rootPc === tonicPc && pcs.length > 3 && (pcs[1]! - rootPc + 12) % 12 === (isMinorish(key.mode) ? 3 : 4)) pcs.splice(3, 1);
  return { numeral, rootPc, pcs, symbol: chordSymbol(pcs, key) };
}

/**
 * A chord built from the numeral's own case: upper = major, lower = minor. Its 7th is the one the
 * key's scale has (so V and a dorian IV in minor are dominant 7ths, IV in major a major 7th);
 * a minor chord takes the minor 7th.
 */
function spelledChord(rootPc: number, upper: boolean, flavor: ChordFlavor, scale: readonly number[]): number[] {
  const third = upper ? 4 : 3;
  const pcs = [rootPc, (rootPc + third) % 12, (rootPc + 7) % 12];
  if (flavor !== 'triad') {
    const seventh = upper && scale.includes((rootPc + 11) % 12) ? 11 : 10;
    pcs.push((rootPc + seventh) % 12);
  }
  if (flavor === 'ninth') pcs.push((rootPc + 2) % 12);
  return pcs;
}

/** The tonic chord of a key (a plain triad: endings resolve cleanly). */
export function tonicChord(key: KeySignature): PlannedChord {
  return resolveNumeral(isMinorish(key.mode) ? 'i' : 'I', key, 'triad', true);
}

/** The chord that leads home: V (major dominant in minor for non-modal styles), or the mode's own. */
export function dominantChord(key: KeySignature, flavor: ChordFlavor, diatonic: boolean): PlannedChord {
  if (key.mode === 'minor' && !diatonic) return resolveNumeral('V', key, flavor === 'triad' ? 'triad' : 'seventh', false);
  // Modal minor: a minor v → i barely cadences; the plagal iv → i lands clearly and stays modal.
  if (key.mode === 'minor') return resolveNumeral('iv', key, flavor, true);
  if (key.mode === 'major' || key.mode === 'mixolydian' || key.mode === 'lydian') return resolveNumeral('V', key, flavor, true);
  // Dorian/phrygian/locrian: the subtonic (bVII) or IV cadence keeps the modal colour.
  return resolveNumeral('VII', key, flavor, true);
}

import { instrumentByPatchID } from '@tonejs/midi/dist/InstrumentMaps.js';

/** The 128 General MIDI program names, index = program number (from @tonejs/midi). */
export const GM_PROGRAM_NAMES: readonly string[] = instrumentByPatchID;

/**
 * Everyday names people type, mapped to a GM program. Lower-case; a name may contain spaces.
 * The 128 official GM names (and their words without "acoustic"/"electric" noise) also resolve.
 */
export const INSTRUMENT_ALIASES: Readonly<Record<string, number>> = {
  piano: 0,
  'grand piano': 0,
  'bright piano': 1,
  'electric piano': 4,
  'e-piano': 4,
  epiano: 4,
  rhodes: 4,
  wurlitzer: 5,
  harpsichord: 6,
  clavinet: 7,
  clav: 7,
  celesta: 8,
  glockenspiel: 9,
  'music box': 10,
  vibraphone: 11,
  vibes: 11,
  marimba: 12,
  xylophone: 13,
  bells: 14,
  organ: 16,
  'jazz organ': 17,
  'rock organ': 18,
  'church organ': 19,
  'pipe organ': 19,
  accordion: 21,
  harmonica: 22,
  guitar: 25,
  'acoustic guitar': 25,
  'nylon guitar': 24,
  'classical guitar': 24,
  'steel guitar': 25,
  'electric guitar': 27,
  'clean guitar': 27,
  'jazz guitar': 26,
  'muted guitar': 28,
  'overdrive guitar': 29,
  'distortion guitar': 30,
  'distorted guitar': 30,
  'rock guitar': 30,
  bass: 33,
  'bass guitar': 33,
  'electric bass': 33,
  'upright bass': 32,
  'acoustic bass': 32,
  'double bass': 32,
  'fretless bass': 35,
  'slap bass': 36,
  'synth bass': 38,
  '808': 38,
  violin: 40,
  viola: 41,
  cello: 42,
  contrabass: 43,
  'tremolo strings': 44,
  pizzicato: 45,
  harp: 46,
  timpani: 47,
  strings: 48,
  'string ensemble': 48,
  orchestra: 48,
  'slow strings': 49,
  'synth strings': 50,
  choir: 52,
  voice: 53,
  'orchestra hit': 55,
  trumpet: 56,
  trombone: 57,
  tuba: 58,
  'muted trumpet': 59,
  'french horn': 60,
  horn: 60,
  horns: 61,
  brass: 61,
  'brass section': 61,
  'synth brass': 62,
  sax: 65,
  saxophone: 65,
  'alto sax': 65,
  'tenor sax': 66,
  'soprano sax': 64,
  'baritone sax': 67,
  oboe: 68,
  'english horn': 69,
  bassoon: 70,
  clarinet: 71,
  piccolo: 72,
  flute: 73,
  recorder: 74,
  'pan flute': 75,
  panflute: 75,
  whistle: 78,
  ocarina: 79,
  'square lead': 80,
  '8-bit': 80,
  '8 bit': 80,
  '8-bit lead': 80,
  '8bit lead': 80,
  chiptune: 80,
  'square wave': 80,
  'saw lead': 81,
  'sawtooth lead': 81,
  'synth lead': 81,
  synth: 81,
  'lead synth': 81,
  calliope: 82,
  'chiff lead': 83,
  'charang': 84,
  'voice lead': 85,
  'fifths lead': 86,
  'bass lead': 87,
  pad: 88,
  'synth pad': 89,
  'warm pad': 89,
  'polysynth': 90,
  'choir pad': 91,
  'bowed pad': 92,
  'metallic pad': 93,
  'halo pad': 94,
  'sweep pad': 95,
  sitar: 104,
  banjo: 105,
  shamisen: 106,
  koto: 107,
  kalimba: 108,
  bagpipe: 109,
  fiddle: 110,
  'steel drums': 114,
  'steel drum': 114,
  // Band and bedroom-producer words.
  keys: 0,
  keyboard: 0,
  'acoustic piano': 0,
  ukulele: 24,
  uke: 24,
  synthesizer: 81,
  'sub bass': 38,
};

/** Parts an instrument can play; a user's instrument list is assigned to roles in this order. */
export const ROLE_ORDER = ['lead', 'harmony', 'bass', 'pad'] as const;

/** True when a GM program is a bass instrument (so "bass" goes to the bass role, not lead). */
export function isBassProgram(program: number): boolean {
  return (program >= 32 && program <= 39) || program === 43 || program === 58 || program === 70 || program === 87;
}

/** True for sustained "pad-like" programs that suit the pad role. */
export function isPadProgram(program: number): boolean {
  return (program >= 88 && program <= 95) || (program >= 48 && program <= 52) || program === 19;
}

/** Every resolvable instrument name → program (aliases plus official GM names). */
export function instrumentNameTable(): Map<string, number> {
  const table = new Map<string, number>();
  GM_PROGRAM_NAMES.forEach((name, program) => table.set(name.toLowerCase(), program));
  for (const [alias, program] of Object.entries(INSTRUMENT_ALIASES)) table.set(alias, program);
  return table;
}

/**
 * The style catalog: each style maps to the musical parameters the composer reads.
 * Progressions are Roman numerals resolved with @tonaljs at plan time (lower case = minor).
 */
import type { FormId } from './forms.ts';

export type DrumFeel =
  | 'none'
  | 'boom-bap'
  | 'four-on-floor'
  | 'rock'
  | 'funk'
  | 'jazz-swing'
  | 'bossa'
  | 'chiptune'
  | 'cinematic'
  | 'halftime'
  | 'folk'
  | 'waltz'
  | 'synthwave';

export type CompPattern = 'block' | 'arpeggio' | 'broken' | 'stride' | 'strum' | 'comp' | 'sustain' | 'pulse';
export type BassPattern = 'root' | 'root-fifth' | 'walking' | 'octave' | 'syncopated' | 'pedal' | 'alberti-low' | 'eighths';
export type ChordFlavor = 'triad' | 'seventh' | 'ninth';

export interface StyleInstrumentation {
  lead: number;
  harmony: number;
  bass: number;
  /** Optional sustained layer (GM program), or null for none. */
  pad: number | null;
  /** Optional arpeggio layer (GM program), or null. */
  arp: number | null;
  /** Whether the style uses a drum kit at all. */
  drums: boolean;
}

export interface Style {
  id: string;
  name: string;
  description: string;
  examplePrompt: string;
  /** Words in prompts that mean this style. */
  aliases: readonly string[];
  tempo: { min: number; max: number; default: number };
  meters: readonly string[]; // first is the default
  /** Preferred modes, best first; a mood may override with its own preference. */
  modes: readonly string[];
  progressions: { major: readonly string[][]; minor: readonly string[][] };
  chordFlavor: ChordFlavor;
  instruments: StyleInstrumentation;
  drumFeel: DrumFeel;
  /** 0 = straight, 0.33 ≈ triplet swing (fraction of the off-beat's delay). */
  swing: number;
  /** Melody notes per beat, roughly (0.5–2). */
  density: number;
  /** Bars per chord (1 or 2; 0.5 = two chords a bar). */
  harmonicRhythm: number;
  comp: CompPattern;
  bass: BassPattern;
  /** Centre of the lead melody's register (MIDI pitch). */
  leadCentre: number;
  /** Base velocity and its swing between quiet and loud sections. */
  dynamics: { base: number; range: number };
  /** True when every pitched note must belong to the key's scale (drums excluded). */
  diatonic: boolean;
  /** The forms this style is written in (src/core/catalog/forms.ts); the seed picks one. */
  forms: readonly FormId[];
}

const POP_MAJOR = [
  ['I', 'V', 'vi', 'IV'],
  ['I', 'vi', 'IV', 'V'],
  ['vi', 'IV', 'I', 'V'],
  ['I', 'IV', 'vi', 'V'],
  ['IV', 'I', 'V', 'vi'],
];
const POP_MINOR = [
  ['i', 'VI', 'III', 'VII'],
  ['i', 'iv', 'VI', 'v'],
  ['i', 'VI', 'iv', 'v'],
  ['i', 'VII', 'VI', 'VII'],
  ['VI', 'VII', 'i', 'i'],
];

export const STYLES: readonly Style[] = [
  {
    id: 'lofi',
    name: 'Lo-fi hip-hop',
    description: 'Dusty, laid-back beats with jazzy seventh chords and a mellow electric piano.',
    examplePrompt: 'calm lofi intro for my stream, 15 seconds',
    aliases: ['lofi', 'lo-fi', 'lo fi', 'chillhop', 'study', 'chill beats', 'lofi hip hop'],
    tempo: { min: 70, max: 92, default: 82 },
    meters: ['4/4'],
    modes: ['dorian', 'major', 'minor'],
    progressions: {
      major: [['ii', 'V', 'I', 'vi'], ['IV', 'iii', 'ii', 'I'], ['I', 'vi', 'ii', 'V'], ['IV', 'V', 'iii', 'vi']],
      minor: [['i', 'iv', 'VII', 'III'], ['i', 'VI', 'iv', 'v'], ['i', 'iv', 'i', 'v'], ['iv', 'v', 'i', 'i']],
    },
    chordFlavor: 'ninth',
    instruments: { lead: 4, harmony: 4, bass: 33, pad: 89, arp: null, drums: true },
    drumFeel: 'boom-bap',
    swing: 0.22,
    density: 0.7,
    harmonicRhythm: 1,
    comp: 'block',
    bass: 'syncopated',
    leadCentre: 72,
    dynamics: { base: 70, range: 16 },
    diatonic: true,
    forms: ['verse-chorus'],
  },
  {
    id: 'synthwave',
    name: 'Synthwave',
    description: 'Neon 80s retro: driving synth bass in eighths, gated drums, big analog pads.',
    examplePrompt: 'upbeat synthwave intro for my stream, 15 seconds, 120bpm in A minor',
    aliases: ['synthwave', 'retrowave', 'outrun', 'synth wave', '80s', 'eighties', 'vaporwave'],
    tempo: { min: 84, max: 128, default: 110 },
    meters: ['4/4'],
    modes: ['minor', 'dorian', 'major'],
    progressions: { major: POP_MAJOR, minor: [['i', 'VI', 'III', 'VII'], ['i', 'VII', 'VI', 'VII'], ['VI', 'VII', 'i', 'i'], ['i', 'iv', 'VI', 'VII']] },
    chordFlavor: 'triad',
    instruments: { lead: 81, harmony: 90, bass: 38, pad: 89, arp: 81, drums: true },
    drumFeel: 'synthwave',
    swing: 0,
    density: 0.9,
    harmonicRhythm: 1,
    comp: 'sustain',
    bass: 'eighths',
    leadCentre: 74,
    dynamics: { base: 88, range: 18 },
    diatonic: true,
    forms: ['verse-chorus'],
  },
  {
    id: 'chiptune',
    name: 'Chiptune',
    description: '8-bit video-game music: square-wave lead, fast arpeggios, punchy noise drums.',
    examplePrompt: 'happy 8-bit level music, 30 seconds',
    aliases: ['chiptune', 'chip', '8-bit', '8bit', '8 bit', 'retro game', 'video game', 'nes', 'gameboy', 'pixel'],
    tempo: { min: 120, max: 170, default: 144 },
    meters: ['4/4'],
    modes: ['major', 'minor', 'mixolydian'],
    progressions: { major: [['I', 'IV', 'V', 'I'], ['I', 'vi', 'IV', 'V'], ['I', 'V', 'vi', 'IV'], ['IV', 'V', 'iii', 'vi']], minor: POP_MINOR },
    chordFlavor: 'triad',
    instruments: { lead: 80, harmony: 80, bass: 38, pad: null, arp: 80, drums: true },
    drumFeel: 'chiptune',
    swing: 0,
    density: 1.4,
    harmonicRhythm: 1,
    comp: 'arpeggio',
    bass: 'octave',
    leadCentre: 76,
    dynamics: { base: 92, range: 12 },
    diatonic: true,
    forms: ['rondo', 'verse-chorus'],
  },
  {
    id: 'cinematic',
    name: 'Cinematic / orchestral',
    description: 'Film-score strings, horns and timpani building in broad phrases.',
    examplePrompt: 'epic orchestral trailer music in D minor, 1 minute',
    aliases: ['cinematic', 'orchestral', 'orchestra', 'film', 'movie', 'trailer', 'soundtrack', 'score', 'symphonic'],
    tempo: { min: 60, max: 120, default: 84 },
    meters: ['4/4', '3/4'],
    modes: ['minor', 'major', 'lydian'],
    progressions: {
      major: [['I', 'V', 'vi', 'IV'], ['I', 'iii', 'IV', 'V'], ['vi', 'IV', 'I', 'V'], ['IV', 'V', 'vi', 'I']],
      minor: [['i', 'VI', 'III', 'VII'], ['i', 'VI', 'VII', 'i'], ['i', 'iv', 'VI', 'V'], ['VI', 'VII', 'i', 'i']],
    },
    chordFlavor: 'triad',
    instruments: { lead: 60, harmony: 48, bass: 42, pad: 49, arp: null, drums: true },
    drumFeel: 'cinematic',
    swing: 0,
    density: 0.6,
    harmonicRhythm: 1,
    comp: 'sustain',
    bass: 'root',
    leadCentre: 70,
    dynamics: { base: 74, range: 34 },
    diatonic: false,
    forms: ['ternary', 'rondo'],
  },
  {
    id: 'jazz',
    name: 'Jazz',
    description: 'Swinging small combo: walking upright bass, ride cymbal, piano comping, sax melody.',
    examplePrompt: 'smooth late-night jazz, 45 seconds',
    aliases: ['jazz', 'jazzy', 'swing', 'bebop', 'smooth jazz', 'lounge', 'cafe'],
    tempo: { min: 90, max: 180, default: 132 },
    meters: ['4/4', '3/4'],
    modes: ['major', 'dorian', 'minor'],
    progressions: {
      major: [['ii', 'V', 'I', 'I'], ['I', 'vi', 'ii', 'V'], ['iii', 'vi', 'ii', 'V'], ['I', 'IV', 'iii', 'vi']],
      minor: [['i', 'iv', 'VII', 'III'], ['i', 'VI', 'ii', 'V'], ['iv', 'VII', 'III', 'VI'], ['i', 'i', 'iv', 'V']],
    },
    chordFlavor: 'seventh',
    instruments: { lead: 66, harmony: 0, bass: 32, pad: null, arp: null, drums: true },
    drumFeel: 'jazz-swing',
    swing: 0.33,
    density: 1.1,
    harmonicRhythm: 1,
    comp: 'comp',
    bass: 'walking',
    leadCentre: 68,
    dynamics: { base: 74, range: 16 },
    diatonic: false,
    forms: ['head-solo-head'],
  },
  {
    id: 'rock',
    name: 'Rock',
    description: 'Driving drums, distorted power-chord guitar and a singing lead.',
    examplePrompt: 'energetic rock outro, 20 seconds, 140 bpm',
    aliases: ['rock', 'guitar rock', 'punk', 'indie rock', 'hard rock', 'metal', 'grunge'],
    tempo: { min: 100, max: 170, default: 132 },
    meters: ['4/4'],
    modes: ['major', 'mixolydian', 'minor'],
    progressions: {
      major: [['I', 'V', 'vi', 'IV'], ['I', 'IV', 'V', 'IV'], ['I', 'bVII', 'IV', 'I'], ['vi', 'IV', 'I', 'V']],
      minor: [['i', 'VI', 'VII', 'i'], ['i', 'VII', 'VI', 'VII'], ['i', 'iv', 'VII', 'VI'], ['i', 'III', 'VII', 'VI']],
    },
    chordFlavor: 'triad',
    instruments: { lead: 29, harmony: 30, bass: 33, pad: null, arp: null, drums: true },
    drumFeel: 'rock',
    swing: 0,
    density: 0.9,
    harmonicRhythm: 1,
    comp: 'pulse',
    bass: 'eighths',
    leadCentre: 69,
    dynamics: { base: 96, range: 14 },
    diatonic: false,
    forms: ['verse-chorus'],
  },
  {
    id: 'ambient',
    name: 'Ambient',
    description: 'Slow, spacious washes of pads and soft bells with no drums.',
    examplePrompt: 'dreamy ambient background for a BRB screen, 2 minutes',
    aliases: ['ambient', 'atmospheric', 'drone', 'space', 'meditation', 'relaxing', 'background', 'spa'],
    tempo: { min: 56, max: 84, default: 66 },
    meters: ['4/4', '3/4'],
    modes: ['lydian', 'major', 'dorian', 'minor'],
    progressions: {
      major: [['I', 'IV', 'I', 'IV'], ['I', 'vi', 'IV', 'I'], ['IV', 'I', 'V', 'I'], ['I', 'iii', 'IV', 'IV']],
      minor: [['i', 'VI', 'i', 'VII'], ['i', 'iv', 'i', 'VI'], ['VI', 'III', 'i', 'i'], ['i', 'v', 'VI', 'iv']],
    },
    chordFlavor: 'ninth',
    instruments: { lead: 11, harmony: 89, bass: 89, pad: 92, arp: 8, drums: false },
    drumFeel: 'none',
    swing: 0,
    density: 0.35,
    harmonicRhythm: 2,
    comp: 'sustain',
    bass: 'pedal',
    leadCentre: 76,
    dynamics: { base: 62, range: 14 },
    diatonic: true,
    forms: ['evolution'],
  },
  {
    id: 'edm',
    name: 'EDM / house',
    description: 'Four-on-the-floor kick, off-beat hats, pumping chord stabs and a saw lead.',
    examplePrompt: 'energetic house drop, 30 seconds, 126 bpm',
    aliases: ['edm', 'house', 'dance', 'club', 'techno', 'trance', 'electro', 'electronic', 'rave', 'disco', 'dubstep', 'drum and bass', 'drum n bass', 'dnb'],
    tempo: { min: 118, max: 132, default: 124 },
    meters: ['4/4'],
    modes: ['minor', 'major', 'dorian'],
    progressions: { major: POP_MAJOR, minor: [['i', 'VI', 'III', 'VII'], ['i', 'VI', 'VII', 'v'], ['i', 'iv', 'VI', 'VII'], ['i', 'VII', 'VI', 'VII']] },
    chordFlavor: 'seventh',
    instruments: { lead: 81, harmony: 90, bass: 38, pad: 89, arp: 81, drums: true },
    drumFeel: 'four-on-floor',
    swing: 0,
    density: 1.0,
    harmonicRhythm: 1,
    comp: 'pulse',
    bass: 'octave',
    leadCentre: 74,
    dynamics: { base: 92, range: 16 },
    diatonic: true,
    forms: ['build-drop'],
  },
  {
    id: 'folk',
    name: 'Folk',
    description: 'Strummed acoustic guitar, simple singable tunes, fiddle or flute.',
    examplePrompt: 'warm acoustic folk tune, 40 seconds',
    aliases: ['folk', 'acoustic', 'country', 'campfire', 'celtic', 'bluegrass', 'americana', 'irish'],
    tempo: { min: 84, max: 128, default: 100 },
    meters: ['4/4', '3/4', '6/8'],
    modes: ['major', 'mixolydian', 'dorian'],
    progressions: {
      major: [['I', 'IV', 'I', 'V'], ['I', 'V', 'IV', 'I'], ['I', 'vi', 'IV', 'V'], ['IV', 'I', 'V', 'I']],
      minor: [['i', 'VII', 'i', 'VII'], ['i', 'VI', 'VII', 'i'], ['i', 'iv', 'VII', 'i'], ['i', 'III', 'VII', 'i']],
    },
    chordFlavor: 'triad',
    instruments: { lead: 110, harmony: 25, bass: 32, pad: null, arp: null, drums: true },
    drumFeel: 'folk',
    swing: 0.08,
    density: 0.9,
    harmonicRhythm: 1,
    comp: 'strum',
    bass: 'root-fifth',
    leadCentre: 72,
    dynamics: { base: 78, range: 14 },
    diatonic: true,
    forms: ['verse-chorus', 'ternary'],
  },
  {
    id: 'classical-piano',
    name: 'Classical piano',
    description: 'Solo piano in a classical idiom: Alberti and broken-chord left hand, graceful melody.',
    examplePrompt: 'romantic classical piano piece in Eb major, 1:30',
    aliases: ['classical', 'classical piano', 'piano', 'solo piano', 'sonata', 'nocturne', 'etude', 'baroque', 'mozart', 'chopin'],
    tempo: { min: 60, max: 132, default: 96 },
    meters: ['4/4', '3/4', '6/8'],
    modes: ['major', 'minor'],
    progressions: {
      major: [['I', 'IV', 'V', 'I'], ['I', 'vi', 'ii', 'V'], ['I', 'V', 'vi', 'iii'], ['IV', 'V', 'iii', 'vi']],
      minor: [['i', 'iv', 'V', 'i'], ['i', 'VI', 'iv', 'V'], ['i', 'III', 'iv', 'V'], ['iv', 'V', 'i', 'VI']],
    },
    chordFlavor: 'triad',
    instruments: { lead: 0, harmony: 0, bass: 0, pad: null, arp: null, drums: false },
    drumFeel: 'none',
    swing: 0,
    density: 1.1,
    harmonicRhythm: 1,
    comp: 'broken',
    bass: 'alberti-low',
    leadCentre: 74,
    dynamics: { base: 68, range: 26 },
    diatonic: false,
    forms: ['ternary', 'rondo'],
  },
  {
    id: 'hiphop',
    name: 'Hip-hop',
    description: 'Head-nodding boom-bap or trap beat, deep 808 bass, minor-key hook.',
    examplePrompt: 'dark hip-hop beat, 90 bpm, 30 seconds',
    aliases: ['hiphop', 'hip-hop', 'hip hop', 'rap', 'trap', 'boom bap', 'beat', 'beats', 'drill'],
    tempo: { min: 76, max: 100, default: 88 },
    meters: ['4/4'],
    modes: ['minor', 'phrygian', 'dorian'],
    progressions: {
      major: [['I', 'vi', 'IV', 'V'], ['vi', 'IV', 'I', 'V'], ['I', 'iii', 'vi', 'IV']],
      minor: [['i', 'i', 'VI', 'VII'], ['i', 'iv', 'i', 'v'], ['i', 'VI', 'III', 'VII'], ['i', 'i', 'iv', 'VI']],
    },
    chordFlavor: 'seventh',
    instruments: { lead: 0, harmony: 4, bass: 38, pad: 89, arp: null, drums: true },
    drumFeel: 'halftime',
    swing: 0.12,
    density: 0.7,
    harmonicRhythm: 1,
    comp: 'block',
    bass: 'syncopated',
    leadCentre: 72,
    dynamics: { base: 84, range: 14 },
    diatonic: true,
    forms: ['verse-chorus'],
  },
  {
    id: 'funk',
    name: 'Funk',
    description: 'Tight syncopated sixteenths: slap bass, clavinet stabs, brass hits.',
    examplePrompt: 'groovy funk loop, 105 bpm, 20 seconds, loop',
    aliases: ['funk', 'funky', 'groove', 'groovy', 'soul', 'motown', 'rnb', 'r&b'],
    tempo: { min: 92, max: 118, default: 104 },
    meters: ['4/4'],
    modes: ['dorian', 'mixolydian', 'minor'],
    progressions: {
      major: [['I', 'IV', 'I', 'IV'], ['I', 'bVII', 'IV', 'I'], ['ii', 'V', 'I', 'IV']],
      minor: [['i', 'IV', 'i', 'IV'], ['i', 'i', 'iv', 'VII'], ['i', 'VII', 'i', 'IV'], ['i', 'iv', 'i', 'v']],
    },
    chordFlavor: 'ninth',
    instruments: { lead: 61, harmony: 7, bass: 36, pad: null, arp: null, drums: true },
    drumFeel: 'funk',
    swing: 0.06,
    density: 1.2,
    harmonicRhythm: 1,
    comp: 'comp',
    bass: 'syncopated',
    leadCentre: 70,
    dynamics: { base: 92, range: 12 },
    diatonic: false,
    forms: ['verse-chorus'],
  },
  {
    id: 'bossa-nova',
    name: 'Bossa nova',
    description: 'Brazilian lounge: nylon guitar, rim-click clave, soft flute, major-seventh colour.',
    examplePrompt: 'relaxed bossa nova for a cafe scene, 1 minute',
    aliases: ['bossa', 'bossa nova', 'bossanova', 'latin', 'samba', 'brazilian', 'tropical'],
    tempo: { min: 110, max: 144, default: 128 },
    meters: ['4/4'],
    modes: ['major', 'dorian', 'minor'],
    progressions: {
      major: [['I', 'ii', 'iii', 'ii'], ['I', 'vi', 'ii', 'V'], ['ii', 'V', 'I', 'I'], ['IV', 'iii', 'ii', 'V']],
      minor: [['i', 'iv', 'VII', 'III'], ['i', 'ii', 'V', 'i'], ['i', 'iv', 'v', 'i']],
    },
    chordFlavor: 'seventh',
    instruments: { lead: 73, harmony: 24, bass: 32, pad: null, arp: null, drums: true },
    drumFeel: 'bossa',
    swing: 0,
    density: 0.9,
    harmonicRhythm: 1,
    comp: 'comp',
    bass: 'root-fifth',
    leadCentre: 74,
    dynamics: { base: 66, range: 12 },
    diatonic: false,
    forms: ['head-solo-head'],
  },
  {
    id: 'waltz',
    name: 'Waltz',
    description: 'Three-four time: oom-pah-pah bass, strings and a lilting melody.',
    examplePrompt: 'romantic waltz in 3/4, 45 seconds',
    aliases: ['waltz', 'ballroom', 'three four', 'music box waltz', 'carousel'],
    tempo: { min: 120, max: 180, default: 150 },
    meters: ['3/4'],
    modes: ['major', 'minor'],
    progressions: {
      major: [['I', 'I', 'V', 'V'], ['I', 'IV', 'V', 'I'], ['I', 'vi', 'ii', 'V']],
      minor: [['i', 'i', 'V', 'V'], ['i', 'iv', 'V', 'i'], ['i', 'VI', 'iv', 'V']],
    },
    chordFlavor: 'triad',
    instruments: { lead: 40, harmony: 48, bass: 42, pad: null, arp: null, drums: false },
    drumFeel: 'waltz',
    swing: 0,
    density: 0.8,
    harmonicRhythm: 1,
    comp: 'stride',
    bass: 'root',
    leadCentre: 76,
    dynamics: { base: 72, range: 20 },
    diatonic: false,
    forms: ['ternary', 'rondo'],
  },
];

export const DEFAULT_STYLE_ID = 'lofi';

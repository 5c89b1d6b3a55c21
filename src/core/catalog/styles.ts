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

import type { Role, TrackMix } from '../score.ts';

/**
 * Comping patterns: block (held chords), arpeggio (fast broken chords, chiptune), broken (rolled
 * chord held), stride (oom-pah: chords after the downbeat), strum, comp (shell voicings off the beat),
 * sustain (one held chord per chord), pulse (repeated eighths), ostinato (string eighths on chord tones).
 */
export type CompPattern = 'block' | 'arpeggio' | 'broken' | 'stride' | 'strum' | 'comp' | 'sustain' | 'pulse' | 'ostinato';
/** Bass lines; waltz = root on one, fifth on one of the next bar (the "oom" of oom-pah-pah). */
export type BassPattern = 'root' | 'root-fifth' | 'walking' | 'octave' | 'syncopated' | 'pedal' | 'alberti-low' | 'eighths' | 'waltz';

/**
 * How a style is arranged and mixed, beyond its instruments: read by src/core/parts/ and the MIDI writer.
 */
export interface StyleArrangement {
  /** Notes in a chord voicing (the bass has the root, so 3 notes are a full seventh chord's colour). */
  voices: number;
  /** Parts whose notes tie into their next note: no bar line where nothing sounds. */
  legato: readonly Role[];
  /** Pad voices, and the section intensity from which the pad plays (0 = throughout). */
  pad: { voices: number; from: number };
  /** Arpeggio step in sixteenths, the intensity from which it plays, and the share of steps left out (bells). */
  arp: { unit: number; from: number; rest: number };
  /**
   * Groove MIDI style tags (the data set's info.csv) that fit this style: recorded beats play only
   * where these match; empty means the style's own pattern library (src/core/parts/drums.ts).
   */
  grooveStyles: readonly string[];
  /** Side-chain pump: expression dip on every beat for pads, chords and bass (0 = none, 0.5 = −6 dB-ish). */
  pump: number;
  /**
   * Phrasing of the lead: a note lasts at most this share of the time to the next lead note, so the
   * tune breathes between notes (1 = as the melody generator wrote it).
   */
  leadBreath: number;
  /**
   * How often chords and bass are struck in quiet bars (soft intros, outros, quiet sections): in
   * halves, or on every beat where the instruments die away fast (piano, guitars, plucked bass),
   * so a soft bar never decays into an audible drop-out.
   */
  quietHits: 'halves' | 'beats';
  /** Random timing (ticks, ±) and velocity (±) added to pitched parts. */
  humanize: { timing: number; velocity: number };
  /** Orchestral percussion (GM program on its own channel: 47 timpani), or null. */
  perc: number | null;
  /** Per-role mix overrides (CC7/10/91/93) over the defaults in src/midi/scoreToMidi.ts. */
  mix: Partial<Record<Role, Partial<TrackMix>>>;
}

const ARRANGEMENT: StyleArrangement = {
  voices: 3,
  legato: ['bass', 'pad'],
  pad: { voices: 3, from: 0.8 },
  arp: { unit: 2, from: 0.8, rest: 0 },
  grooveStyles: [],
  pump: 0,
  leadBreath: 1,
  quietHits: 'halves',
  humanize: { timing: 6, velocity: 5 },
  perc: null,
  mix: {},
};
const arrangement = (o: Partial<StyleArrangement>): StyleArrangement => ({ ...ARRANGEMENT, ...o });
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
  arrangement: StyleArrangement;
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
    instruments: { lead: 11, harmony: 4, bass: 33, pad: null, arp: null, drums: true },
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
    arrangement: arrangement({ voices: 3, legato: ['bass'], grooveStyles: ['hiphop', 'soul'], leadBreath: 0.75, humanize: { timing: 10, velocity: 8 }, mix: { lead: { pan: 70, reverb: 56, chorus: 20 }, harmony: { pan: 54, reverb: 44, chorus: 48 } } }),
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
    comp: 'pulse',
    bass: 'eighths',
    leadCentre: 74,
    dynamics: { base: 88, range: 18 },
    diatonic: true,
    forms: ['verse-chorus'],
    arrangement: arrangement({ legato: ['bass', 'pad'], pad: { voices: 2, from: 0.95 }, arp: { unit: 1, from: 0.85, rest: 0 }, pump: 0.3, humanize: { timing: 0, velocity: 3 }, mix: { lead: { reverb: 60, chorus: 30 }, harmony: { pan: 44, chorus: 70 }, pad: { pan: 88, chorus: 60 }, arp: { pan: 30, reverb: 60 } } }),
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
    instruments: { lead: 80, harmony: 81, bass: 38, pad: null, arp: null, drums: true },
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
    arrangement: arrangement({ legato: ['bass'], humanize: { timing: 0, velocity: 0 }, mix: { lead: { reverb: 10, chorus: 0 }, harmony: { pan: 40, reverb: 10, volume: 70 }, bass: { reverb: 0 }, drums: { reverb: 6 } } }),
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
    instruments: { lead: 60, harmony: 48, bass: 43, pad: 49, arp: null, drums: false },
    drumFeel: 'cinematic',
    swing: 0,
    density: 0.6,
    harmonicRhythm: 1,
    comp: 'ostinato',
    bass: 'root',
    leadCentre: 70,
    dynamics: { base: 74, range: 34 },
    diatonic: false,
    forms: ['ternary', 'rondo'],
    arrangement: arrangement({ voices: 3, legato: ['bass', 'pad'], pad: { voices: 1, from: 0.75 }, humanize: { timing: 8, velocity: 6 }, perc: 47, mix: { lead: { pan: 58, reverb: 80 }, harmony: { pan: 40, reverb: 70, volume: 80 }, bass: { pan: 76, reverb: 50 }, pad: { pan: 90, reverb: 90, volume: 72 }, perc: { pan: 70, reverb: 76, volume: 100 } } }),
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
    arrangement: arrangement({ quietHits: 'beats', voices: 4, legato: ['bass'], grooveStyles: ['jazz'], humanize: { timing: 10, velocity: 8 }, mix: { lead: { pan: 72, reverb: 44 }, harmony: { pan: 48, reverb: 36 }, bass: { pan: 60, reverb: 20 }, drums: { pan: 64, reverb: 30 } } }),
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
    dynamics: { base: 94, range: 20 },
    diatonic: false,
    forms: ['verse-chorus'],
    arrangement: arrangement({ voices: 3, legato: ['bass'], grooveStyles: ['rock', 'punk'], humanize: { timing: 5, velocity: 6 }, mix: { lead: { pan: 70, reverb: 40 }, harmony: { pan: 40, reverb: 24 } } }),
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
    dynamics: { base: 62, range: 18 },
    diatonic: true,
    forms: ['evolution'],
    arrangement: arrangement({ voices: 3, legato: ['bass', 'pad', 'harmony'], pad: { voices: 2, from: 0.95 }, arp: { unit: 4, from: 0, rest: 0.7 }, humanize: { timing: 12, velocity: 6 }, mix: { lead: { reverb: 96, chorus: 30 }, harmony: { reverb: 96, chorus: 50, pan: 52 }, pad: { reverb: 110, pan: 80, chorus: 60 }, arp: { reverb: 110, pan: 36 }, bass: { reverb: 60 } } }),
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
    arrangement: arrangement({ legato: ['pad', 'bass'], pad: { voices: 2, from: 0.8 }, arp: { unit: 1, from: 0.85, rest: 0 }, pump: 0.45, humanize: { timing: 0, velocity: 2 }, mix: { lead: { reverb: 50, chorus: 24 }, harmony: { pan: 46, reverb: 40, chorus: 50 }, pad: { pan: 84, chorus: 60 }, arp: { pan: 28 }, drums: { volume: 104, reverb: 14 } } }),
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
    arrangement: arrangement({ quietHits: 'beats', legato: ['bass'], humanize: { timing: 8, velocity: 8 }, mix: { lead: { pan: 74, reverb: 44 }, harmony: { pan: 46, reverb: 34 } } }),
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
    arrangement: arrangement({ quietHits: 'beats', voices: 3, legato: ['harmony', 'bass'], humanize: { timing: 6, velocity: 7 }, mix: { lead: { pan: 70, reverb: 56 }, harmony: { pan: 58, reverb: 56 }, bass: { pan: 50, reverb: 56 } } }),
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
    arrangement: arrangement({ voices: 3, legato: ['bass'], pad: { voices: 2, from: 0.95 }, grooveStyles: ['hiphop'], humanize: { timing: 6, velocity: 6 }, mix: { lead: { pan: 68, reverb: 40 }, harmony: { pan: 52, chorus: 40 }, bass: { volume: 108, reverb: 4 } } }),
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
    arrangement: arrangement({ voices: 3, legato: ['bass'], grooveStyles: ['funk', 'soul', 'neworleans'], humanize: { timing: 4, velocity: 7 }, mix: { lead: { pan: 72, reverb: 32 }, harmony: { pan: 44, reverb: 20 }, bass: { reverb: 6 } } }),
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
    arrangement: arrangement({ quietHits: 'beats', voices: 3, legato: ['bass'], humanize: { timing: 6, velocity: 6 }, mix: { lead: { pan: 74, reverb: 50 }, harmony: { pan: 52, reverb: 36 }, drums: { volume: 80, reverb: 30 } } }),
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
    bass: 'waltz',
    leadCentre: 76,
    dynamics: { base: 72, range: 30 },
    diatonic: false,
    forms: ['ternary', 'rondo'],
    arrangement: arrangement({ voices: 3, legato: ['bass'], humanize: { timing: 6, velocity: 6 }, mix: { lead: { pan: 54, reverb: 64 }, harmony: { pan: 76, reverb: 64 }, bass: { pan: 44, reverb: 56 } } }),
  },
];

export const DEFAULT_STYLE_ID = 'lofi';

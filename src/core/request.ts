/**
 * The validated composition request and the friendly validation of each field.
 * Every stage after this one may trust a CompositionRequest; every error here names the
 * field, says what is allowed, and suggests the nearest valid value.
 */
import { z } from 'zod';
import { StyleCatalog, type Energy } from './catalog/index.ts';
import { GM_PROGRAM_NAMES, instrumentNameTable } from './catalog/instruments.ts';
import { MODES, parseKey, formatKey } from './keys.ts';
import { closest, nearest } from './suggest.ts';

export const METERS = ['4/4', '3/4', '6/8', '2/4', '12/8'] as const;
export type Meter = (typeof METERS)[number];

/** Everyday names for the meters we write, as people type them ("waltz time" → 3/4). Lower case. */
export const METER_WORDS: Readonly<Record<string, Meter>> = {
  'common time': '4/4',
  'four four': '4/4',
  'waltz time': '3/4',
  'waltz feel': '3/4',
  'three four': '3/4',
  'in three': '3/4',
  'triple time': '3/4',
  'triple meter': '3/4',
  'six eight': '6/8',
  'compound time': '6/8',
  'two four': '2/4',
  'march time': '2/4',
  'twelve eight': '12/8',
};
export const ENERGIES = ['low', 'medium', 'high'] as const satisfies readonly Energy[];
export const FORMATS = ['ogg', 'mp3', 'wav'] as const;
export type AudioFormat = (typeof FORMATS)[number];

export const LIMITS = {
  duration: { min: 1, max: 300 },
  tempo: { min: 40, max: 240 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  promptLength: 500,
  instruments: 4,
} as const;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as a reader counts them (grapheme clusters): "🎵" or "👨‍👩‍👧" is one, not 2 or 8 UTF-16 units. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

const KeySchema = z.object({ tonic: z.string().min(1), mode: z.enum(MODES) });

export const CompositionRequestSchema = z.object({
  style: z.enum(StyleCatalog.styleIds as [string, ...string[]]),
  mood: z.enum(StyleCatalog.moodIds as [string, ...string[]]),
  durationSec: z.number().min(LIMITS.duration.min).max(LIMITS.duration.max),
  /** null: the style and mood choose. */
  tempo: z.number().min(LIMITS.tempo.min).max(LIMITS.tempo.max).nullable(),
  key: KeySchema.nullable(),
  meter: z.enum(METERS).nullable(),
  instruments: z.array(z.object({ name: z.string(), program: z.number().int().min(0).max(127) })).max(LIMITS.instruments),
  energy: z.enum(ENERGIES).nullable(),
  seed: z.number().int().min(LIMITS.seed.min).max(LIMITS.seed.max),
  loop: z.boolean(),
  /** Drums on or off; absent: the style decides (set by an edit such as "no drums" or "add drums"). */
  drums: z.boolean().optional(),
  prompt: z.string().refine((text) => characterCount(text) <= LIMITS.promptLength, { message: `at most ${LIMITS.promptLength} characters` }),
});
export type CompositionRequest = z.infer<typeof CompositionRequestSchema>;

/** What a caller may pass: CLI flags, Discord options, a job payload. Everything optional. */
export interface RequestInput {
  prompt?: string;
  style?: string;
  mood?: string;
  duration?: number | string;
  tempo?: number | string;
  key?: string;
  meter?: string;
  instruments?: string | readonly string[];
  energy?: string;
  seed?: number | string;
  loop?: boolean;
}

export interface FieldProblem {
  field: string;
  /** What was wrong, in plain words. */
  message: string;
  /** What is allowed. */
  allowed: string;
  /** The nearest valid value, when there is one. */
  suggestion?: string;
}

/** A request that cannot be composed; `problems` lists every bad field at once. */
export class RequestError extends Error {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'RequestError';
    this.problems = problems;
  }
}

export function formatProblem(p: FieldProblem): string {
  const hint = p.suggestion !== undefined ? ` Did you mean "${p.suggestion}"?` : '';
  return `${p.field}: ${p.message}${hint} Allowed: ${p.allowed}.`;
}

type Check<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };
const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const bad = <T>(problem: FieldProblem): Check<T> => ({ ok: false, problem });

/** Style id from an id or alias ("lo-fi" → "lofi"), with a suggestion on a miss. */
export function checkStyle(text: string): Check<string> {
  const wanted = text.toLowerCase().trim();
  for (const style of StyleCatalog.styles) {
    if (style.id === wanted || style.aliases.includes(wanted)) return ok(style.id);
  }
  const everything = StyleCatalog.styles.flatMap((s) => [s.id, ...s.aliases]);
  const guess = closest(wanted, everything);
  const suggestion = guess && StyleCatalog.styles.find((s) => s.id === guess || s.aliases.includes(guess))?.id;
  return bad({ field: 'style', message: `"${text}" is not a style I know.`, allowed: StyleCatalog.styleIds.join(', '), suggestion });
}

export function checkMood(text: string): Check<string> {
  const wanted = text.toLowerCase().trim();
  for (const mood of StyleCatalog.moods) {
    if (mood.id === wanted || mood.aliases.includes(wanted)) return ok(mood.id);
  }
  const everything = StyleCatalog.moods.flatMap((m) => [m.id, ...m.aliases]);
  const guess = closest(wanted, everything);
  const suggestion = guess && StyleCatalog.moods.find((m) => m.id === guess || m.aliases.includes(guess))?.id;
  return bad({ field: 'mood', message: `"${text}" is not a mood I know.`, allowed: StyleCatalog.moodIds.join(', '), suggestion });
}

/** Seconds from "90", "90s", "1:30", "2 min", "1m30s", "1.5 minutes". Null when not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.toLowerCase().trim();
  let m = /^(\d{1,3}):([0-5]\d)$/.exec(t);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  m = /^(\d+(?:\.\d+)?)\s*(?:m|mins?|minutes?)\s*(?:(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?)?$/.exec(t);
  if (m) return Number(m[1]) * 60 + (m[2] ? Number(m[2]) : 0);
  m = /^(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?|")?$/.exec(t);
  if (m) return Number(m[1]);
  return null;
}

export function checkDuration(value: number | string): Check<number> {
  const allowed = `${LIMITS.duration.min}–${LIMITS.duration.max} seconds (e.g. 15, "90s", "1:30", "2 min")`;
  const seconds = typeof value === 'number' ? value : parseDuration(value);
  if (seconds === null || !Number.isFinite(seconds)) {
    return bad({ field: 'duration', message: `"${value}" is not a length of time.`, allowed });
  }
  if (seconds < LIMITS.duration.min || seconds > LIMITS.duration.max) {
    const clamped = Math.min(LIMITS.duration.max, Math.max(LIMITS.duration.min, seconds));
    return bad({ field: 'duration', message: `${seconds} seconds is out of range.`, allowed, suggestion: `${clamped}` });
  }
  return ok(Math.round(seconds * 1000) / 1000);
}

export function checkTempo(value: number | string): Check<number> {
  const allowed = `${LIMITS.tempo.min}–${LIMITS.tempo.max} bpm`;
  // Strings must be plain decimals ("120", "96.5 bpm"): Number() would also take "0x50" or "".
  const text = typeof value === 'number' ? '' : String(value).toLowerCase().trim().replace(/\s*bpm$/, '');
  const bpm = typeof value === 'number' ? value : /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(bpm)) return bad({ field: 'tempo', message: `"${value}" is not a number of beats per minute.`, allowed });
  if (bpm < LIMITS.tempo.min || bpm > LIMITS.tempo.max) {
    const clamped = Math.min(LIMITS.tempo.max, Math.max(LIMITS.tempo.min, Math.round(bpm)));
    return bad({ field: 'tempo', message: `${bpm} bpm is out of range.`, allowed, suggestion: `${clamped}` });
  }
  return ok(Math.round(bpm * 100) / 100);
}

const KEY_EXAMPLES = ['C major', 'A minor', 'F# minor', 'Eb major', 'D dorian', 'G mixolydian'];

export function checkKey(text: string): Check<{ tonic: string; mode: (typeof MODES)[number] }> {
  const key = parseKey(text);
  if (key) return ok({ tonic: key.tonic, mode: key.mode as (typeof MODES)[number] });
  // Suggest: fix the mode word if the tonic is fine, else the nearest example.
  const [tonicPart = '', ...rest] = text.trim().split(/\s+/);
  // German note names write B as H ("H-Dur", "h moll"), so an H tonic most likely means B.
  const tonic = /^h$/i.test(tonicPart) ? 'B' : tonicPart;
  const modeText = rest.join(' ');
  const modeGuess = modeText ? nearest(modeText, MODES, 3) : undefined;
  const fixed = tonic ? parseKey(`${tonic} ${modeGuess ?? modeText}`.trim()) : null;
  return bad({
    field: 'key',
    message: `"${text}" is not a key.`,
    allowed: `a tonic A–G with optional # or b, then a mode (${MODES.join(', ')}), e.g. ${KEY_EXAMPLES.join(', ')}`,
    suggestion: fixed ? formatKey(fixed) : closest(text, KEY_EXAMPLES),
  });
}

export function checkMeter(text: string): Check<Meter> {
  const words = text.toLowerCase().trim().replace(/[\s-]+/g, ' ');
  const named = METER_WORDS[words];
  if (named) return ok(named);
  const t = text.trim().replace(/\s+/g, '');
  const found = METERS.find((m) => m === t);
  if (found) return ok(found);
  return bad({ field: 'meter', message: `"${text}" is not a time signature I can write.`, allowed: METERS.join(', '), suggestion: nearestMeter(t) });
}

/** For "n/d", the allowed meter with the same beat unit and the nearest beat count ("5/4" → 4/4, "7/8" → 6/8). */
function nearestMeter(t: string): Meter | undefined {
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(t);
  if (m) {
    const [beats, unit] = [Number(m[1]), m[2]];
    const sameUnit = METERS.filter((meter) => meter.endsWith(`/${unit}`));
    if (sameUnit.length) {
      return sameUnit.reduce((best, meter) => (Math.abs(Number(meter.split('/')[0]) - beats) < Math.abs(Number(best.split('/')[0]) - beats) ? meter : best));
    }
  }
  return closest(t, METERS) as Meter | undefined;
}

export function checkEnergy(text: string): Check<Energy> {
  const t = text.toLowerCase().trim();
  const found = ENERGIES.find((e) => e === t);
  if (found) return ok(found);
  return bad({ field: 'energy', message: `"${text}" is not an energy level.`, allowed: ENERGIES.join(', '), suggestion: closest(t, ENERGIES) });
}

export function checkSeed(value: number | string): Check<number> {
  const allowed = `a whole number from ${LIMITS.seed.min} to ${LIMITS.seed.max}`;
  // Strings must be whole decimal numbers: Number() would turn "" into 0 and "0x10" into 16.
  const text = String(value).trim();
  const seed = typeof value === 'number' ? value : /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(seed) && (seed < LIMITS.seed.min || seed > LIMITS.seed.max)) {
    // Echo the digits as typed: past 2^53 Number() would round them ("…993" → "…992").
    // No suggestion: every seed in range is as near as any other.
    return bad({ field: 'seed', message: `"${text}" is out of range.`, allowed });
  }
  if (!Number.isInteger(seed)) return bad({ field: 'seed', message: `"${text}" is not a whole number.`, allowed });
  return ok(seed);
}

/** An audio format ("ogg", " MP3 "), with the nearest one on a miss. */
export function checkFormat(text: string): Check<AudioFormat> {
  const wanted = text.toLowerCase().trim();
  const found = FORMATS.find((f) => f === wanted);
  if (found) return ok(found);
  return bad({ field: 'format', message: `"${text}" is not an audio format I write.`, allowed: FORMATS.join(', '), suggestion: closest(wanted, FORMATS) });
}

let instrumentTable: Map<string, number> | undefined;

/** One instrument name ("strings", "8-bit lead", "Acoustic Grand Piano", "program 33") → GM program. */
export function checkInstrument(text: string): Check<{ name: string; program: number }> {
  instrumentTable ??= instrumentNameTable();
  const t = text.toLowerCase().trim().replace(/\s+/g, ' ');
  const numbered = /^(?:program|gm)\s*#?(\d{1,3})$/.exec(t);
  if (numbered && Number(numbered[1]) <= 127) {
    const program = Number(numbered[1]);
    return ok({ name: GM_PROGRAM_NAMES[program] ?? `program ${program}`, program });
  }
  const singular = t.endsWith('s') && !instrumentTable.has(t) ? t.slice(0, -1) : t;
  const program = instrumentTable.get(t) ?? instrumentTable.get(singular);
  if (program !== undefined) return ok({ name: t, program });
  return bad({
    field: 'instruments',
    message: `"${text}" is not an instrument I know.`,
    allowed: 'General MIDI instrument names or common names such as piano, strings, electric piano, synth bass, 8-bit lead, flute, sax',
    suggestion: closest(t, [...instrumentTable.keys()]),
  });
}

export function checkInstruments(value: string | readonly string[]): Check<{ name: string; program: number }[]> {
  const names = (typeof value === 'string' ? value.split(/\s*(?:,|\+|\band\b|&)\s*/i) : value).map((n) => n.trim()).filter(Boolean);
  if (names.length > LIMITS.instruments) {
    return bad({ field: 'instruments', message: `${names.length} instruments is too many.`, allowed: `at most ${LIMITS.instruments} (lead, harmony, bass, pad)` });
  }
  const out: { name: string; program: number }[] = [];
  for (const name of names) {
    const one = checkInstrument(name);
    if (!one.ok) return one;
    out.push(one.value);
  }
  return ok(out);
}

export type { Check };

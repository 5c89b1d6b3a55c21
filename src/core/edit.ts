/**
 * A reply to a result, read as an edit of that piece: "slower", "make it darker", "add strings",
 * "no drums", "twice as long", "another like this but happier", "as mp3". Pure: text in, change
 * out; what the change does to a stored piece is src/core/editPlan.ts's job.
 *
 * How it reads a message:
 *  1. Words are folded (case, accents), emoji and German/Spanish/French words become English
 *     (src/core/catalog/editWords.ts), and number+unit pairs ("140bpm", "10 s", "10%") stay whole.
 *  2. Edit phrases (comparatives, verbs, amounts, "another", formats, SoundFonts) are found,
 *     longest first, with stretched spellings ("slooower") and small typos ("fsater", "drumz") of
 *     words that are not English. Comparatives of mood and style words come from the catalog
 *     ("darker", "spookier", "jazzier").
 *  3. They are read in context, clause by clause (commas, "and", "but"): an amount before or after
 *     a comparative ("a bit slower", "slow it down a little"), a negation before a target ("no
 *     drums", "not faster" = no change), a verb before instruments ("add sax and trumpet",
 *     "replace the piano with guitar", "guitar instead of piano", "play it on cello").
 *  4. What is left goes through the prompt parser (prompt.ts) for absolute values: style, mood,
 *     key ("in D minor"; "in G" keeps the mode), a tempo or length as a number, energy, loop.
 *
 * Amounts: tempo ×0.85/×1.15 (a bit ×0.9/×1.1, much ×0.7/×1.3); length ×0.5/×2 (a bit ×0.75/×1.5,
 * much ×1/3/×3); "N bpm faster" and "N seconds longer" add; "N%" scales; "higher"/"lower" move two
 * semitones. Contradictions: the last one said wins ("faster, no wait, slower" → slower), and the
 * overruled values are listed in `conflicts`. "more" or "even more" alone repeats the last change
 * (the caller knows it); "another"/"again" asks for a new seed; "like this but …" keeps the seed.
 * A negated word that is not an edit word ("not so loud", "no jazz") is reported, never used.
 *
 * Opposites: "less sad", "not so sad", "a bit less gloomy" ask for the mood's opposite (the catalog's
 * `opposite`: happy); "less loud", "not so punchy" turn the energy down, "less sparse" up.
 *
 * Known limits: no targeted mix changes ("make the bass
 * louder" adds bass and raises the energy), keys only with "in"/"key of" ("change key to E" is not
 * read), relative numbers only before a comparative ("10 bpm faster", not "tempo down by 10").
 */
import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { StyleCatalog, type Energy } from './catalog/index.ts';
import { EDIT_PHRASES, EMOJI_WORDS, FOREIGN_WORDS, LENGTH_SCALES, PITCH_STEP, TEMPO_SCALES, type EditLex } from './catalog/editWords.ts';
import { instrumentNameTable } from './catalog/instruments.ts';
import { parseKey } from './keys.ts';
import { energyOfWord, isEnglishWord, parsePrompt } from './prompt.ts';

export type Amount = { set: number } | { scale: number } | { delta: number };
export interface InstrumentRef {
  name: string;
  program: number;
}

export interface EditChange {
  tempo?: Amount;
  length?: Amount;
  /** A key; without `mode` the piece's mode is kept ("in G"). */
  key?: { tonic: string; mode?: string };
  /** The mode alone ("make it minor"). */
  mode?: string;
  /** Semitones, −11…11. */
  transpose?: number;
  mood?: string;
  style?: string;
  energy?: Energy | 'up' | 'down';
  meter?: string;
  add?: string[];
  remove?: string[];
  swap?: { from?: string; to: string }[];
  drums?: boolean;
  loop?: boolean;
  format?: 'ogg' | 'mp3' | 'wav';
  soundfont?: 'fluidr3' | 'timgm6mb' | 'musescore';
  newSeed?: true;
  repeat?: true;
}

const AmountSchema = z.union([z.object({ set: z.number() }), z.object({ scale: z.number() }), z.object({ delta: z.number() })]);
/** An EditChange as stored with a conversation (validated when read back). */
export const EditChangeSchema = z.object({
  tempo: AmountSchema.optional(),
  length: AmountSchema.optional(),
  key: z.object({ tonic: z.string().max(3), mode: z.string().max(12).optional() }).optional(),
  mode: z.string().max(12).optional(),
  transpose: z.number().int().min(-11).max(11).optional(),
  mood: z.string().max(40).optional(),
  style: z.string().max(40).optional(),
  energy: z.enum(['low', 'medium', 'high', 'up', 'down']).optional(),
  meter: z.string().max(8).optional(),
  add: z.array(z.string().max(40)).max(8).optional(),
  remove: z.array(z.string().max(40)).max(8).optional(),
  swap: z.array(z.object({ from: z.string().max(40).optional(), to: z.string().max(40) })).max(8).optional(),
  drums: z.boolean().optional(),
  loop: z.boolean().optional(),
  format: z.enum(['ogg', 'mp3', 'wav']).optional(),
  soundfont: z.enum(['fluidr3', 'timgm6mb', 'musescore']).optional(),
  newSeed: z.literal(true).optional(),
  repeat: z.literal(true).optional(),
}) satisfies z.ZodType<EditChange>;

/** Single words the edit vocabulary knows (for "nearest words" suggestions). */
export function editWords(): string[] {
  editTable();
  return [...singleWords];
}

export interface ParsedEdit {
  change: EditChange;
  /** One line per change, with the words it came from. */
  understood: string[];
  /** Words nothing was made of (stop words left out). */
  ignored: string[];
  /** Overruled values ("tempo: “faster” then “slower”; using the last"). */
  conflicts: string[];
}

type Field = Exclude<keyof EditChange, 'add' | 'remove' | 'swap'>;

interface Mention {
  field: Field;
  value: unknown;
  at: number;
  from: string;
}

interface InstrumentOp {
  op: 'add' | 'remove' | 'swap';
  to: InstrumentRef;
  from?: InstrumentRef;
  at: number;
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Words

interface Tok {
  /** Folded word, or the English word a foreign word/emoji became. */
  norm: string;
  /** What the prompt parser should read for this item (original spelling, or the translation). */
  text: string;
  start: number;
  end: number;
  num?: { value: number; unit: string };
  punct?: boolean;
}

const TOKEN_RE =
  /(\d{1,2}\/\d{1,2}(?![\d/]))|(\d{1,3}:\d{2})|([+-]?\d+(?:\.\d+)?)\s*(%|bpm|seconds|second|secs|sec|s|minutes|minute|mins|min|m|x)?(?![\p{L}\d])|([\p{L}\p{N}][\p{L}\p{N}\p{M}'’#]*)|(\p{Extended_Pictographic}\uFE0F?)|([,.;:!?+&→]|->)/gu;

const fold = (text: string) =>
  text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/[’‘`]/g, "'").replace(/\uFE0F/g, '');
const squash = (text: string) => text.replace(/(.)\1{2,}/gu, '$1$1');
const collapse = (text: string) => text.replace(/(.)\1+/gu, '$1');

const FOREIGN = new Map(Object.entries(FOREIGN_WORDS).map(([k, v]) => [fold(k), v]));
const EMOJI = new Map(Object.entries(EMOJI_WORDS).map(([k, v]) => [k.replace(/\uFE0F/g, ''), v]));
const MAX_FOREIGN_WORDS = 3;

function tokenize(input: string): Tok[] {
  const raw: Tok[] = [];
  for (const m of input.matchAll(TOKEN_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[1]) {
      // "3/4": a meter, read by the prompt parser.
      raw.push({ norm: m[1], text: m[1], start, end });
    } else if (m[2]) {
      const [mm, ss] = m[2].split(':').map(Number);
      raw.push({ norm: m[2], text: m[0], start, end, num: { value: mm! * 60 + ss!, unit: 'clock' } });
    } else if (m[3]) {
      raw.push({ norm: m[0], text: m[0], start, end, num: { value: Number(m[3]), unit: (m[4] ?? '').toLowerCase() } });
    } else if (m[5]) {
      raw.push({ norm: fold(m[5]), text: m[5], start, end });
    } else if (m[6]) {
      const words = EMOJI.get(m[6].replace(/\uFE0F/g, ''));
      for (const w of words?.split(' ') ?? []) raw.push({ norm: w, text: w, start, end });
    } else {
      raw.push({ norm: m[0], text: m[0], start, end, punct: true });
    }
  }
  // Foreign phrases, longest first.
  const out: Tok[] = [];
  for (let i = 0; i < raw.length; ) {
    let used = 0;
    for (let n = Math.min(MAX_FOREIGN_WORDS, raw.length - i); n >= 1 && !used; n--) {
      const span = raw.slice(i, i + n);
      if (span.some((t) => t.num || t.punct)) continue;
      const english = FOREIGN.get(span.map((t) => t.norm).join(' '));
      if (english === undefined) continue;
      for (const w of english.split(' ')) out.push({ norm: w, text: w, start: span[0]!.start, end: span[n - 1]!.end });
      used = n;
    }
    if (!used) {
      out.push(raw[i]!);
      used = 1;
    }
    i += used;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Phrases

type Lex = EditLex | { k: 'instr'; ref: InstrumentRef; dual: boolean } | { k: 'comp'; field: 'mood' | 'style'; id: string };

interface Item {
  lex: Lex | null;
  /** Token indexes covered. */
  from: number;
  to: number;
}

let table: Map<string, Lex[]> | undefined;
let longest = 1;
let singleWords: string[] = [];

/** Comparatives of a word: dark → darker, sad → sadder, happy → happier, gentle → gentler. */
function comparatives(word: string): string[] {
  if (!/^[a-z]{3,}$/.test(word)) return [];
  const forms = [`${word}er`];
  if (word.endsWith('y')) forms.push(`${word.slice(0, -1)}ier`);
  if (word.endsWith('e')) forms.push(`${word}r`);
  if (/[^aeiou][aeiou][bdgmnpt]$/.test(word)) forms.push(`${word}${word.at(-1)}er`);
  return forms;
}

function editTable(): Map<string, Lex[]> {
  if (table) return table;
  const t = new Map<string, Lex[]>();
  const add = (phrase: string, lex: Lex, front = false) => {
    const key = fold(phrase).replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
    const list = t.get(key) ?? [];
    if (front) list.unshift(lex);
    else list.push(lex);
    t.set(key, list);
    longest = Math.max(longest, key.split(' ').length);
  };
  for (const [phrase, lex] of Object.entries(EDIT_PHRASES)) add(phrase, lex);
  const styleWords = new Set(StyleCatalog.styles.flatMap((s) => [s.id, ...s.aliases]).map((a) => fold(a)));
  for (const [name, program] of instrumentNameTable()) {
    if (t.has(fold(name))) continue; // "drums", "kit"… are edit words first
    add(name, { k: 'instr', ref: { name, program }, dual: styleWords.has(fold(name)) });
  }
  // Comparatives of moods and styles; an explicit edit word ("quieter", "softer") keeps its meaning.
  for (const mood of StyleCatalog.moods) {
    for (const alias of mood.aliases) for (const c of comparatives(alias)) if (!t.has(c)) add(c, { k: 'comp', field: 'mood', id: mood.id });
  }
  for (const style of StyleCatalog.styles) {
    for (const alias of style.aliases) for (const c of comparatives(alias)) if (!t.has(c)) add(c, { k: 'comp', field: 'style', id: style.id });
  }
  singleWords = [...t.keys()].filter((k) => !k.includes(' ') && /^[a-z]{4,}$/.test(k));
  table = t;
  return t;
}

function lookup(t: Map<string, Lex[]>, phrase: string): Lex | undefined {
  const exact = t.get(phrase) ?? t.get(squash(phrase));
  if (exact) return exact[0];
  for (const singular of [phrase.replace(/([^s])s$/, '$1'), phrase.replace(/(ss|sh|ch|x)es$/, '$1')]) {
    if (singular === phrase) continue;
    const hit = t.get(singular)?.find((l) => l.k === 'instr');
    if (hit) return hit;
  }
  return undefined;
}

/** Optimal string alignment distance: a swap of two neighbours counts once ("fsater"). */
function osa(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** A typo of one edit word, or undefined. Never for real English words or short words. */
function guessWord(t: Map<string, Lex[]>, word: string): Lex | undefined {
  if (!/^\p{L}{4,}$/u.test(word) || isEnglishWord(word)) return undefined;
  let best: string[] = [];
  let bestD = Infinity;
  for (const key of singleWords) {
    let d: number;
    if (collapse(key) === collapse(word)) d = 0.5;
    else {
      if (Math.abs(key.length - word.length) > 2 || key[0] !== word[0]) continue;
      const limit = word.length <= 6 ? 1 : 2;
      // A cheap bound first; OSA only for near candidates.
      if (distance(key, word) > limit + 1) continue;
      d = osa(key, word);
      if (d > limit) continue;
    }
    if (d < bestD) [best, bestD] = [[key], d];
    else if (d === bestD) best.push(key);
  }
  const meanings = new Set(best.map((k) => JSON.stringify(t.get(k)![0])));
  return meanings.size === 1 ? t.get(best[0]!)![0] : undefined;
}

function lex(tokens: Tok[]): Item[] {
  const t = editTable();
  const items: Item[] = [];
  for (let i = 0; i < tokens.length; ) {
    const tok = tokens[i]!;
    if (tok.num || tok.punct) {
      items.push({ lex: tok.punct ? (/[,.;:!?&→]|->/.test(tok.norm) ? { k: 'sep' } : tok.norm === '+' ? { k: 'sep' } : null) : null, from: i, to: i + 1 });
      i++;
      continue;
    }
    let used = 0;
    for (let n = Math.min(longest, tokens.length - i); n >= 1 && !used; n--) {
      const span = tokens.slice(i, i + n);
      if (span.some((s) => s.num || s.punct)) continue;
      const hit = lookup(t, span.map((s) => s.norm).join(' '));
      if (hit) {
        items.push({ lex: hit, from: i, to: i + n });
        used = n;
      }
    }
    if (!used) {
      items.push({ lex: guessWord(t, tok.norm) ?? null, from: i, to: i + 1 });
      used = 1;
    }
    i += used;
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Reading in context

const KEY_LETTER = /^[a-g](?:#|b|♯|♭)?$/;
const TIME_UNITS: Record<string, number> = { s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60, clock: 1 };
const SIZE_INDEX = { small: 0, normal: 1, big: 2 } as const;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function relativeScale(field: 'tempo' | 'length', dir: 1 | -1, size: keyof typeof SIZE_INDEX): number {
  const i = SIZE_INDEX[size];
  if (field === 'tempo') return (dir > 0 ? TEMPO_SCALES.faster : TEMPO_SCALES.slower)[i];
  return (dir > 0 ? LENGTH_SCALES.longer : LENGTH_SCALES.shorter)[i];
}

interface Reading {
  mentions: Mention[];
  instruments: InstrumentOp[];
  consumed: Set<number>;
  /** "more"/"even more" with nothing after it. */
  bareMore: boolean;
  /** Negated words nothing was made of ("not so loud"). */
  negated: string[];
}

function read(tokens: Tok[], items: Item[]): Reading {
  const mentions: Mention[] = [];
  const instruments: InstrumentOp[] = [];
  const consumed = new Set<number>();
  const negated: string[] = [];
  let bareMore = false;
  const textOf = (...its: Item[]) => {
    const from = Math.min(...its.map((i) => i.from));
    const to = Math.max(...its.map((i) => i.to));
    return tokens.slice(from, to).map((t) => t.text).join(' ');
  };
  const take = (...its: Item[]) => its.forEach((it) => { for (let k = it.from; k < it.to; k++) consumed.add(k); });
  const at = (it: Item) => tokens[it.from]!.start;
  const mention = (field: Field, value: unknown, ...its: Item[]) => {
    take(...its);
    const m = { field, value, at: Math.min(...its.map(at)), from: textOf(...its) };
    mentions.push(m);
    return m;
  };

  type Verb = 'add' | 'remove' | 'more' | 'less' | 'on' | 'replace' | 'keep';
  let s: {
    amount?: { size: keyof typeof SIZE_INDEX; item: Item };
    factor?: { n: number; item: Item };
    neg?: Item;
    verb?: { v: Verb; item: Item };
    replaceFrom?: { ref: InstrumentRef; item: Item };
    awaitTo: boolean;
    lastCmp?: { m: Mention; field: 'tempo' | 'length'; dir: 1 | -1; sized: boolean };
    lastInstr?: InstrumentOp;
    moreItem?: Item;
  } = { awaitTo: false };
  let carryVerb: { v: Verb; item: Item } | undefined;

  const meaningful = (i: number) => {
    for (let j = i; j < items.length; j++) {
      const l = items[j]!.lex;
      if (l?.k === 'filler') continue;
      const norm = tokens[items[j]!.from]!.norm;
      if (!l && ['the', 'a', 'an', 'some', 'of', 'my', 'that', 'this'].includes(norm)) continue;
      return j;
    }
    return -1;
  };
  const next = (i: number) => {
    const j = meaningful(i + 1);
    return j < 0 ? undefined : items[j];
  };

  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const l = it.lex;
    const tok = tokens[it.from]!;

    if (tok.num) {
      const after = next(i);
      const al = after?.lex;
      const unit = tok.num.unit;
      if (unit === 'x') {
        s.factor = { n: tok.num.value, item: it };
        take(it);
      } else if (al?.k === 'cmp' && !al.positive && (al.field === 'tempo' || al.field === 'length')) {
        if (s.neg) {
          take(s.neg, it, after!);
          s.neg = undefined;
        } else if (unit === '%') {
          const m = mention(al.field, { scale: round3(1 + (al.dir * tok.num.value) / 100) }, it, after!);
          s.lastCmp = { m, field: al.field, dir: al.dir, sized: true };
        } else if (al.field === 'tempo' && (unit === 'bpm' || unit === '')) {
          mention('tempo', { delta: al.dir * Math.abs(tok.num.value) }, it, after!);
        } else if (al.field === 'length' && unit in TIME_UNITS) {
          mention('length', { delta: al.dir * Math.abs(tok.num.value) * TIME_UNITS[unit]! }, it, after!);
        }
        i = items.indexOf(after!);
      } else if (al?.k === 'cmp' && al.positive && al.field === 'length' && unit in TIME_UNITS) {
        take(after!); // "2 min long": the number sets it (read by the prompt parser)
        i = items.indexOf(after!);
      }
      continue;
    }
    if (!l) {
      // "less sad", "not so loud": the mood's opposite (catalog data), or the energy the other way.
      const against = s.neg ?? (s.verb?.v === 'less' ? s.verb.item : undefined);
      const opposite = against ? oppositeOf(tok.norm) : undefined;
      if (against && opposite) {
        mention(opposite.field, opposite.value, ...(s.amount ? [s.amount.item] : []), against, it);
        s = { ...s, neg: undefined, verb: undefined, amount: undefined };
        continue;
      }
      // "no jazz": a negated word is not a request for it; it is reported, not used.
      if (s.neg && !['so', 'too', 'very', 'that', 'the', 'a', 'more', 'as'].includes(tok.norm)) {
        negated.push(`${textOf(s.neg)} ${tok.text}`);
        take(s.neg, it);
        s.neg = undefined;
      }
      continue;
    }

    switch (l.k) {
      case 'sep':
        carryVerb = s.lastInstr && s.verb && (s.verb.v === 'add' || s.verb.v === 'remove' || s.verb.v === 'less') ? s.verb : undefined;
        if (s.moreItem) bareMore = true;
        s = { awaitTo: false, verb: next(i)?.lex?.k === 'instr' ? carryVerb : undefined };
        take(it);
        break;
      case 'filler':
        take(it);
        break;
      case 'cmp': {
        if (s.neg) {
          take(s.neg, it);
          s.neg = undefined;
          break;
        }
        if (l.field === 'pitch') {
          mention('transpose', l.dir * PITCH_STEP, it);
          break;
        }
        if (l.field === 'energy') break;
        if (s.factor) {
          const m = mention(l.field, { scale: round3(l.dir > 0 ? s.factor.n : 1 / s.factor.n) }, s.factor.item, it);
          s.lastCmp = { m, field: l.field, dir: l.dir, sized: true };
          s.factor = undefined;
        } else {
          const size = s.amount?.size ?? 'normal';
          const m = mention(l.field, { scale: round3(relativeScale(l.field, l.dir, size)) }, ...(s.amount ? [s.amount.item] : []), it);
          s.lastCmp = { m, field: l.field, dir: l.dir, sized: s.amount !== undefined };
          s.amount = undefined;
        }
        if (s.moreItem) take(s.moreItem);
        s.moreItem = undefined;
        s.verb = undefined;
        break;
      }
      case 'amount':
        take(it);
        if (s.lastCmp && !s.lastCmp.sized && l.size !== 'normal') {
          s.lastCmp.m.value = { scale: round3(relativeScale(s.lastCmp.field, s.lastCmp.dir, l.size)) };
          s.lastCmp.sized = true;
        } else s.amount = { size: l.size, item: it };
        break;
      case 'factor':
        s.factor = { n: l.n, item: it };
        take(it);
        break;
      case 'tempoScale':
        mention('tempo', { scale: l.n }, it);
        break;
      case 'tempoNoun':
      case 'lengthNoun':
        if (s.factor) {
          mention(l.k === 'tempoNoun' ? 'tempo' : 'length', { scale: s.factor.n }, s.factor.item, it);
          s.factor = undefined;
        }
        break;
      case 'energy':
        if (s.neg) take(s.neg, it);
        else mention('energy', l.dir > 0 ? 'up' : 'down', it);
        s.neg = undefined;
        break;
      case 'energyNoun':
        if (s.verb?.v === 'more' || s.verb?.v === 'less') {
          mention('energy', s.verb.v === 'more' ? 'up' : 'down', s.verb.item, it);
          s.verb = undefined;
          s.moreItem = undefined;
        }
        break;
      case 'neg':
        s.neg = it;
        take(it);
        break;
      case 'cancel':
        s.neg = undefined;
        s.verb = undefined;
        take(it);
        break;
      case 'remove':
      case 'add':
      case 'less':
      case 'keep':
        if (l.k === 'add' && s.verb?.v === 'replace') s.awaitTo = true;
        else s.verb = { v: l.k, item: it };
        take(it);
        break;
      case 'more':
        s.verb = { v: 'more', item: it };
        s.moreItem = it;
        take(it);
        break;
      case 'replace':
        s.verb = { v: 'replace', item: it };
        s.replaceFrom = undefined;
        s.awaitTo = false;
        take(it);
        break;
      case 'to':
        if (s.verb?.v === 'replace') {
          s.awaitTo = true;
          take(it);
        }
        break;
      case 'on':
        if (next(i)?.lex?.k === 'instr') {
          s.verb = { v: 'on', item: it };
          take(it);
        }
        break;
      case 'instead': {
        take(it);
        const prev = s.lastInstr;
        const after = next(i);
        if (prev && prev.op === 'add') {
          if (after?.lex?.k === 'instr') {
            prev.op = 'swap';
            prev.from = after.lex.ref;
            take(after);
            i = items.indexOf(after);
          } else prev.op = 'swap';
        }
        break;
      }
      case 'instr': {
        const v = s.neg ? 'remove' : s.verb?.v;
        const op = (o: InstrumentOp['op'], from?: InstrumentRef) => {
          take(it, ...(s.neg ? [s.neg] : []));
          const rec: InstrumentOp = { op: o, to: l.ref, from, at: at(it), text: textOf(it) };
          instruments.push(rec);
          s.lastInstr = rec;
        };
        if (v === 'remove' || v === 'less') op('remove');
        else if (v === 'add' || v === 'more') op('add');
        else if (v === 'on') op('swap');
        else if (v === 'keep') take(it);
        else if (v === 'replace') {
          if (!s.replaceFrom && !s.awaitTo) {
            s.replaceFrom = { ref: l.ref, item: it };
            take(it);
          } else {
            op('swap', s.replaceFrom?.ref);
            s.replaceFrom = undefined;
            s.awaitTo = false;
          }
        } else if (!l.dual || next(i)?.lex?.k === 'instead') op('add');
        s.moreItem = undefined;
        break;
      }
      case 'drums':
      case 'drumsOff': {
        const v = s.verb?.v;
        if (l.k === 'drumsOff') mention('drums', false, it);
        else if (s.neg || v === 'remove' || v === 'less') mention('drums', false, ...(s.neg ? [s.neg] : []), it);
        else if (v === 'add' || v === 'more' || v === 'keep') mention('drums', true, it);
        else if (!l.weak) mention('drums', true, it);
        s.neg = undefined;
        s.moreItem = undefined;
        break;
      }
      case 'seed':
        mention('newSeed', true, it);
        break;
      case 'loop':
        if (s.neg) mention('loop', !l.value, s.neg, it);
        else mention('loop', l.value, it);
        s.neg = undefined;
        break;
      case 'format':
        mention('format', l.value, it);
        break;
      case 'font':
        mention('soundfont', l.value, it);
        break;
      case 'fontWord':
        take(it);
        break;
      case 'default': {
        const after = next(i);
        if (after?.lex?.k === 'fontWord') {
          mention('soundfont', 'fluidr3', it, after);
          i = items.indexOf(after);
        }
        break;
      }
      case 'mode': {
        const before = it.from > 0 ? tokens[it.from - 1]!.norm : '';
        if (KEY_LETTER.test(before) || before === 'sharp' || before === 'flat') break; // "D minor": a key, read below
        if (s.neg) take(s.neg, it);
        else mention('mode', l.value, it);
        s.neg = undefined;
        break;
      }
      case 'semis': {
        let count = 1;
        const parts: Item[] = [it];
        const prev = items[i - 1];
        if (prev && tokens[prev.from]!.num && tokens[prev.from]!.num!.unit === '') {
          count = Math.abs(tokens[prev.from]!.num!.value);
          parts.push(prev);
        }
        let dir: Item | undefined;
        for (let j = i - 1; j >= 0 && items[j]!.lex?.k !== 'sep'; j--) if (items[j]!.lex?.k === 'dir') dir = items[j];
        if (!dir) for (let j = i + 1; j < items.length && items[j]!.lex?.k !== 'sep'; j++) if (items[j]!.lex?.k === 'dir') { dir = items[j]; break; }
        const d = dir?.lex?.k === 'dir' ? dir.lex.dir : undefined;
        if (d !== undefined) mention('transpose', d * count * l.n, ...parts, dir!);
        break;
      }
      case 'transpose': {
        let dir: Item | undefined;
        let num: Item | undefined;
        for (let j = i + 1; j < items.length && items[j]!.lex?.k !== 'sep'; j++) {
          const x = items[j]!;
          if (x.lex?.k === 'dir') dir ??= x;
          else if (tokens[x.from]!.num && tokens[x.from]!.num!.unit === '') num ??= x;
          else if (x.lex?.k === 'semis') {
            num = undefined; // "transpose up 3 semitones": the unit reads it
            break;
          }
        }
        take(it);
        if (dir?.lex?.k === 'dir' && num) mention('transpose', dir.lex.dir * Math.abs(tokens[num.from]!.num!.value), it, dir, num);
        break;
      }
      case 'comp': {
        // "less darker" reads as "less dark"; "not jazzier" asks for nothing.
        const against = s.verb?.v === 'less' ? s.verb.item : undefined;
        const mood = l.field === 'mood' ? StyleCatalog.moods.find((m) => m.id === l.id) : undefined;
        if (against && mood) mention('mood', mood.opposite, against, it);
        else if (s.neg) take(s.neg, it);
        else mention(l.field, l.id, it);
        s.neg = undefined;
        s.verb = undefined;
        s.moreItem = undefined;
        break;
      }
      case 'dir':
        break;
    }
  }
  if (s.moreItem) bareMore = true;
  return { mentions, instruments, consumed, bareMore, negated };
}

// ---------------------------------------------------------------------------------------------
// The prompt parser for what is left

/** What "less <word>" or "not so <word>" asks for: a mood's opposite, or the energy the other way. */
function oppositeOf(word: string): { field: 'mood'; value: string } | { field: 'energy'; value: 'up' | 'down' } | undefined {
  const mood = StyleCatalog.moods.find((m) => m.id === word || m.aliases.includes(word));
  if (mood) return { field: 'mood', value: mood.opposite };
  const energy = energyOfWord(word);
  if (energy === 'high') return { field: 'energy', value: 'down' };
  if (energy === 'low') return { field: 'energy', value: 'up' };
  return undefined;
}

function promptMentions(tokens: Tok[], consumed: Set<number>): { mentions: Mention[]; instruments: InstrumentOp[]; ignored: string[] } {
  // The leftover text, with consumed words as separators no phrase can cross.
  let text = '';
  const offsets: { start: number; end: number; orig: number }[] = [];
  tokens.forEach((t, i) => {
    if (text) text += ' ';
    if (consumed.has(i)) {
      text += ';';
      return;
    }
    offsets.push({ start: text.length, end: text.length + t.text.length, orig: t.start });
    text += t.text;
  });
  const parsed = parsePrompt(text);
  const where = (source: string | undefined) => {
    const p = source ? text.indexOf(source) : -1;
    return offsets.find((o) => p >= o.start && p < o.end)?.orig ?? 0;
  };
  const mentions: Mention[] = [];
  const add = (field: Field, value: unknown, source: string | undefined) => mentions.push({ field, value, at: where(source), from: source ?? '' });
  const src = parsed.sources;
  if (parsed.style) add('style', parsed.style, src.style);
  if (parsed.mood) add('mood', parsed.mood, src.mood);
  if (parsed.key) {
    const key = parseKey(parsed.key);
    const modeWritten = /(maj|min|m$|mode|ian|dur|moll|major|minor)/i.test(src.key ?? '');
    if (key) add('key', modeWritten ? { tonic: key.tonic, mode: key.mode } : { tonic: key.tonic }, src.key);
  }
  if (parsed.tempo !== undefined) add('tempo', { set: parsed.tempo }, src.tempo);
  else if (parsed.tempoFeel && parsed.tempoFeel !== 'medium') add('tempo', { scale: parsed.tempoFeel === 'fast' ? TEMPO_SCALES.faster[1] : TEMPO_SCALES.slower[1] }, src.tempo);
  if (parsed.duration !== undefined) add('length', { set: parsed.duration }, src.duration);
  if (parsed.energy) add('energy', parsed.energy, src.energy);
  if (parsed.loop !== undefined && !parsed.purpose) add('loop', parsed.loop, src.loop);
  if (parsed.meter) add('meter', parsed.meter, src.meter);
  const table = instrumentNameTable();
  const instruments: InstrumentOp[] = (parsed.instruments ?? []).flatMap((name) => {
    const program = table.get(name) ?? table.get(name.replace(/s$/, ''));
    return program === undefined ? [] : [{ op: 'add' as const, to: { name, program }, at: where(name), text: name }];
  });
  return { mentions, instruments, ignored: parsed.ignored };
}

// ---------------------------------------------------------------------------------------------
// Settling

function show(field: Field, value: unknown): string {
  const v = value as Record<string, unknown>;
  switch (field) {
    case 'tempo':
    case 'length': {
      const unit = field === 'tempo' ? ' bpm' : ' s';
      if ('set' in v) return `${field} ${String(v.set)}${unit}`;
      if ('delta' in v) return `${field} ${Number(v.delta) > 0 ? '+' : ''}${String(v.delta)}${unit}`;
      return `${field} ×${String(v.scale)}`;
    }
    case 'key':
      return `key ${String(v.tonic)}${v.mode ? ` ${String(v.mode)}` : ''}`;
    case 'transpose':
      return `transpose ${Number(value) > 0 ? '+' : ''}${String(value)} semitones`;
    case 'newSeed':
      return 'a new seed (another one)';
    case 'repeat':
      return 'the last change again';
    default:
      return `${field} ${typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value)}`;
  }
}

export function parseEdit(input: string): ParsedEdit {
  const text = typeof input === 'string' ? input.slice(0, 2000) : '';
  const tokens = tokenize(text);
  const items = lex(tokens);
  const reading = read(tokens, items);
  const fromPrompt = promptMentions(tokens, reading.consumed);
  const mentions = [...reading.mentions, ...fromPrompt.mentions].sort((a, b) => a.at - b.at);

  const change: EditChange = {};
  const understood: string[] = [];
  const conflicts: string[] = [];
  const fields = [...new Set(mentions.map((m) => m.field))];
  for (const field of fields) {
    const list = mentions.filter((m) => m.field === field);
    const last = list[list.length - 1]!;
    (change as Record<string, unknown>)[field] = last.value;
    const distinct = new Set(list.map((m) => JSON.stringify(m.value)));
    if (distinct.size > 1) conflicts.push(`${field}: ${list.map((m) => `“${m.from}”`).join(' then ')}; using the last (${show(field, last.value)})`);
    understood.push(`${show(field, last.value)} (from “${last.from}”)`);
  }

  // Instruments: in the order said; a later word about the same instrument wins.
  const ops = [...reading.instruments, ...fromPrompt.instruments].sort((a, b) => a.at - b.at);
  const add: InstrumentRef[] = [];
  const remove: InstrumentRef[] = [];
  const swap: { from?: InstrumentRef; to: InstrumentRef }[] = [];
  const drop = (list: InstrumentRef[], ref: InstrumentRef) => {
    const i = list.findIndex((r) => r.program === ref.program);
    if (i >= 0) list.splice(i, 1);
  };
  for (const op of ops) {
    drop(add, op.to);
    drop(remove, op.to);
    if (op.op === 'add') add.push(op.to);
    else if (op.op === 'remove') remove.push(op.to);
    else if (!swap.some((sw) => sw.to.program === op.to.program && sw.from?.program === op.from?.program)) swap.push({ from: op.from, to: op.to });
    understood.push(`${op.op === 'swap' ? `swap${op.from ? ` ${op.from.name}` : ' the lead'} →` : op.op} ${op.to.name} (from “${op.text}”)`);
  }
  if (add.length) change.add = add.map((r) => r.name);
  if (remove.length) change.remove = remove.map((r) => r.name);
  if (swap.length) change.swap = swap.map((sw) => ({ ...(sw.from ? { from: sw.from.name } : {}), to: sw.to.name }));

  if (reading.bareMore && Object.keys(change).length === 0) {
    change.repeat = true;
    understood.push('the last change again (from “more”)');
  }
  return { change, understood, ignored: [...reading.negated, ...fromPrompt.ignored], conflicts };
}

/** True when nothing in the message was understood as a change. */
export function isEmptyEdit(edit: ParsedEdit): boolean {
  return Object.keys(edit.change).length === 0;
}

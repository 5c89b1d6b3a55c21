/**
 * A request whose prompt was not understood at all ("asdkjh qwpoeiru zzxxcc"): composing a
 * default piece for it would answer a question nobody asked, so callers say what was not
 * understood and how to ask instead. Pure: built from the catalog, no I/O.
 *
 * "Nothing understood" means: the prompt had words worth reporting (the parser's `ignored`, stop
 * words already left out), the parser used none of them, and no option named anything musical.
 * A prompt of only stop words ("play me something") or an option such as style:jazz next to
 * nonsense still composes; the result then lists the ignored words.
 */
import type { BuiltRequest } from './buildRequest.ts';
import { StyleCatalog } from './catalog/index.ts';
import type { RequestInput } from './request.ts';
import { closest } from './suggest.ts';

/** Options that describe the music; the seed and the audio format do not. */
const MUSICAL_FIELDS = ['style', 'mood', 'duration', 'tempo', 'key', 'meter', 'instruments', 'energy', 'loop'] as const;
const MAX_WORDS_SHOWN = 8;
const MAX_WORD_CHARS = 30;
const EXAMPLES = 3;
/** Examples shown when the nearest words do not point at styles (varied: a purpose, a key, a tempo, a loop). */
const FALLBACK_EXAMPLE_STYLES = ['lofi', 'cinematic', 'funk'];

export interface NotUnderstood {
  /** The prompt words nothing was made of, as typed. */
  words: string[];
  /** Style or mood words nearest to those (edit distance), at most three. */
  nearest: string[];
  /** Prompts that work, from the catalog. */
  examples: string[];
}

/** One-word aliases of every style and mood, with the id each stands for. */
function knownWords(): { word: string; style?: string }[] {
  const single = (a: string) => !/\s/.test(a);
  return [
    ...StyleCatalog.styles.flatMap((s) => s.aliases.filter(single).map((word) => ({ word, style: s.id }))),
    ...StyleCatalog.moods.flatMap((m) => m.aliases.filter(single).map((word) => ({ word }))),
  ];
}

/** Null when something in the request was understood; else what to tell the person. */
export function notUnderstood(input: RequestInput, built: Pick<BuiltRequest, 'understood' | 'ignored'>): NotUnderstood | null {
  if (built.understood.length > 0 || built.ignored.length === 0) return null;
  const given = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
  if (MUSICAL_FIELDS.some((field) => given(input[field]))) return null;

  const known = knownWords();
  const words = known.map((k) => k.word);
  const nearest: string[] = [];
  const styles: string[] = [];
  for (const word of built.ignored) {
    const near = closest(word, words);
    if (!near || nearest.includes(near)) continue;
    nearest.push(near);
    const style = known.find((k) => k.word === near)?.style;
    if (style && !styles.includes(style)) styles.push(style);
  }
  const exampleStyles = [...styles, ...FALLBACK_EXAMPLE_STYLES.filter((s) => !styles.includes(s))].slice(0, EXAMPLES);
  return {
    words: built.ignored,
    nearest: nearest.slice(0, 3),
    examples: exampleStyles.map((id) => StyleCatalog.style(id).examplePrompt),
  };
}

const quote = (w: string) => `“${w.length > MAX_WORD_CHARS ? `${w.slice(0, MAX_WORD_CHARS)}…` : w}”`;

/** The words as a list a person reads: “a”, “b” or “c” (and N more). */
export function listWords(words: string[], conjunction = 'or'): string {
  const shown = words.slice(0, MAX_WORDS_SHOWN).map(quote);
  const more = words.length - shown.length;
  if (more > 0) return `${shown.join(', ')} ${conjunction} ${more} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown.at(-1)}`;
}

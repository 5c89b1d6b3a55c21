/** Autocomplete suggestions for styles, moods and keys: prefix matches first, then typos. */
import { distance } from 'fastest-levenshtein';
import { StyleCatalog } from '../core/catalog/index.ts';
import { TONICS } from '../core/keys.ts';

export interface Choice {
  name: string;
  value: string;
}

function rank(query: string, items: { value: string; name: string; words: readonly string[] }[]): Choice[] {
  const q = query.toLowerCase().trim();
  if (!q) return items.slice(0, 25).map(({ name, value }) => ({ name, value }));
  const scored = items.map((item) => {
    const words = [item.value, ...item.words].map((w) => w.toLowerCase());
    const prefix = words.some((w) => w.startsWith(q));
    const contains = words.some((w) => w.includes(q));
    const typo = Math.min(...words.map((w) => distance(q, w.slice(0, Math.max(q.length, 1)))));
    return { item, score: prefix ? 0 : contains ? 1 : 2 + typo };
  });
  return scored
    .filter((s) => s.score < 2 + Math.max(1, Math.floor(q.length / 3)))
    .sort((a, b) => a.score - b.score || a.item.value.localeCompare(b.item.value))
    .slice(0, 25)
    .map(({ item }) => ({ name: item.name, value: item.value }));
}

export function styleChoices(query: string): Choice[] {
  return rank(query, StyleCatalog.styles.map((s) => ({ value: s.id, name: `${s.name} — ${s.description}`.slice(0, 100), words: s.aliases })));
}

export function moodChoices(query: string): Choice[] {
  return rank(query, StyleCatalog.moods.map((m) => ({ value: m.id, name: `${m.id} — ${m.description}`.slice(0, 100), words: m.aliases })));
}

const KEYS = TONICS.flatMap((t) => ['major', 'minor', 'dorian', 'mixolydian', 'lydian', 'phrygian'].map((mode) => `${t} ${mode}`));

export function keyChoices(query: string): Choice[] {
  const q = query.toLowerCase().replace(/\s+/g, ' ').trim();
  const hits = KEYS.filter((k) => k.toLowerCase().startsWith(q) || (q.length > 0 && k.toLowerCase().replace(' ', '').startsWith(q.replace(' ', ''))));
  const base = q ? hits : KEYS.filter((k) => k.endsWith('major') || k.endsWith('minor'));
  return base.slice(0, 25).map((k) => ({ name: k, value: k }));
}

import { MOODS, DEFAULT_MOOD_ID, type Mood } from './moods.ts';
import { STYLES, DEFAULT_STYLE_ID, type Style } from './styles.ts';

export * from './styles.ts';
export * from './moods.ts';
export * from './forms.ts';

function byId<T extends { id: string }>(items: readonly T[], id: string, kind: string): T {
  const found = items.find((item) => item.id === id);
  if (!found) throw new Error(`unknown ${kind} "${id}"`);
  return found;
}

/** Look-ups over the style and mood tables. */
export const StyleCatalog = {
  styles: STYLES,
  moods: MOODS,
  styleIds: STYLES.map((s) => s.id),
  moodIds: MOODS.map((m) => m.id),
  defaultStyle: DEFAULT_STYLE_ID,
  defaultMood: DEFAULT_MOOD_ID,
  style: (id: string): Style => byId(STYLES, id, 'style'),
  mood: (id: string): Mood => byId(MOODS, id, 'mood'),
};

/** A printable listing of the catalog (used by `tunesmith styles` and `/styles`). */
export function formatCatalog(): string {
  const lines: string[] = ['Styles:'];
  for (const s of STYLES) {
    lines.push(
      `  ${s.id.padEnd(16)} ${s.name} — ${s.description}`,
      `  ${''.padEnd(16)} ${s.tempo.min}–${s.tempo.max} bpm, ${s.meters.join('/')}, e.g. "${s.examplePrompt}"`,
    );
  }
  lines.push('', 'Moods:');
  for (const m of MOODS) lines.push(`  ${m.id.padEnd(16)} ${m.description}`);
  return lines.join('\n');
}

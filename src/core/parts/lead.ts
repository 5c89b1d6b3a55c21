/**
 * The lead, section by section: the generator writes fresh material; the first section of each
 * material letter states its theme, later sections of that letter return to it varied by the
 * form's set amount (the generator's `vary`), contrasting letters keep their own new material,
 * and the intro and outro are made from the theme's opening bars.
 */
import type { MelodyGenerator, VaryRequest } from '../generator.ts';
import type { PlannedSection } from '../plan/form.ts';
import type { Plan } from '../plan/plan.ts';
import type { Rng } from '../rng.ts';
import type { ScoreNote } from '../score.ts';
import { scalePitchClasses } from '../plan/harmony.ts';
import { chordAt, nearestPitchWithPc } from './context.ts';
import { varyByMotifs } from './variation.ts';

/** How much the intro's and outro's quotations of the theme differ from it (the intro states the motif as it is). */
const INTRO_VARIATION = 0;
const OUTRO_VARIATION = 0.15;
/** Within a statement longer than 8 bars, the second phrase answers the first, varied this much. */
const ANSWER_VARIATION = 0.3;

interface Statement {
  startTick: number;
  endTick: number;
  notes: ScoreNote[];
}

export async function writeLead(plan: Plan, generator: MelodyGenerator, rng: Rng): Promise<ScoreNote[]> {
  const fresh = await generator.melody(plan, rng.fork('fresh'), freshUntil(plan));
  const span = (s: PlannedSection) => ({ startTick: s.startBar * plan.barTicks, endTick: (s.startBar + s.bars) * plan.barTicks });
  const within = (notes: readonly ScoreNote[], start: number, end: number) => notes.filter((n) => n.tick >= start && n.tick < end).map((n) => ({ ...n, durationTicks: Math.min(n.durationTicks, end - n.tick) }));
  const vary = (request: VaryRequest, label: string) =>
    request.amount >= 1 ? within(fresh, request.startTick, request.endTick) : (generator.vary ?? varyByMotifs)(plan, request, rng.fork(label));

  const statements = new Map<string, Statement>();
  const out: ScoreNote[] = [];
  const sections = plan.sections;
  for (let index = 0; index < sections.length; index++) {
    const section = sections[index]!;
    const { startTick, endTick } = span(section);
    const base = { startTick, endTick, before: [...out], section };
    let notes: ScoreNote[];
    if (section.break) {
      notes = [];
    } else if (section.material && section.appearance === 1) {
      notes = within(fresh, startTick, endTick);
      const answerAt = startTick + 8 * plan.barTicks;
      if (section.bars > 8 && section.material === 'A') {
        // A long statement is a period: eight bars, then the same eight answered with a variation.
        const phrase = notes.filter((n) => n.tick < answerAt);
        const answer = await vary({ ...base, ...placed(phrase, startTick, answerAt, answerAt, endTick), amount: ANSWER_VARIATION, before: phrase }, `answer-${index}`);
        notes = [...phrase, ...answer];
      }
      statements.set(section.material, { startTick, endTick, notes });
    } else if (section.material) {
      const theme = statements.get(section.material)!;
      notes = await vary({ ...base, ...placed(theme.notes, theme.startTick, theme.endTick, startTick, endTick), amount: section.variation }, `return-${index}`);
    } else {
      // Intro and outro quote the opening of the first theme (its first bars, over the same chords).
      const theme = firstTheme(plan, statements, fresh, span);
      const bars = Math.min(section.kind === 'intro' ? 2 : 4, section.bars);
      const quote = theme ? theme.notes.filter((n) => n.tick < theme.startTick + bars * plan.barTicks) : [];
      const end = startTick + bars * plan.barTicks;
      notes = theme
        ? await vary({ ...base, ...placed(quote, theme.startTick, theme.startTick + bars * plan.barTicks, startTick, end), endTick: end, amount: section.kind === 'intro' ? INTRO_VARIATION : OUTRO_VARIATION }, `${section.kind}-${index}`)
        : [];
    }
    out.push(...within(notes, startTick, endTick));
  }
  // Nothing may overlap its successor (a varied note can end after the next one starts).
  out.sort((a, b) => a.tick - b.tick || b.pitch - a.pitch);
  const lead = out.filter((n, i) => i === 0 || n.tick > out[i - 1]!.tick);
  lead.forEach((n, i) => {
    const next = lead[i + 1];
    if (next && n.tick + n.durationTicks > next.tick) n.durationTicks = next.tick - n.tick;
  });
  return resolveStrandedChromatics(plan, lead);
}

/**
 * The end of the last section that keeps fresh material: a first statement, or a return rewritten
 * whole. Nothing after it is heard, so the generator need not write it.
 */
export function freshUntil(plan: Plan): number {
  const fresh = plan.sections.filter((s) => !s.break && s.material && (s.appearance === 1 || s.variation >= 1));
  return Math.max(0, ...fresh.map((s) => (s.startBar + s.bars) * plan.barTicks));
}

/**
 * A chromatic tone must lead by a half step into the next note; one whose resolution a section
 * edge or a variation took away moves to the nearest note of the scale (or of the chord).
 */
function resolveStrandedChromatics(plan: Plan, lead: ScoreNote[]): ScoreNote[] {
  const scale = scalePitchClasses(plan.key);
  return lead.map((n, i) => {
    const allowed = [...scale, ...chordAt(plan, n.tick).pcs];
    if (allowed.includes(n.pitch % 12)) return n;
    const next = lead[i + 1];
    if (next && Math.abs(next.pitch - n.pitch) === 1 && next.tick - (n.tick + n.durationTicks) < plan.beatTicks) return n;
    return { ...n, pitch: nearestPitchWithPc(n.pitch, allowed) };
  });
}

/** The A theme's statement, or (while the intro comes before it) its fresh notes. */
function firstTheme(plan: Plan, statements: Map<string, Statement>, fresh: readonly ScoreNote[], span: (s: PlannedSection) => { startTick: number; endTick: number }): Statement | null {
  const known = statements.get('A');
  if (known) return known;
  const section = plan.sections.find((s) => s.material === 'A' && s.appearance === 1);
  if (!section) return null;
  const { startTick, endTick } = span(section);
  return { startTick, endTick, notes: fresh.filter((n) => n.tick >= startTick && n.tick < endTick) };
}

/** A phrase from [from, to) repeated into [startTick, endTick) as written (see VaryRequest.placed). */
function placed(phrase: readonly ScoreNote[], from: number, to: number, startTick: number, endTick: number): Pick<VaryRequest, 'placed' | 'source'> {
  const length = to - from;
  const out: ScoreNote[] = [];
  for (let at = startTick; at < endTick && length > 0; at += length) {
    for (const n of phrase) {
      const tick = n.tick - from + at;
      if (tick >= endTick) break;
      out.push({ ...n, tick, durationTicks: Math.min(n.durationTicks, endTick - tick) });
    }
  }
  return { placed: out, source: { startTick: from, endTick: to } };
}

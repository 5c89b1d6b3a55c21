/**
 * A streamer kit: five pieces that belong together, from one name, style, mood and seed.
 *
 *   intro     10–20 s, ends on a cadence (the final tonic chord of a non-loop piece)
 *   outro     20–40 s, ends on the tonic
 *   brb       a seamless "be right back" loop, 60 s by default
 *   starting  a seamless "starting soon" loop, 120 s by default
 *   stinger   2–4 s, a short sting for scene changes, ending on the tonic
 *
 * They share one key, meter, tempo and palette, chosen once from the BRB loop's plan: its tempo is
 * the one that fits whole bars into the loop, so both loops are exact at the kit's tempo and the
 * other parts are asked for that tempo too. They share one theme because they share the request
 * and the seed: the lead opens every piece with the same phrase (the theme; see parts/lead.ts),
 * which the kit test measures as for theme returns. Pure: the same kit request ⇒ the same scores.
 */
import { z } from 'zod';
import type { MelodyGenerator } from './generator.ts';
import { compose } from './compose.ts';
import { ticksPerBar, ticksPerBeat, type Score, type ScoreTrack } from './score.ts';
import { formatKey } from './keys.ts';
import { planPiece } from './plan/plan.ts';
import { CompositionRequestSchema, LIMITS, type CompositionRequest } from './request.ts';
import { StyleCatalog } from './catalog/index.ts';
import { createRng } from './rng.ts';

export const KIT_PARTS = ['intro', 'outro', 'brb', 'starting', 'stinger'] as const;
export type KitPart = (typeof KIT_PARTS)[number];

export const KIT_LENGTHS: Readonly<Record<KitPart, { min: number; max: number; default: number; loop: boolean; label: string }>> = {
  intro: { min: 10, max: 20, default: 15, loop: false, label: 'Intro' },
  outro: { min: 20, max: 40, default: 30, loop: false, label: 'Outro' },
  brb: { min: 30, max: 120, default: 60, loop: true, label: 'Be right back (loop)' },
  starting: { min: 60, max: 240, default: 120, loop: true, label: 'Starting soon (loop)' },
  stinger: { min: 2, max: 4, default: 3, loop: false, label: 'Stinger' },
};

const length = (part: KitPart) => z.number().min(KIT_LENGTHS[part].min).max(KIT_LENGTHS[part].max).default(KIT_LENGTHS[part].default);

export const KitRequestSchema = z.object({
  name: z.string().trim().min(1).max(60),
  style: z.enum(StyleCatalog.styleIds as [string, ...string[]]),
  mood: z.enum(StyleCatalog.moodIds as [string, ...string[]]),
  seed: z.number().int().min(LIMITS.seed.min).max(LIMITS.seed.max),
  lengths: z.object({ intro: length('intro'), outro: length('outro'), brb: length('brb'), starting: length('starting'), stinger: length('stinger') }).default({
    intro: KIT_LENGTHS.intro.default,
    outro: KIT_LENGTHS.outro.default,
    brb: KIT_LENGTHS.brb.default,
    starting: KIT_LENGTHS.starting.default,
    stinger: KIT_LENGTHS.stinger.default,
  }),
});
export type KitRequest = z.infer<typeof KitRequestSchema>;

export interface KitPlan {
  kit: KitRequest;
  key: string;
  meter: string;
  bpm: number;
  /** The composition request of each part (all with the kit's key, meter, tempo and seed). */
  parts: Record<KitPart, CompositionRequest>;
}

/** Key, meter and tempo from the BRB loop's plan; then one request per part. */
export function planKit(input: KitRequest): KitPlan {
  const kit = KitRequestSchema.parse(input);
  const base = { style: kit.style, mood: kit.mood, seed: kit.seed, instruments: [], energy: null, prompt: '' };
  const brb = CompositionRequestSchema.parse({ ...base, durationSec: kit.lengths.brb, loop: true, tempo: null, key: null, meter: null });
  const plan = planPiece(brb, createRng(brb.seed).fork('plan'));
  const meter = `${plan.meter.numerator}/${plan.meter.denominator}`;
  // Rounded to 1/100 bpm, as a MIDI file carries it back (transformSource reads tempos in 0.01 bpm).
  const bpm = Math.round(plan.bpm * 100) / 100;
  const parts = Object.fromEntries(
    KIT_PARTS.map((part) => [
      part,
      CompositionRequestSchema.parse({ ...base, durationSec: kit.lengths[part], loop: KIT_LENGTHS[part].loop, tempo: bpm, key: plan.key, meter }),
    ]),
  ) as Record<KitPart, CompositionRequest>;
  return { kit, key: formatKey(plan.key), meter, bpm, parts };
}

/**
 * One part's score. The intro and the loops are composed from their requests like any piece (the
 * intro ends on its own cadence). The outro is the BRB loop's opening bars (the theme, in whole
 * bars) straight into the intro's final tonic chord, held to its length: a composed outro of some
 * lengths opens with an intro section and states the theme differently, and the outro is where the
 * theme should be heard last. The stinger is the intro's head (about 55 % of it in whole beats, at
 * least two when the chord still rings 0.8 s after them) into the same chord.
 */
export async function composeKitPart(plan: KitPlan, part: KitPart, generator?: MelodyGenerator): Promise<Score> {
  if (part === 'intro' || part === 'brb' || part === 'starting') return (await compose(plan.parts[part], generator)).score;
  const intro = (await compose(plan.parts.intro, generator)).score;
  if (part === 'stinger') {
    const total = ticksOf(intro, plan.parts.stinger.durationSec);
    const beat = ticksPerBeat(intro.meter, intro.ppq);
    // About 55 % of it in whole beats, and at least two beats where the chord still rings 0.8 s after them.
    const room = Math.floor((total - ticksOf(intro, 0.8)) / beat);
    return openingThenChord(intro, intro, plan.parts.stinger, Math.max(1, Math.min(2, room), Math.floor((0.55 * total) / beat)) * beat);
  }
  const brb = (await compose(plan.parts.brb, generator)).score;
  const total = ticksOf(brb, plan.parts.outro.durationSec);
  const bar = ticksPerBar(brb.meter, brb.ppq);
  const hold = ticksOf(intro, intro.durationSec) - endingOf(intro);
  return openingThenChord(brb, intro, plan.parts.outro, Math.max(bar, Math.floor((total - hold) / bar) * bar));
}

const ticksOf = (score: Score, seconds: number) => Math.round((seconds * score.bpm * score.ppq) / 60);
const endingOf = (score: Score) => score.sections.find((s) => s.name === 'ending')?.startTick ?? score.endTick;

/**
 * `source`'s first `head` ticks (every track, notes cut at `head`), then `chordFrom`'s final chord
 * (every note from its ending on) moved to `head` and held to the end of `request.durationSec`.
 */
export function openingThenChord(source: Score, chordFrom: Score, request: CompositionRequest, head: number): Score {
  const total = ticksOf(source, request.durationSec);
  const ending = endingOf(chordFrom);
  const byRole = new Map(chordFrom.tracks.map((t) => [t.role, t]));
  const tracks: ScoreTrack[] = source.tracks.map((t) => {
    const opening = t.notes.filter((n) => n.tick < head).map((n) => ({ ...n, durationTicks: Math.max(1, Math.min(n.durationTicks, head - n.tick)) }));
    const chord = (byRole.get(t.role)?.notes ?? [])
      .filter((n) => n.tick >= ending)
      .map((n) => ({ ...n, tick: head + (n.tick - ending), durationTicks: Math.max(1, total - head - (n.tick - ending)) }))
      .filter((n) => n.tick < total);
    return { ...t, notes: [...opening, ...chord], controllers: t.controllers?.filter((c) => c.tick < head) };
  });
  const sections = source.sections.filter((s) => s.startTick < head).map((s) => ({ ...s, endTick: Math.min(s.endTick, head) }));
  return {
    ...source,
    durationSec: request.durationSec,
    endTick: head,
    sections: [...sections, { name: 'ending', startTick: head, endTick: total }],
    chords: source.chords.filter((c) => c.startTick < head).map((c) => ({ ...c, endTick: Math.min(c.endTick, head) })),
    tracks,
    meta: { ...source.meta, loop: false, requestJson: JSON.stringify(request) },
  };
}

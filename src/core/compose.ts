/**
 * request → plan → Score. Pure apart from the (seeded) generator: the same request and seed
 * always give the same score.
 */
import { RuleBasedMelody, type MelodyGenerator } from './generator.ts';
import { keyMargin } from './keyProfile.ts';
import { formatKey } from './keys.ts';
import { writeArpeggio, writeHarmony, writePad } from './parts/accompaniment.ts';
import { breathe, expressionEvents, humanize, mixFor, separateSamePitch, tieLegato } from './parts/arrangement.ts';
import { writePerc } from './parts/perc.ts';
import { writeBass } from './parts/bass.ts';
import { writeLead } from './parts/lead.ts';
import { STEP, intensityAt, velocityAt, voiceChord } from './parts/context.ts';
import { GM, writeDrums } from './parts/drums.ts';
import { planPiece, type PieceShape, type Plan } from './plan/plan.ts';
import type { CompositionRequest } from './request.ts';
import { createRng, type Rng } from './rng.ts';
import { DRUM_CHANNEL, PPQ, type Role, type Score, type ScoreNote, type ScoreTrack } from './score.ts';

export const COMPOSER_VERSION = 'tunesmith-composer@1';

export interface ComposeResult {
  score: Score;
  plan: Plan;
}

const TRACK_NAMES: Record<Role, string> = { lead: 'Lead', harmony: 'Chords', bass: 'Bass', pad: 'Pad', arp: 'Arpeggio', perc: 'Percussion', drums: 'Drums' };

/** Semitones between the lead's median pitch and the highest the chords and pad may reach. */
const LEAD_CLEARANCE = 3;

/** A learned bar sounding for less than this share of its length is the arranger's instead. */
const MIN_LEARNED_COVER = 0.5;

/**
 * `learned`'s notes, except in quiet bars (intensity under 0.5) and in bars where they sound for
 * under half the bar (the model's sparse comping there, with the lead resting, left holes heard as
 * drop-outs): those bars take `rules`' notes.
 */
function withQuietBarsFrom(plan: Plan, learned: readonly ScoreNote[], rules: readonly ScoreNote[]): ScoreNote[] {
  const barOf = (tick: number) => Math.floor(tick / plan.barTicks);
  const quiet = (bar: number) => intensityAt(plan, bar * plan.barTicks) < 0.5;
  // A learned note held into a bar the arranger takes stops at that bar line.
  const keep = (notes: readonly ScoreNote[], arranger: (bar: number) => boolean) =>
    notes.filter((n) => !arranger(barOf(n.tick))).map((n) => {
      const nextBar = barOf(n.tick) + 1;
      const line = nextBar * plan.barTicks;
      return arranger(nextBar) && n.tick + n.durationTicks > line ? { ...n, durationTicks: line - n.tick } : n;
    });
  const outsideQuiet = keep(learned, quiet);
  // Sounding share of each bar: the union of the kept notes' spans, on a 16th grid.
  const step = plan.barTicks / 16;
  const sounding = new Set<number>();
  for (const n of outsideQuiet) for (let t = Math.floor(n.tick / step); t < Math.ceil((n.tick + n.durationTicks) / step); t++) sounding.add(t);
  const cover = new Map<number, number>();
  for (const t of sounding) cover.set(Math.floor(t / 16), (cover.get(Math.floor(t / 16)) ?? 0) + 1 / 16);
  const sparse = (bar: number) => bar * plan.barTicks < plan.finalTick && (cover.get(bar) ?? 0) < MIN_LEARNED_COVER;
  const arranger = (bar: number) => quiet(bar) || sparse(bar);
  // The arranger's last chord before a learned bar holds to the bar line: its release gap was
  // written for its own next chord, and the model's first one may come a little late.
  const handed = rules.filter((n) => arranger(barOf(n.tick))).map((n) => {
    const line = (barOf(n.tick) + 1) * plan.barTicks;
    const end = n.tick + n.durationTicks;
    return !arranger(barOf(n.tick) + 1) && end < line && line - end <= plan.beatTicks ? { ...n, durationTicks: line - n.tick } : n;
  });
  return [...keep(outsideQuiet, arranger), ...handed].sort((a, b) => a.tick - b.tick || a.pitch - b.pitch);
}

function medianPitch(notes: readonly ScoreNote[], fallback: number): number {
  if (!notes.length) return fallback;
  const sorted = notes.map((n) => n.pitch).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Melodies tried at most, per piece, for the whole score to read in its key (compose's key guard). */
const KEY_ATTEMPTS = 4;

/**
 * The piece for a request. Key guard: the whole score (every pitched note) must read as the requested
 * key under Krumhansl–Schmuckler; when it does not (in minor keys it is mostly read as the relative
 * major), the melody is written again from the next of a fixed series of seeds, up to KEY_ATTEMPTS
 * times, and the closest is kept. Deterministic: the same request and seed give the same bytes, and a
 * piece in key at the first attempt is exactly what it was without the guard.
 */
export async function compose(request: CompositionRequest, generator: MelodyGenerator = RuleBasedMelody, shape: PieceShape = {}): Promise<ComposeResult> {
  const rng = createRng(request.seed);
  const plan = planPiece(request, rng.fork('plan'), shape);
  let best: { result: ComposeResult; margin: number } | null = null;
  for (let attempt = 0; attempt < KEY_ATTEMPTS; attempt++) {
    const result = await arrange(request, plan, generator, rng, attempt);
    const margin = scoreKeyMargin(result.score);
    if (margin > 0) return result;
    if (!best || margin > best.margin) best = { result, margin };
  }
  return best!.result;
}

/** Key margin (keyProfile.ts) over every pitched note of the score. */
function scoreKeyMargin(score: Score): number {
  return keyMargin(score.tracks.filter((t) => t.channel !== DRUM_CHANNEL).flatMap((t) => t.notes.map((n) => ({ pitch: n.pitch, duration: n.durationTicks }))), score.key);
}

async function arrange(request: CompositionRequest, plan: Plan, generator: MelodyGenerator, rng: Rng, attempt: number): Promise<ComposeResult> {
  const { instruments } = plan;
  const parts: { role: Role; program: number; notes: ScoreNote[] }[] = [];
  const lead = breathe(await writeLead(plan, generator, rng.fork(attempt === 0 ? 'melody' : `melody-key-${attempt}`)), plan.style.arrangement.leadBreath);
  // The accompaniment's top voice stays under the lead's register, so the tune is heard on top.
  const ceiling = medianPitch(lead.filter((n) => n.tick < plan.finalTick), plan.style.leadCentre) - LEAD_CLEARANCE;
  const arrangement = plan.style.arrangement;
  parts.push({ role: 'lead', program: instruments.lead, notes: lead });
  // Learned chords and bass where the generator brings them for this plan, else the rule-based arranger.
  // A retry for the key draws the accompaniment afresh too: the lead alone may not be what blurred the key.
  const learned = generator.accompaniment?.(plan, rng.fork(attempt === 0 ? 'accompaniment' : `accompaniment-key-${attempt}`), lead, attempt) ?? null;
  const ruleHarmony = writeHarmony(plan, rng.fork('harmony'), ceiling);
  const ruleBass = writeBass(plan, rng.fork('bass'));
  // Soft bars, and bars the model leaves mostly silent, keep the arranger's chords and bass, struck
  // often enough never to decay into a drop-out (quietHits).
  parts.push({ role: 'harmony', program: instruments.harmony, notes: learned ? withQuietBarsFrom(plan, learned.harmony, ruleHarmony) : ruleHarmony });
  parts.push({ role: 'bass', program: instruments.bass, notes: learned ? withQuietBarsFrom(plan, learned.bass, ruleBass) : ruleBass });
  // The learned comping is pedalled piano as in POP909, which fills the pad's register: a pad on
  // top of it made five and more notes sound at once.
  if (instruments.pad !== null && !learned) parts.push({ role: 'pad', program: instruments.pad, notes: writePad(plan, rng.fork('pad'), ceiling) });
  if (instruments.arp !== null) parts.push({ role: 'arp', program: instruments.arp, notes: writeArpeggio(plan, rng.fork('arp')) });
  if (arrangement.perc !== null) parts.push({ role: 'perc', program: arrangement.perc, notes: writePerc(plan, rng.fork('perc')) });
  if (instruments.drums) parts.push({ role: 'drums', program: 0, notes: generator.drums?.(plan, rng.fork('drums')) ?? writeDrums(plan, rng.fork('drums')) });

  for (const part of parts) {
    part.notes = part.notes.map((n) => clipToMusic(plan, n)).filter((n): n is ScoreNote => n !== null);
    // The lead is left as written (its themes are compared note for note); drums bring their own feel.
    if (part.role !== 'lead' && part.role !== 'drums') part.notes = humanize(part.notes, rng.fork(`human-${part.role}`), arrangement.humanize, plan.finalTick);
    if (arrangement.legato.includes(part.role)) part.notes = tieLegato(part.notes, plan.finalTick, 2 * plan.barTicks);
    if (part.role !== 'pad') part.notes = silenceBreaks(plan, part.notes);
    if (!request.loop) part.notes.push(...endingNotes(plan, part.role, part.notes, rng.fork(`ending-${part.role}`), ceiling));
    part.notes = part.role === 'drums' ? part.notes.sort((a, b) => a.tick - b.tick || a.pitch - b.pitch) : separateSamePitch(part.notes);
  }

  let channel = 0;
  const tracks: ScoreTrack[] = parts
    .filter((p) => p.notes.length > 0)
    .map((p) => {
      const isDrums = p.role === 'drums';
      const ch = isDrums ? DRUM_CHANNEL : channel++;
      if (channel === DRUM_CHANNEL) channel++;
      return { name: TRACK_NAMES[p.role], role: p.role, program: p.program, channel: ch, notes: p.notes, mix: mixFor(plan.style, p.role), controllers: expressionEvents(plan, p.role) };
    });

  const sections = plan.sections.map((s) => ({ name: s.name, startTick: s.startBar * plan.barTicks, endTick: (s.startBar + s.bars) * plan.barTicks }));
  if (!request.loop) sections.push({ name: 'ending', startTick: plan.finalTick, endTick: Math.round(plan.totalTicks) });

  const score: Score = {
    ppq: PPQ,
    bpm: plan.bpm,
    meter: plan.meter,
    key: plan.key,
    durationSec: request.durationSec,
    endTick: plan.finalTick,
    sections,
    chords: plan.chords.map((c) => ({ symbol: c.symbol, numeral: c.numeral, startTick: c.startTick, endTick: c.endTick })),
    tracks,
    meta: {
      title: titleFor(plan),
      style: plan.style.id,
      mood: plan.mood.id,
      seed: request.seed,
      generator: `${COMPOSER_VERSION}+${generator.nameFor?.(plan) ?? generator.name}`,
      requestJson: JSON.stringify(request),
      loop: request.loop,
    },
  };
  return { score, plan };
}

/** A break (form.ts) is the band stopping: nothing starts in it and nothing rings into it; the pad alone may hold. */
function silenceBreaks(plan: Plan, notes: ScoreNote[]): ScoreNote[] {
  const breaks = plan.sections.filter((s) => s.break).map((s) => [s.startBar * plan.barTicks, (s.startBar + s.bars) * plan.barTicks] as const);
  if (breaks.length === 0) return notes;
  return notes.flatMap((n) => {
    if (breaks.some(([from, to]) => n.tick >= from && n.tick < to)) return [];
    const cut = breaks.find(([from]) => n.tick < from && n.tick + n.durationTicks > from);
    return cut ? [{ ...n, durationTicks: cut[0] - n.tick }] : [n];
  });
}

/** Notes stop at the final chord (or the loop point): nothing may ring into the ending or across the seam. */
function clipToMusic(plan: Plan, note: ScoreNote): ScoreNote | null {
  const limit = plan.finalTick;
  if (note.tick >= limit) return null;
  const end = Math.min(note.tick + note.durationTicks, limit);
  return end - note.tick >= STEP / 8 ? { ...note, durationTicks: end - note.tick } : null;
}

/** The cadence: every part lands on the tonic chord at the final downbeat and holds it. */
function endingNotes(plan: Plan, role: Role, previous: ScoreNote[], rng: Rng, ceiling: number): ScoreNote[] {
  const tonic = plan.chords[plan.chords.length - 1]!; // planPiece ends non-loops on the tonic chord
  const tick = plan.finalTick;
  const length = Math.floor(plan.finalOffTick - plan.finalTick);
  const velocity = velocityAt(plan, rng, tick, { offset: 0, accent: 0, jitter: 0 });
  const last = previous[previous.length - 1];
  const tonicPc = tonic.rootPc;
  // A stinger (no whole bar before the ending): roll the chord so it still sounds composed.
  const roll = plan.timing.bars === 0 ? Math.min(STEP, Math.floor(length / 8)) : 0;
  switch (role) {
    case 'lead': {
      const around = last?.pitch ?? plan.style.leadCentre;
      let pitch = around - 6 + ((tonicPc - (around - 6)) % 12 + 12) % 12;
      if (pitch > around + 5) pitch -= 12;
      return [{ pitch, tick: tick + roll * 3, durationTicks: length - roll * 3, velocity }];
    }
    case 'harmony':
    case 'pad': {
      const voicing = voiceChord(tonic.pcs, Math.min(role === 'pad' ? 64 : 60, ceiling - 4), undefined, ceiling);
      return voicing.map((pitch, i) => {
        const offset = roll * i;
        return { pitch, tick: tick + offset, durationTicks: length - offset, velocity: velocity - (role === 'pad' ? 16 : 8) };
      });
    }
    case 'bass': {
      const pitch = 33 + ((tonicPc - 33) % 12 + 12) % 12;
      return [{ pitch, tick, durationTicks: length, velocity }];
    }
    case 'drums':
      return [
        { pitch: GM.crash, tick, durationTicks: Math.min(length, STEP * 2), velocity: Math.min(127, velocity + 10) },
        { pitch: GM.kick, tick, durationTicks: Math.min(length, STEP), velocity: Math.min(127, velocity + 10) },
      ];
    case 'perc': {
      const pitch = 38 + ((tonicPc - 38) % 12 + 12) % 12;
      return [{ pitch, tick, durationTicks: Math.min(length, plan.beatTicks * 2), velocity }];
    }
    case 'arp':
      return [];
  }
}

function titleFor(plan: Plan): string {
  return `${plan.mood.id[0]!.toUpperCase()}${plan.mood.id.slice(1)} ${plan.style.name.toLowerCase()} in ${formatKey(plan.key)}`;
}

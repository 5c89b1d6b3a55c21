/**
 * A radio section's notes, and what one render of it holds (pure apart from the seeded generator).
 *
 * Notes: part p of a theme is bars [pB, (p+1)B) of the theme composed as a loop of (p+1)B bars
 * with the theme's seed: the continuation Extend relies on (src/core/extend.ts: the same seed,
 * key and tempo give the same progression, a longer piece carries on from where the shorter one
 * was). Loops have no ending, so nothing stops at a section's last bar.
 *
 * Render plan: the previous section's last bars (at least PRE_ROLL_SEC, from a bar line where no
 * note rings across, as a loop's pre-roll is chosen) come first at its tempo, then this section at
 * its own, then its last bar once more (the hold, played when the next section is late). Every
 * bar line is a whole number of 20 ms packets (radioPlan.ts), so the render starts on the stream's
 * packet grid and the previous section's notes land on exactly the samples they did in its own
 * render: the audio before the join is the same in both renders, and the join is sample-exact.
 */
import { compose } from './compose.ts';
import type { MelodyGenerator } from './generator.ts';
import { barSamples, parseMeter, type SectionSpec } from './radioPlan.ts';
import { CompositionRequestSchema } from './request.ts';
import { DRUM_CHANNEL, PPQ, ticksPerBar, type ChordSpan, type ControllerEvent, type Score, type ScoreTrack } from './score.ts';

/** Enough for FluidR3's longest releases and its reverb to be ringing at the join as they were. */
export const PRE_ROLL_SEC = 3;
/** Packets the Opus encoder is fed before the first packet kept (RFC 7845 §4.6 suggests 80 ms). */
export const ENCODER_PRE_ROLL_PACKETS = 4;

export async function composeSection(spec: SectionSpec, generator?: MelodyGenerator): Promise<Score> {
  const meter = parseMeter(spec.meter);
  const barSec = barSamples(spec.beatUnits, spec.meter) / 48_000;
  const request = CompositionRequestSchema.parse({
    style: spec.style,
    mood: spec.mood,
    durationSec: barSec * spec.bars * (spec.themePart + 1),
    tempo: spec.bpm,
    key: spec.key,
    meter: spec.meter,
    instruments: [],
    energy: spec.energy,
    seed: spec.themeSeed,
    loop: true,
    prompt: '',
  });
  const { score } = await compose(request, generator, spec.nextKey ? { cadenceTo: spec.nextKey } : {});
  const barTicks = ticksPerBar(meter, PPQ);
  const from = spec.themePart * spec.bars * barTicks;
  const to = from + spec.bars * barTicks;
  if (Math.abs(score.endTick - to) > 1) throw new Error(`the theme came out ${score.endTick / barTicks} bars long, ${to / barTicks} were asked for`);
  const sliced = sliceScore(score, from, to);
  return { ...sliced, bpm: spec.bpm, durationSec: barSec * spec.bars, meta: { ...sliced.meta, title: `${spec.style} radio, section ${spec.index + 1}` } };
}

/** A section's notes as played when cut after `bars` bars (to bring the room's choice in sooner); all of them when not cut. */
export function cutSection(spec: SectionSpec, score: Score, bars: number | undefined): Score {
  if (!bars || bars >= spec.bars) return score;
  return sliceScore(score, 0, bars * ticksPerBar(parseMeter(spec.meter), PPQ));
}

/** Bars [from, to) of a score, moved to start at 0; notes cut at `to`, controllers as in force at `from`. */
export function sliceScore(score: Score, from: number, to: number): Score {
  const tracks: ScoreTrack[] = score.tracks.map((t) => ({
    ...t,
    notes: t.notes.filter((n) => n.tick >= from && n.tick < to).map((n) => ({ ...n, tick: n.tick - from, durationTicks: Math.min(n.durationTicks, to - n.tick) })),
    controllers: controllersIn(t.controllers ?? [], from, to),
  }));
  const chords: ChordSpan[] = score.chords.filter((c) => c.endTick > from && c.startTick < to).map((c) => ({ ...c, startTick: Math.max(0, c.startTick - from), endTick: Math.min(to, c.endTick) - from }));
  const sections = score.sections.filter((s) => s.endTick > from && s.startTick < to).map((s) => ({ ...s, startTick: Math.max(0, s.startTick - from), endTick: Math.min(to, s.endTick) - from }));
  return { ...score, tracks: tracks.filter((t) => t.notes.length > 0), chords, sections, endTick: to - from };
}

/** The controller values in force at `from` (at tick 0), then the changes in [from, to), shifted. */
function controllersIn(events: readonly ControllerEvent[], from: number, to: number): ControllerEvent[] {
  const atStart = new Map<number, ControllerEvent>();
  for (const e of events) if (e.tick <= from) atStart.set(e.number, { ...e, tick: 0 });
  return [...atStart.values(), ...events.filter((e) => e.tick > from && e.tick < to).map((e) => ({ ...e, tick: e.tick - from }))];
}

export interface SectionRender {
  /** Everything one render plays, in ticks from the render's start (channels kept apart, see below). */
  score: Score;
  /** Tempo map: the previous section's tempo for its bars, then this section's. */
  tempos: { tick: number; bpm: number }[];
  /** Samples from the render's start to this section's first sample. */
  joinSample: number;
  /** Samples of this section, then of its hold (its last bar once more). */
  sectionSamples: number;
  holdSamples: number;
  /** Samples the render must reach (the hold, plus room for the encoder's look-ahead). */
  totalSamples: number;
}

/** Ticks → samples at 48 kHz: one tick lasts 2 × beatUnits samples (PPQ 480, quarter = beatUnits × 960). */
const samplesPerTick = (beatUnits: number) => (2 * beatUnits * 480) / PPQ;

/**
 * The render of `section` (`spec`) after `previous` (its spec and notes), or after nothing (the
 * radio's first section, or the first after a restart).
 */
export function planSectionRender(spec: SectionSpec, section: Score, previous: { spec: SectionSpec; score: Score } | null): SectionRender {
  const barTicks = ticksPerBar(parseMeter(spec.meter), PPQ);
  const tracks: ScoreTrack[] = [];
  let joinTick = 0;
  let joinSample = 0;
  const tempos: { tick: number; bpm: number }[] = [];
  if (previous) {
    const prevBarTicks = ticksPerBar(parseMeter(previous.spec.meter), PPQ);
    const perTick = samplesPerTick(previous.spec.beatUnits);
    const end = previous.score.endTick;
    const minTicks = Math.ceil((PRE_ROLL_SEC * 48_000) / perTick);
    let from = Math.max(0, end - Math.ceil(minTicks / prevBarTicks) * prevBarTicks);
    // Start where no note rings across, on a bar line (so the render stays on the packet grid).
    for (let moved = true; moved; ) {
      moved = false;
      for (const t of previous.score.tracks) {
        for (const n of t.notes) {
          if (n.tick < from && n.tick + n.durationTicks > from) {
            from = Math.floor(n.tick / prevBarTicks) * prevBarTicks;
            moved = true;
          }
        }
      }
    }
    const head = sliceScore(previous.score, from, end);
    tracks.push(...onChannels(head.tracks, 0));
    joinTick = end - from;
    joinSample = joinTick * perTick;
    tempos.push({ tick: 0, bpm: previous.spec.bpm });
  }
  if (!tempos.length || tempos[0]!.bpm !== spec.bpm) tempos.push({ tick: joinTick, bpm: spec.bpm });
  const perTick = samplesPerTick(spec.beatUnits);
  const endTick = section.endTick;
  const own = section.tracks.map((t) => {
    const lastBar = t.notes.filter((n) => n.tick >= endTick - barTicks);
    const hold = lastBar.map((n) => ({ ...n, tick: n.tick + barTicks }));
    const controllers = t.controllers ?? [];
    const holdCc = controllers.filter((c) => c.tick >= endTick - barTicks && c.tick < endTick).map((c) => ({ ...c, tick: c.tick + barTicks }));
    return { ...t, notes: [...t.notes, ...hold].map((n) => ({ ...n, tick: n.tick + joinTick })), controllers: [...controllers, ...holdCc].map((c) => ({ ...c, tick: c.tick + joinTick })) };
  });
  tracks.push(...onChannels(own, previous ? 10 : 0));
  const sectionSamples = spec.lengthSamples;
  const holdSamples = barTicks * perTick;
  // Three packets past the hold: the encoder looks ahead 312 samples, and the last packet kept needs them.
  const totalSamples = joinSample + sectionSamples + holdSamples + 3 * 960;
  const renderEndTick = joinTick + endTick + barTicks + Math.ceil((3 * 960) / perTick);
  const score: Score = {
    ...section,
    tracks,
    endTick: renderEndTick,
    durationSec: totalSamples / 48_000,
    sections: [],
    chords: [],
    meta: { ...section.meta, loop: true },
  };
  if (sectionSamples !== endTick * perTick) throw new Error(`section ${spec.index}: ${endTick * perTick} samples of notes, ${sectionSamples} planned`);
  return { score, tempos, joinSample, sectionSamples, holdSamples, totalSamples };
}

/**
 * The tracks on channels from `first` up (the drum channel kept for drums): the previous
 * section's tracks and this one's never share a channel, so one's controllers and programs
 * never touch the other's ringing notes.
 */
function onChannels(tracks: ScoreTrack[], first: number): ScoreTrack[] {
  let channel = first;
  return tracks.map((t) => {
    if (t.channel === DRUM_CHANNEL || t.role === 'drums') return { ...t, channel: DRUM_CHANNEL };
    if (channel === DRUM_CHANNEL) channel++;
    return { ...t, channel: channel++ % 16 };
  });
}

/**
 * Extend: continue a finished piece to a longer length. The result opens with the original —
 * same tempo, key, meter, instruments and the very same notes for all of its bars — followed by
 * more music and an ending.
 *
 * How: compose the piece again at the longer length with the same seed, tempo, key and meter
 * (the planner then picks the same chord progressions, which depend on the seed and the key's
 * mode only), and splice at the original's last bar line: bars before it come from the
 * original, bars from it on (and the ending) from the longer composition. The original's own
 * ending is dropped (its final chord would stop the music); its last bar is the cadence's
 * dominant, which now leads into the new material instead of the final tonic. A loop is
 * continued the same way and gets an ending (a longer piece that ends is what Extend offers).
 *
 * The melody of the new bars comes from `generator` (the rule-based one by default); the neural
 * model's continuation API can replace the splice later without changing callers.
 */
import { compose } from './compose.ts';
import { RuleBasedMelody, type MelodyGenerator } from './generator.ts';
import { CompositionRequestSchema, LIMITS, METERS, type CompositionRequest } from './request.ts';
import { DRUM_CHANNEL, ticksPerBar, type Score, type ScoreTrack } from './score.ts';

export interface ExtendResult {
  score: Score;
  /** The request the extended piece answers (what its MIDI file and Variation button use). */
  request: CompositionRequest;
  /** Whole bars of the original kept (the splice point, in bars). */
  keptBars: number;
  /** Bars of new music before the ending. */
  addedBars: number;
}

export class ExtendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtendError';
  }
}

/** The request for the longer composition: the original's, with its actual tempo, key and meter fixed. */
export function extendedRequest(source: Score, durationSec: number): CompositionRequest {
  const original = CompositionRequestSchema.parse(JSON.parse(source.meta.requestJson));
  const meter = `${source.meter.numerator}/${source.meter.denominator}`;
  if (!(METERS as readonly string[]).includes(meter)) throw new ExtendError(`pieces in ${meter} cannot be extended`);
  if (source.bpm < LIMITS.tempo.min || source.bpm > LIMITS.tempo.max) throw new ExtendError(`a piece at ${source.bpm.toFixed(1)} bpm cannot be extended`);
  return CompositionRequestSchema.parse({
    ...original,
    durationSec,
    tempo: source.bpm,
    key: source.key,
    meter,
    seed: source.meta.seed,
    loop: false,
  });
}

/** Continue `source` to `durationSec` seconds (it must leave room for at least one more bar). */
export async function extendScore(source: Score, durationSec: number, generator: MelodyGenerator = RuleBasedMelody): Promise<ExtendResult> {
  const barTicks = ticksPerBar(source.meter, source.ppq);
  const keptBars = Math.round(source.endTick / barTicks);
  const splice = keptBars * barTicks;
  if (Math.abs(splice - source.endTick) > 1) throw new ExtendError('the piece does not end on a bar line');
  const request = extendedRequest(source, durationSec);
  const { score: long, plan } = await compose(request, generator);
  if (Math.abs(long.bpm - source.bpm) > 1e-9) throw new ExtendError('the longer composition changed the tempo');
  const addedBars = plan.timing.bars - keptBars;
  if (addedBars < 1) throw new ExtendError(`${durationSec} s is not long enough to add a bar to a ${source.durationSec.toFixed(1)} s piece`);

  // The original's notes all end by its final chord (compose clips them there): none cross the splice.
  const before = (track: ScoreTrack) => track.notes.filter((n) => n.tick < splice).map((n) => ({ ...n, durationTicks: Math.min(n.durationTicks, splice - n.tick) }));
  const after = (track: ScoreTrack) => track.notes.filter((n) => n.tick >= splice).map((n) => ({ ...n }));

  const tracks: ScoreTrack[] = [];
  const used = new Set(source.tracks.map((t) => t.channel));
  for (const old of source.tracks) {
    const continuation = long.tracks.find((t) => t.role === old.role);
    // The original's instruments win: it may have been re-rendered with another preset.
    const controllers = [...(old.controllers ?? []).filter((c) => c.tick < splice), ...(continuation?.controllers ?? []).filter((c) => c.tick >= splice)];
    tracks.push({ ...old, notes: [...before(old), ...(continuation ? after(continuation) : [])], ...(controllers.length ? { controllers } : {}) });
  }
  for (const fresh of long.tracks) {
    if (source.tracks.some((t) => t.role === fresh.role)) continue;
    let channel = fresh.channel;
    if (fresh.role !== 'drums') for (channel = 0; used.has(channel) || channel === DRUM_CHANNEL; channel++);
    used.add(channel);
    tracks.push({ ...fresh, channel, notes: after(fresh), controllers: (fresh.controllers ?? []).filter((c) => c.tick >= splice) });
  }

  const sections = [
    ...source.sections.filter((s) => s.startTick < splice).map((s) => ({ ...s, endTick: Math.min(s.endTick, splice) })),
    ...long.sections.filter((s) => s.endTick > splice).map((s) => ({ ...s, startTick: Math.max(s.startTick, splice) })),
  ];
  const chords = [
    ...source.chords.filter((c) => c.startTick < splice).map((c) => ({ ...c, endTick: Math.min(c.endTick, splice) })),
    ...long.chords.filter((c) => c.endTick > splice).map((c) => ({ ...c, startTick: Math.max(c.startTick, splice) })),
  ];

  const score: Score = {
    ...long,
    key: source.key,
    tracks: tracks.filter((t) => t.notes.length > 0),
    sections,
    chords,
    meta: { ...long.meta, title: source.meta.title, requestJson: JSON.stringify(request) },
  };
  return { score, request, keptBars, addedBars };
}

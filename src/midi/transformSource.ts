/**
 * A posted Tunesmith MIDI file read back into a Score: the source that re-renders and extensions
 * transform. Every note, the tempo, meter, track names, programs, channels and section markers
 * are in the file; the request (style, mood, length, loop, seed) is in its `tunesmith {…}` text
 * event (see scoreToMidi). What the file does not carry is filled in or left out, on purpose:
 *   - the key's mode: the request's key, else the key the planner picks for the request (the
 *     plan does not depend on the melody generator, so this is the key the piece was written in);
 *   - chord names: left empty (nothing downstream of composing reads them: the piano roll,
 *     MIDI and audio do not).
 * Both the stored result and a file fetched from a Discord message go through here, so a button
 * behaves the same before and after the stored result expires.
 */
import { z } from 'zod';
import { planPiece } from '../core/plan/plan.ts';
import { barSeconds } from '../core/plan/timing.ts';
import { CompositionRequestSchema, type CompositionRequest } from '../core/request.ts';
import { createRng } from '../core/rng.ts';
import { DRUM_CHANNEL, PPQ, secondsToTicks, ticksPerBar, type Role, type Score, type ScoreTrack, type Section } from '../core/score.ts';
import { MidiReadError, readMidi, type MidiFile, type MidiTrack } from './readMidi.ts';

/** The file is not one of ours (or is damaged): said in words a person can act on. */
export class SourceMidiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceMidiError';
  }
}

const ROLE_BY_TRACK_NAME: Record<string, Role> = {
  Lead: 'lead', Chords: 'harmony', Bass: 'bass', Pad: 'pad', Arpeggio: 'arp', Percussion: 'perc', Drums: 'drums',
  // Layers added by a re-render ("add strings"): see layerTrackName in transform.ts.
  'Lead layer': 'lead', 'Chords layer': 'harmony', 'Bass layer': 'bass', 'Pad layer': 'pad', 'Arpeggio layer': 'arp',
};

const TextEventSchema = z.object({ generator: z.string().max(200), seed: z.number().int(), request: CompositionRequestSchema });
export type TunesmithText = z.infer<typeof TextEventSchema>;

/** The request, seed and generator from a Tunesmith MIDI file's text event; null if it has none. */
export function readTunesmithText(bytes: Uint8Array): TunesmithText | null {
  let midi: MidiFile;
  try {
    midi = readMidi(bytes);
  } catch {
    return null;
  }
  return textOf(midi);
}

/** Read within the bounded reader's limits (readMidi.ts); a refusal says why. */
function parse(bytes: Uint8Array): MidiFile {
  try {
    return readMidi(bytes);
  } catch (error) {
    if (error instanceof MidiReadError) throw new SourceMidiError(`The MIDI file could not be read: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`);
    throw new SourceMidiError('The MIDI file could not be read.');
  }
}

function textOf(midi: MidiFile): TunesmithText | null {
  for (const event of midi.meta) {
    if (event.type !== 'text' || !event.text.startsWith('tunesmith ')) continue;
    try {
      const parsed = TextEventSchema.safeParse(JSON.parse(event.text.slice('tunesmith '.length)));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: keep looking
    }
  }
  return null;
}

/** The key the planner chose for a request that left it open. */
export function plannedKey(request: CompositionRequest): Score['key'] {
  return request.key ?? planPiece(request, createRng(request.seed).fork('plan')).key;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function midiToScore(bytes: Uint8Array): Score {
  const midi = parse(bytes);
  const text = textOf(midi);
  if (!text) throw new SourceMidiError('This MIDI file was not made by Tunesmith (it has no request inside).');
  const request = text.request;
  const scale = PPQ / midi.ppq;
  const tick = (t: number) => Math.round(t * scale);
  const signature = midi.timeSignatures[0]?.timeSignature ?? [4, 4];
  const meter = { numerator: signature[0] ?? 4, denominator: signature[1] ?? 4 };
  const barTicks = ticksPerBar(meter);
  const fileBpm = midi.tempos[0]?.bpm;
  if (!fileBpm) throw new SourceMidiError('The MIDI file has no tempo.');

  // The file stores whole microseconds per quarter; the score's tempo is recovered exactly:
  // loops have the tempo that fits their bars into the length, other pieces a tempo in 0.01 bpm.
  let bpm: number;
  let endTick: number;
  const markers = midi.meta.filter((m) => m.type === 'marker').map((m) => ({ name: m.text, tick: tick(m.ticks) }));
  markers.sort((a, b) => a.tick - b.tick);
  if (request.loop) {
    const bars = Math.max(1, Math.round(request.durationSec / barSeconds(fileBpm, meter)));
    bpm = (bars * barSeconds(1, meter)) / request.durationSec;
    endTick = bars * barTicks;
  } else {
    bpm = round2(fileBpm);
    const ending = markers.find((m) => m.name === 'ending');
    endTick = ending?.tick ?? lastNoteEnd(midi, tick);
  }
  const totalTicks = request.loop ? endTick : Math.round(secondsToTicks(request.durationSec, bpm));
  const sections: Section[] = markers.map((m, i) => ({ name: m.name, startTick: m.tick, endTick: markers[i + 1]?.tick ?? totalTicks }));

  const tracks: ScoreTrack[] = midi.tracks
    .filter((t) => t.notes.length > 0)
    .map((t) => {
      const role: Role = t.channel === DRUM_CHANNEL ? 'drums' : (ROLE_BY_TRACK_NAME[t.name] ?? 'harmony');
      return {
        name: t.name || role,
        role,
        program: role === 'drums' ? 0 : t.program,
        channel: t.channel,
        notes: t.notes.map((n) => ({ pitch: n.midi, tick: tick(n.ticks), durationTicks: Math.max(1, tick(n.durationTicks)), velocity: Math.max(1, Math.round(n.velocity * 127)) })),
        ...mixAndControllers(t, tick),
      };
    });

  return {
    ppq: PPQ,
    bpm,
    meter,
    key: plannedKey(request),
    durationSec: request.durationSec,
    endTick,
    sections,
    chords: [],
    tracks,
    meta: {
      title: midi.name || `${request.mood} ${request.style}`,
      style: request.style,
      mood: request.mood,
      seed: text.seed,
      generator: text.generator,
      requestJson: JSON.stringify(request),
      loop: request.loop,
    },
  };
}

/** The mix controllers set at the start (CC7/10/91/93) and every other controller change over time. */
function mixAndControllers(t: MidiTrack, tick: (ticks: number) => number): Pick<ScoreTrack, 'mix' | 'controllers'> {
  const value = (n: number) => t.controlChanges[n]?.find((c) => c.ticks === 0)?.value;
  const at0 = [7, 10, 91, 93].map((n) => value(n));
  const out: Pick<ScoreTrack, 'mix' | 'controllers'> = {};
  if (at0.every((v) => v !== undefined)) {
    const [volume, pan, reverb, chorus] = at0.map((v) => Math.round(v! * 127)) as [number, number, number, number];
    out.mix = { volume, pan, reverb, chorus };
  }
  const controllers = Object.entries(t.controlChanges)
    .filter(([n]) => ![7, 10, 91, 93].includes(Number(n)))
    .flatMap(([n, list]) => list.map((c) => ({ tick: tick(c.ticks), number: Number(n), value: Math.round(c.value * 127) })))
    .sort((a, b) => a.tick - b.tick || a.number - b.number);
  if (controllers.length) out.controllers = controllers;
  return out;
}

/** Where the last note ends (a loop, not a spread: a spread of 100,000 arguments overflows the stack). */
function lastNoteEnd(midi: MidiFile, tick: (ticks: number) => number): number {
  let end = 0;
  for (const t of midi.tracks) for (const n of t.notes) end = Math.max(end, tick(n.ticks + n.durationTicks));
  return end;
}

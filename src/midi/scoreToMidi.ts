/**
 * Score → Standard MIDI File bytes with @tonejs/midi: tempo, key and time-signature meta
 * events, named tracks, GM programs, drums on channel 10, each track's mix (CC7 volume, CC10 pan,
 * CC91 reverb, CC93 chorus) and controller changes (CC11 expression), section markers, and a text event
 * carrying the request, seed and generator version. Deterministic: same score ⇒ same bytes.
 */
import tonejs from '@tonejs/midi';
import { Note } from 'tonal';
import { DEFAULT_MIX } from '../core/parts/arrangement.ts';
import type { ControllerEvent, Score, ScoreNote } from '../core/score.ts';
import { ticksToSeconds, ticksPerBar } from '../core/score.ts';
import { encodeMidi } from './encodeMidi.ts';

const { Midi } = tonejs;

export interface MidiOutput {
  bytes: Uint8Array;
  /** Seconds of pre-roll at the start of `bytes` that the renderer must cut (loops only). */
  trimStartSec: number;
}


const MODE_OFFSET: Record<string, number> = { major: 0, minor: 0, dorian: 2, phrygian: 4, lydian: 5, mixolydian: 7, locrian: 11 };

/** Key-signature sharps(+)/flats(−) and major/minor flag; modes use their parent major's signature. */
export function keySignatureOf(score: Score): { sharpsFlats: number; minor: boolean } {
  const tonicPc = Note.chroma(score.key.tonic) ?? 0;
  const minor = score.key.mode === 'minor';
  // Signature of a major key by pitch class, preferring the usual spelling (F# over Gb, Db over C#).
  const majorPc = minor ? (tonicPc + 3) % 12 : (tonicPc - (MODE_OFFSET[score.key.mode] ?? 0) + 12) % 12;
  const SIGNATURES = [0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5];
  let sharpsFlats = SIGNATURES[majorPc]!;
  if (score.key.tonic.includes('b') && sharpsFlats === 6) sharpsFlats = -6;
  return { sharpsFlats, minor };
}

/** A Standard MIDI File counts its tracks in 16 bits, and the tempo map takes one. */
const MAX_TRACKS = 0xffff - 1;

export function scoreToMidi(score: Score, opts: { loopPreRoll?: boolean } = {}): MidiOutput {
  if (score.tracks.length > MAX_TRACKS) throw new RangeError(`a MIDI file holds at most ${MAX_TRACKS.toLocaleString('en')} tracks, the score has ${score.tracks.length.toLocaleString('en')}`);
  const { midi, preRollTicks } = scoreToMidiObject(score, opts);
  // encodeMidi writes what midi.toArray() would, without its quadratic writer.
  const bytes = patchKeySignature(encodeMidi(midi), keySignatureOf(score));
  return { bytes, trimStartSec: ticksToSeconds(preRollTicks, score.bpm, score.ppq) };
}

/** The @tonejs/midi object scoreToMidi encodes (before the key-signature patch), and its pre-roll. */
export function scoreToMidiObject(score: Score, opts: { loopPreRoll?: boolean } = {}): { midi: InstanceType<typeof Midi>; preRollTicks: number } {
  const preRollTicks = opts.loopPreRoll && score.meta.loop ? loopPreRollTicks(score) : 0;
  const midi = new Midi();
  midi.header.name = score.meta.title;
  midi.header.setTempo(score.bpm);
  midi.header.timeSignatures.push({ ticks: 0, timeSignature: [score.meter.numerator, score.meter.denominator] });
  // @tonejs/midi 2.0.28 mis-encodes the key signature's sharps count; it is patched below.
  midi.header.keySignatures.push({ ticks: 0, key: 'C', scale: 'major' });
  midi.header.meta.push({
    ticks: 0,
    type: 'text',
    text: `tunesmith ${JSON.stringify({ generator: score.meta.generator, seed: score.meta.seed, request: JSON.parse(score.meta.requestJson) })}`,
  });
  for (const section of score.sections) midi.header.meta.push({ ticks: section.startTick + preRollTicks, type: 'marker', text: section.name });
  midi.header.update();

  for (const source of score.tracks) {
    const track = midi.addTrack();
    track.name = source.name;
    track.channel = source.channel;
    track.instrument.number = source.role === 'drums' ? 0 : source.program;
    const mix = source.mix ?? DEFAULT_MIX[source.role];
    track.addCC({ number: 7, value: ccValue(mix.volume), ticks: 0 });
    track.addCC({ number: 10, value: ccValue(mix.pan), ticks: 0 });
    track.addCC({ number: 91, value: ccValue(mix.reverb), ticks: 0 });
    track.addCC({ number: 93, value: ccValue(mix.chorus), ticks: 0 });
    const controllers = preRollTicks ? withPreRollControllers(source.controllers ?? [], score.endTick, preRollTicks) : (source.controllers ?? []);
    for (const cc of controllers) track.addCC({ number: cc.number, value: ccValue(cc.value), ticks: cc.tick });
    const notes = preRollTicks ? withPreRoll(source.notes, score.endTick, preRollTicks) : source.notes;
    for (const note of notes) {
      // tonejs stores velocity as 0–1 and writes floor(v × 127): the +0.5 keeps integers exact.
      track.addNote({ midi: note.pitch, ticks: note.tick, durationTicks: note.durationTicks, velocity: (note.velocity + 0.5) / 127 });
    }
  }
  // An event at the very end keeps players (fluidsynth) running through the release tail.
  const endTick = Math.round(score.endTick + preRollTicks + (score.meta.loop ? 0 : tailTicks(score)));
  const first = midi.tracks[0];
  if (first) first.addCC({ number: 7, value: ccValue((score.tracks[0]!.mix ?? DEFAULT_MIX[score.tracks[0]!.role]).volume), ticks: endTick });
  return { midi, preRollTicks };
}

/** tonejs stores CC values as 0–1 and writes floor(v × 127): the +0.5 keeps integers exact. */
function ccValue(value: number): number {
  return (Math.max(0, Math.min(127, Math.round(value))) + 0.5) / 127;
}

function tailTicks(score: Score): number {
  const totalTicks = (score.durationSec * score.bpm * score.ppq) / 60;
  return Math.max(0, totalTicks - score.endTick);
}

/**
 * How much of a loop's end is played before its start: two bars, or more when a note sounding two
 * bars before the end began earlier (a held pad): the pre-roll then starts with that note, so the
 * start of the loop hears everything its end does. Without that, a pad held over the last bars
 * sounds at the end but not at the start, and the join jumps (issue 14's join test caught it).
 */
export function loopPreRollTicks(score: Score): number {
  let from = Math.max(0, score.endTick - 2 * ticksPerBar(score.meter, score.ppq));
  for (let moved = true; moved; ) {
    moved = false;
    for (const t of score.tracks) {
      for (const n of t.notes) {
        if (n.tick < from && n.tick + n.durationTicks > from) {
          from = n.tick;
          moved = true;
        }
      }
    }
  }
  return score.endTick - from;
}

/** Loop pre-roll: the loop's last bars played first, so the seam renders with a real tail. */
function withPreRoll(notes: ScoreNote[], loopTicks: number, preRoll: number): ScoreNote[] {
  const head = notes.filter((n) => n.tick >= loopTicks - preRoll).map((n) => ({ ...n, tick: n.tick - (loopTicks - preRoll) }));
  return [...head, ...notes.map((n) => ({ ...n, tick: n.tick + preRoll }))];
}

/** The controllers in force at the pre-roll's start, then the pre-roll's own changes, then the loop's. */
function withPreRollControllers(events: readonly ControllerEvent[], loopTicks: number, preRoll: number): ControllerEvent[] {
  const from = loopTicks - preRoll;
  const atStart = new Map<number, ControllerEvent>();
  for (const e of events) if (e.tick <= from) atStart.set(e.number, { ...e, tick: 0 });
  const head = events.filter((e) => e.tick > from && e.tick < loopTicks).map((e) => ({ ...e, tick: e.tick - from }));
  return [...atStart.values(), ...head, ...events.map((e) => ({ ...e, tick: e.tick + preRoll }))];
}

/** Rewrite the FF 59 02 sf mi key-signature meta event in the first track. */
function patchKeySignature(bytes: Uint8Array, sig: { sharpsFlats: number; minor: boolean }): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i + 4 < out.length; i++) {
    if (out[i] === 0xff && out[i + 1] === 0x59 && out[i + 2] === 0x02) {
      out[i + 3] = sig.sharpsFlats & 0xff;
      out[i + 4] = sig.minor ? 1 : 0;
      return out;
    }
  }
  throw new Error('no key signature event to patch');
}

/**
 * The one score type that flows through every stage: request → plan → Score → MIDI → audio.
 * Times are in ticks (PPQ per quarter note) so every stage agrees on bars exactly;
 * seconds are derived from the single constant tempo.
 */

export const PPQ = 480;

/** 'perc' is orchestral percussion (timpani, cymbal swells) on a pitched GM program and its own channel, not the kit. */
export type Role = 'lead' | 'harmony' | 'bass' | 'pad' | 'arp' | 'perc' | 'drums';

/** A track's place in the mix: MIDI CC7 volume, CC10 pan (64 = centre), CC91 reverb and CC93 chorus sends, 0–127. */
export interface TrackMix {
  volume: number;
  pan: number;
  reverb: number;
  chorus: number;
}

/** A controller change on a track (e.g. CC11 expression for section dynamics and side-chain pumping). */
export interface ControllerEvent {
  tick: number;
  /** MIDI controller number 0–127. */
  number: number;
  /** 0–127. */
  value: number;
}

export interface ScoreNote {
  /** MIDI pitch 0–127 (GM drum map key on the drum track). */
  pitch: number;
  /** Onset in ticks from the start of the piece. */
  tick: number;
  /** Length in ticks (> 0). */
  durationTicks: number;
  /** MIDI velocity 1–127. */
  velocity: number;
}

export interface ScoreTrack {
  name: string;
  role: Role;
  /** General MIDI program 0–127 (ignored for drums). */
  program: number;
  /** MIDI channel 0–15; 9 is the GM drum channel. */
  channel: number;
  notes: ScoreNote[];
  /** The track's mix; absent means the role's default (src/midi/scoreToMidi.ts). */
  mix?: TrackMix;
  /** Controller changes over time, sorted by tick; absent means none. */
  controllers?: ControllerEvent[];
}

export interface Section {
  name: string; // 'intro' | 'A' | 'B' | 'bridge' | 'outro' | 'ending' ...
  startTick: number;
  endTick: number;
}

export interface ChordSpan {
  /** Chord symbol as @tonaljs spells it, e.g. "Am7". */
  symbol: string;
  /** Roman numeral relative to the key, e.g. "vi7". */
  numeral: string;
  startTick: number;
  endTick: number;
}

export interface Meter {
  numerator: number;
  denominator: number;
}

export interface KeySignature {
  tonic: string; // 'C', 'F#', 'Eb'
  mode: string; // 'major' | 'minor' | 'dorian' | ...
}

export interface ScoreMeta {
  title: string;
  style: string;
  mood: string;
  seed: number;
  /** Name and version of the generator that wrote the notes, e.g. "rules@1". */
  generator: string;
  /** The normalised request as JSON, carried into the MIDI file. */
  requestJson: string;
  loop: boolean;
}

export interface Score {
  ppq: number;
  bpm: number;
  meter: Meter;
  key: KeySignature;
  /** Exact length of the audio, in seconds (tail included). */
  durationSec: number;
  /** Tick at which the music proper ends (for loops: the loop point). */
  endTick: number;
  sections: Section[];
  chords: ChordSpan[];
  tracks: ScoreTrack[];
  meta: ScoreMeta;
}

export const DRUM_CHANNEL = 9;

/** Ticks in one bar of the given meter. */
export function ticksPerBar(meter: Meter, ppq = PPQ): number {
  return (ppq * 4 * meter.numerator) / meter.denominator;
}

/** Ticks in one beat as felt (a dotted quarter in compound meters such as 6/8). */
export function ticksPerBeat(meter: Meter, ppq = PPQ): number {
  const unit = (ppq * 4) / meter.denominator;
  return isCompound(meter) ? unit * 3 : unit;
}

export function isCompound(meter: Meter): boolean {
  return meter.denominator === 8 && meter.numerator % 3 === 0 && meter.numerator > 3;
}

export function ticksToSeconds(ticks: number, bpm: number, ppq = PPQ): number {
  return (ticks / ppq) * (60 / bpm);
}

export function secondsToTicks(seconds: number, bpm: number, ppq = PPQ): number {
  return (seconds * bpm * ppq) / 60;
}

/** All notes of all tracks, with the track they belong to. */
export function* allNotes(score: Score): Generator<[ScoreTrack, ScoreNote]> {
  for (const track of score.tracks) for (const note of track.notes) yield [track, note];
}

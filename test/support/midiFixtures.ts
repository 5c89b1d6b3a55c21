/**
 * Small but realistic MIDI files for render tests and the benchmark, built with @tonejs/midi
 * (piano chords, bass, lead, drums — the same kind of texture the composer writes).
 * `loopPreRoll` mimics scoreToMidi's loop form: the last bars are copied in front of the piece
 * and `trimStartSec` says how much audio to cut so the loop seam is seamless.
 */
import ToneMidi from '@tonejs/midi';

// @tonejs/midi ships CommonJS; its default export carries the classes under ESM.
const { Midi } = ToneMidi;

const PPQ = 480;
const BEATS_PER_BAR = 4;
const BAR = PPQ * BEATS_PER_BAR;
/** C–G–Am–F as root MIDI pitches with their triads. */
const PROGRESSION: readonly (readonly number[])[] = [
  [60, 64, 67],
  [55, 59, 62],
  [57, 60, 64],
  [53, 57, 60],
];
const MELODY_STEPS = [0, 2, 4, 2, 7, 4, 2, 0];
/** Strings, brass, organ, choir, synth pad, saw lead. */
const LAYER_PROGRAMS = [48, 61, 16, 52, 89, 81];

export interface FixtureOptions {
  /** Length of the piece proper in seconds (the expected audio length). */
  durationSec: number;
  bpm?: number;
  /** Scales every velocity: 0.25 gives a quiet render, 1 a loud one. */
  dynamics?: number;
  /** Prepend a copy of the last N bars, as scoreToMidi does for loops. */
  loopPreRollBars?: number;
  /** Extra chord layers (strings, brass, organ, …) on their own channels: a dense, loud texture. */
  layers?: number;
}

export interface FixtureMidi {
  bytes: Uint8Array;
  durationSec: number;
  trimStartSec: number;
}

type Note = { ch: number; pitch: number; tick: number; len: number; vel: number };

/** The notes of the piece proper: whole bars, with the last note ending exactly at the end. */
function pieceNotes(endTick: number, dynamics: number): Note[] {
  const notes: Note[] = [];
  const vel = (v: number) => Math.max(1, Math.min(127, Math.round(v * dynamics)));
  const clip = (n: Note) => (n.tick < endTick ? notes.push({ ...n, len: Math.min(n.len, endTick - n.tick) }) : 0);
  for (let bar = 0; bar * BAR < endTick; bar++) {
    const start = bar * BAR;
    const chord = PROGRESSION[bar % PROGRESSION.length] ?? [60];
    for (const p of chord) clip({ ch: 0, pitch: p, tick: start, len: BAR, vel: vel(80) });
    const root = chord[0] ?? 60;
    for (let beat = 0; beat < BEATS_PER_BAR; beat++) {
      const t = start + beat * PPQ;
      clip({ ch: 1, pitch: root - 24, tick: t, len: PPQ, vel: vel(95) });
      clip({ ch: 9, pitch: beat % 2 === 0 ? 36 : 38, tick: t, len: PPQ / 2, vel: vel(100) });
      clip({ ch: 9, pitch: 42, tick: t + PPQ / 2, len: PPQ / 4, vel: vel(70) });
    }
    for (let i = 0; i < 8; i++) {
      const step = MELODY_STEPS[(i + bar) % MELODY_STEPS.length] ?? 0;
      clip({ ch: 2, pitch: root + 12 + step, tick: start + (i * PPQ) / 2, len: PPQ / 2, vel: vel(90) });
    }
  }
  return notes;
}

export function fixtureMidi(opts: FixtureOptions): FixtureMidi {
  const bpm = opts.bpm ?? 100;
  const secPerTick = 60 / bpm / PPQ;
  const endTick = Math.round(opts.durationSec / secPerTick);
  const notes = pieceNotes(endTick, opts.dynamics ?? 1);

  const preRollTicks = (opts.loopPreRollBars ?? 0) * BAR;
  const shifted = notes.map((n) => ({ ...n, tick: n.tick + preRollTicks }));
  // The pre-roll is the tail of the piece, so the synth state at the loop start equals the state at its end.
  const preRoll = notes
    .filter((n) => n.tick >= endTick - preRollTicks)
    .map((n) => ({ ...n, tick: n.tick - (endTick - preRollTicks) }));

  const midi = new Midi();
  midi.header.setTempo(bpm);
  const programs = new Map<number, number>([[0, 0], [1, 33], [2, 73], [9, 0]]);
  const all = [...preRoll, ...shifted];
  // Layer k doubles the chords an octave apart on channel 3 + k (skipping the drum channel).
  for (let k = 0; k < (opts.layers ?? 0); k++) {
    const ch = 3 + k + (3 + k >= 9 ? 1 : 0);
    programs.set(ch, LAYER_PROGRAMS[k % LAYER_PROGRAMS.length] ?? 48);
    for (const n of all) if (n.ch === 0) all.push({ ...n, ch, pitch: n.pitch + 12 * ((k % 3) - 1) });
  }
  for (const [ch, program] of programs) {
    const track = midi.addTrack();
    track.channel = ch;
    track.instrument.number = program;
    for (const n of all) {
      if (n.ch === ch) track.addNote({ midi: n.pitch, ticks: n.tick, durationTicks: n.len, velocity: n.vel / 127 });
    }
  }
  return { bytes: midi.toArray(), durationSec: endTick * secPerTick, trimStartSec: preRollTicks * secPerTick };
}

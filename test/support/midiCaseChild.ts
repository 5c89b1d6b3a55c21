/**
 * One bad-input MIDI case in a fresh process, so its time and peak memory are its own:
 * `node --import tsx test/support/midiCaseChild.ts <case index> [tunesmith|tonejs]`.
 * Prints one JSON line: { ms, maxRssMb, outcome }.
 */
import tonejs from '@tonejs/midi';
import { midiToScore } from '../../src/midi/transformSource.ts';
import { BAD_MIDI_CASES } from './badMidi.ts';

const index = Number(process.argv[2]);
const reader = process.argv[3] ?? 'tunesmith';
const bytes = BAD_MIDI_CASES[index]!.bytes();
const start = performance.now();
let outcome: string;
try {
  if (reader === 'tonejs') {
    const midi = new tonejs.Midi(bytes);
    outcome = `read ${midi.tracks.length} tracks`;
  } else {
    midiToScore(bytes);
    outcome = 'read';
  }
} catch (error) {
  outcome = `refused: ${(error as Error).message}`;
}
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, outcome }));

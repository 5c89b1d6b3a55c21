/**
 * MIDI files a stranger could post that hang or blow up an unbounded reader (issue 14): each
 * built from bytes here, so the tests and `scripts/bench-midi-input.ts` measure the same cases.
 */
import { randomBytes } from 'node:crypto';

const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16 = (n: number) => [(n >>> 8) & 0xff, n & 0xff];

function varInt(value: number): number[] {
  const groups = [value & 0x7f];
  for (let rest = value >>> 7; rest; rest >>>= 7) groups.unshift((rest & 0x7f) | 0x80);
  return groups;
}

function header(format: number, tracks: number, division: number): number[] {
  return [...Buffer.from('MThd'), ...u32(6), ...u16(format), ...u16(tracks), ...u16(division)];
}

function track(body: number[] | Uint8Array): number[] {
  if (body instanceof Uint8Array) throw new Error('use bigTrack');
  const withEnd = [...body, 0, 0xff, 0x2f, 0];
  return [...Buffer.from('MTrk'), ...u32(withEnd.length), ...withEnd];
}

/** A track chunk around a large body, without spreading it into an array. */
function bigTrack(body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from('MTrk'), Buffer.from(u32(body.length + 4)), body, Buffer.from([0, 0xff, 0x2f, 0])]);
}

const text = (s: string) => [0, 0xff, 0x01, ...varInt(s.length), ...Buffer.from(s, 'latin1')];
const tempo = (micros: number) => [0, 0xff, 0x51, 3, (micros >> 16) & 0xff, (micros >> 8) & 0xff, micros & 0xff];
const REQUEST = 'tunesmith {"generator":"x","seed":1,"request":{"style":"lofi","mood":"calm","durationSec":30,"tempo":null,"key":null,"meter":null,"instruments":[],"energy":null,"seed":1,"loop":false,"prompt":""}}';

function notes(count: number): number[] {
  return [...manyNotes(count)];
}

/** `count` notes in running status: on (delta, pitch, velocity), off as a note-on of velocity 0. */
function manyNotes(count: number): Uint8Array {
  const body = new Uint8Array(4 + (count - 1) * 6 + 3);
  body.set([0, 0x90, 60, 100]);
  for (let i = 1, at = 4; i < count; i++, at += 6) body.set([10, 60, 0, 0, 60, 100], at);
  body.set([10, 60, 0], body.length - 3);
  return body;
}

export interface BadMidiCase {
  name: string;
  bytes: () => Uint8Array;
}

export const BAD_MIDI_CASES: readonly BadMidiCase[] = [
  { name: 'division 0', bytes: () => Uint8Array.from([...header(1, 1, 0), ...track([...text(REQUEST), ...tempo(500_000), ...notes(10)])]) },
  { name: 'SMPTE division (25 fps)', bytes: () => Uint8Array.from([...header(1, 1, 0xe728), ...track([...text(REQUEST), ...tempo(500_000), ...notes(10)])]) },
  { name: 'tempo 1 µs per quarter', bytes: () => Uint8Array.from([...header(1, 2, 480), ...track([...text(REQUEST), ...tempo(1)]), ...track(notes(100))]) },
  {
    name: '20,000 tracks',
    bytes: () => {
      const one = Buffer.from(track([0, 0x90, 60, 100, 10, 0x80, 60, 0]));
      return Buffer.concat([Buffer.from(header(1, 20_000, 480)), ...Array.from({ length: 20_000 }, () => one)]);
    },
  },
  {
    name: '300,000 notes',
    bytes: () => Buffer.concat([Buffer.from([...header(1, 2, 480), ...track([...text(REQUEST), ...tempo(500_000)])]), bigTrack(manyNotes(300_000))]),
  },
  { name: 'garbage (1 MiB random)', bytes: () => Uint8Array.from(randomBytes(1024 * 1024)) },
  { name: 'garbage after a valid header', bytes: () => Uint8Array.from([...header(1, 3, 480), ...Buffer.from('MTrk'), ...u32(60_000), ...randomBytes(60_000)]) },
  { name: 'oversized (64 MiB)', bytes: () => new Uint8Array(64 * 1024 * 1024).fill(0x4d) },
];

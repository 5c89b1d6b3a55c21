import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import tonejs from '@tonejs/midi';
import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { readMidi, MidiReadError } from '../../src/midi/readMidi.ts';
import { midiToScore, SourceMidiError } from '../../src/midi/transformSource.ts';
import { BAD_MIDI_CASES } from '../support/badMidi.ts';
import { makeRequest } from '../support/requests.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../support/midiCaseChild.ts', import.meta.url));

describe('readMidi: the bounded reader', () => {
  it('reads our own files exactly as @tonejs/midi does (notes, controllers, programs, names, meta)', async () => {
    const { score } = await compose(makeRequest({ style: 'jazz', mood: 'calm', durationSec: 20, seed: 5 }));
    for (const bytes of [scoreToMidi(score).bytes, scoreToMidi({ ...score, meta: { ...score.meta, loop: true } }, { loopPreRoll: true }).bytes]) {
      const ours = readMidi(bytes);
      const theirs = new tonejs.Midi(bytes);
      expect(ours.ppq).toBe(theirs.header.ppq);
      expect(ours.name).toBe(theirs.header.name);
      expect(ours.tempos).toEqual(theirs.header.tempos.map((t) => ({ ticks: t.ticks, bpm: t.bpm })));
      expect(ours.timeSignatures).toEqual(theirs.header.timeSignatures.map((t) => ({ ticks: t.ticks, timeSignature: t.timeSignature })));
      expect(ours.meta).toEqual(theirs.header.meta.map((m) => ({ type: m.type, ticks: m.ticks, text: m.text })));
      expect(ours.tracks.length).toBe(theirs.tracks.length);
      ours.tracks.forEach((t, i) => {
        const o = theirs.tracks[i]!;
        expect([t.name, t.channel, t.program]).toEqual([o.name, o.channel, o.instrument.number]);
        expect(t.notes).toEqual(o.notes.map((n) => ({ midi: n.midi, ticks: n.ticks, durationTicks: n.durationTicks, velocity: n.velocity })));
        for (const [number, list] of Object.entries(o.controlChanges)) expect(t.controlChanges[Number(number)]).toEqual(list.map((c) => ({ number: c.number, ticks: c.ticks, value: c.value })));
      });
    }
  });

  it('costs time linear in the notes (midiToScore on 10,000 and 80,000 notes)', async () => {
    const { score } = await compose(makeRequest({ style: 'lofi', mood: 'calm', durationSec: 30, seed: 2 }));
    const timeFor = (notes: number) => {
      const lead = score.tracks[0]!;
      const many = Array.from({ length: notes }, (_, i) => ({ ...lead.notes[i % lead.notes.length]!, tick: i * 10 }));
      const bytes = scoreToMidi({ ...score, tracks: [{ ...lead, notes: many }] }).bytes;
      const start = performance.now();
      const back = midiToScore(bytes);
      const ms = performance.now() - start;
      expect(back.tracks[0]!.notes.length).toBe(notes);
      return ms;
    };
    timeFor(2000); // warm up
    const small = Math.min(timeFor(10_000), timeFor(10_000));
    const large = Math.min(timeFor(80_000), timeFor(80_000));
    console.log(`midiToScore: 10,000 notes ${small.toFixed(0)} ms, 80,000 notes ${large.toFixed(0)} ms (×${(large / small).toFixed(1)} for ×8 the notes)`);
    expect(large / small).toBeLessThan(8 * 2.5);
  });

  it('says what is wrong in one sentence', () => {
    expect(() => readMidi(Buffer.from('not midi'))).toThrow(MidiReadError);
    expect(() => midiToScore(Buffer.from('not midi'))).toThrow(SourceMidiError);
    expect(() => midiToScore(Buffer.from('not midi'))).toThrow(/could not be read: this is not a MIDI file/);
  });

  // Each case in a fresh process: its time and its peak memory (max RSS, Node included) are its own.
  it('refuses every bad-input case within 2 s and 300 MB', { timeout: 120_000 }, async () => {
    const rows: { name: string; ms: number; maxRssMb: number; outcome: string }[] = [];
    for (const [i, c] of BAD_MIDI_CASES.entries()) {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, String(i)], { timeout: 30_000 });
      rows.push({ name: c.name, ...JSON.parse(stdout.trim().split('\n').at(-1)!) });
    }
    console.log(['MIDI bad input: case | parse ms | peak RSS MB | outcome', ...rows.map((r) => `${r.name} | ${r.ms.toFixed(1)} | ${r.maxRssMb.toFixed(0)} | ${r.outcome}`)].join('\n'));
    for (const r of rows) {
      expect(r.outcome, r.name).toMatch(/^refused: The MIDI file could not be read: /);
      expect(r.ms, r.name).toBeLessThan(2000);
      expect(r.maxRssMb, r.name).toBeLessThan(300);
    }
  });
});

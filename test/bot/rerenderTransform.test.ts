import { Note } from 'tonal';
import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import type { CompositionRequest } from '../../src/core/request.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { describeRerender, INSTRUMENT_PRESETS, rerenderRequest, rerenderScore, semitonesBetween, transposeKey } from '../../src/midi/transform.ts';
import { midiToScore, readTunesmithText, SourceMidiError } from '../../src/midi/transformSource.ts';
import { TransformSchema } from '../../src/queue/jobs.ts';
import { makeRequest } from '../support/requests.ts';

const T = (t: Partial<{ tempoScale: number; transpose: number; instruments: string }>) => TransformSchema.parse(t);

describe('a posted MIDI file read back into a score', () => {
  const cases: [string, Partial<CompositionRequest>][] = [
    ['free tempo (nudged to 0.01 bpm), key left open', { style: 'lofi', mood: 'calm', durationSec: 13, seed: 5 }],
    ['fixed tempo and key', { style: 'synthwave', mood: 'energetic', durationSec: 9, tempo: 118, key: { tonic: 'F#', mode: 'minor' }, seed: 6 }],
    ['a loop (tempo fitted to the bars)', { style: 'chiptune', mood: 'happy', durationSec: 7, loop: true, seed: 8 }],
    ['6/8 and a modal key chosen by the planner', { style: 'folk', mood: 'calm', durationSec: 10, meter: '6/8', seed: 9 }],
  ];
  it.each(cases)('%s: same notes, tempo, meter, key, sections and length', async (_name, overrides) => {
    const { score } = await compose(makeRequest(overrides));
    const back = midiToScore(scoreToMidi(score).bytes);
    expect(back.bpm).toBe(score.bpm);
    expect(back.meter).toEqual(score.meter);
    expect(back.key).toEqual(score.key);
    expect(back.durationSec).toBe(score.durationSec);
    expect(back.endTick).toBe(score.endTick);
    expect(back.sections).toEqual(score.sections);
    expect(back.tracks).toEqual(score.tracks);
    expect(back.meta).toEqual(score.meta);
    expect(back.chords).toEqual([]); // chord names are not in the file
  });

  it('refuses a file that is not one of ours, in words', async () => {
    const { score } = await compose(makeRequest({ durationSec: 4 }));
    const foreign = Buffer.from(scoreToMidi({ ...score, meta: { ...score.meta, requestJson: '{"not":"a request"}' } }).bytes);
    expect(readTunesmithText(foreign)).toBeNull();
    expect(() => midiToScore(foreign)).toThrow(SourceMidiError);
    expect(() => midiToScore(Buffer.from('not midi'))).toThrow(/could not be read/);
    expect(readTunesmithText(scoreToMidi(score).bytes)).toMatchObject({ seed: score.meta.seed, request: { durationSec: 4 } });
  });
});

describe('re-render transforms', () => {
  it('scales the tempo and the length with it, keeping every note where it is in the bar', async () => {
    const { score } = await compose(makeRequest({ durationSec: 8, tempo: 100, seed: 1 }));
    const slower = rerenderScore(score, T({ tempoScale: 0.8 }));
    expect(slower.bpm).toBe(80);
    expect(slower.durationSec).toBeCloseTo(10, 9);
    expect(slower.tracks).toEqual(score.tracks);
    expect(slower.endTick).toBe(score.endTick);
    expect(JSON.parse(slower.meta.requestJson)).toMatchObject({ tempo: 80, durationSec: 10 });
    // The MIDI file of the result says 80 bpm, and reads back as the same score.
    const back = midiToScore(scoreToMidi(slower).bytes);
    expect(back.bpm).toBe(80);
    expect(back.tracks).toEqual(slower.tracks);
  });

  it('keeps a loop seamless: the tempo is not rounded, the bars still fill the new length', async () => {
    const { score } = await compose(makeRequest({ style: 'chiptune', durationSec: 6, loop: true, seed: 2 }));
    const faster = rerenderScore(score, T({ tempoScale: 1.25 }));
    expect(faster.durationSec).toBeCloseTo(4.8, 9);
    const back = midiToScore(scoreToMidi(faster).bytes);
    expect(back.bpm).toBeCloseTo(faster.bpm, 9);
    expect(back.endTick).toBe(score.endTick);
  });

  it('transposes pitched tracks the short way round and leaves the drums alone', async () => {
    const { score } = await compose(makeRequest({ style: 'synthwave', mood: 'energetic', durationSec: 6, key: { tonic: 'A', mode: 'minor' }, seed: 3 }));
    const shift = semitonesBetween(score.key, { tonic: 'D', mode: 'minor' });
    expect(shift).toBe(5);
    expect(semitonesBetween(score.key, { tonic: 'F', mode: 'minor' })).toBe(-4);
    const moved = rerenderScore(score, T({ transpose: shift }));
    expect(moved.key).toEqual({ tonic: 'D', mode: 'minor' });
    expect(moved.meta.title).toMatch(/ in D minor$/);
    for (const [i, track] of moved.tracks.entries()) {
      const before = score.tracks[i]!;
      const delta = track.role === 'drums' ? 0 : 5;
      expect(track.notes.map((n) => n.pitch)).toEqual(before.notes.map((n) => n.pitch + delta));
      expect(track.notes.map((n) => n.tick)).toEqual(before.notes.map((n) => n.tick));
    }
    const rootPc = (symbol: string) => Note.chroma(/^[A-G][#b]*/.exec(symbol)![0]);
    expect(moved.chords.length).toBeGreaterThan(0);
    expect(moved.chords.map((c) => rootPc(c.symbol))).toEqual(score.chords.map((c) => (rootPc(c.symbol) + 5) % 12));
    expect(moved.chords.map((c) => c.numeral)).toEqual(score.chords.map((c) => c.numeral));
    expect(JSON.parse(moved.meta.requestJson).key).toEqual({ tonic: 'D', mode: 'minor' });
    expect(transposeKey({ tonic: 'E', mode: 'major' }, -1)).toEqual({ tonic: 'Eb', mode: 'major' });
    expect(transposeKey({ tonic: 'A', mode: 'minor' }, -2)).toEqual({ tonic: 'G', mode: 'minor' });
  });

  it('gives each role the preset program, drums excepted', async () => {
    const { score } = await compose(makeRequest({ style: 'lofi', durationSec: 5, seed: 4 }));
    const orchestra = INSTRUMENT_PRESETS.find((p) => p.id === 'orchestra')!;
    const out = rerenderScore(score, T({ instruments: 'orchestra' }));
    for (const track of out.tracks) {
      if (track.role === 'drums') expect(track.program).toBe(score.tracks.find((t) => t.role === 'drums')!.program);
      else expect(track.program).toBe(orchestra.programs[track.role]);
    }
    expect(() => rerenderScore(score, T({ instruments: 'kazoo' }))).toThrow(RangeError);
  });

  it('refuses results outside the request limits and describes what it did', () => {
    const request = makeRequest({ durationSec: 250 });
    const shape = { bpm: 100, durationSec: 250, key: { tonic: 'C', mode: 'major' } };
    expect(() => rerenderRequest(request, shape, T({ tempoScale: 0.75 }))).toThrow(/length/);
    expect(() => rerenderRequest(request, { ...shape, bpm: 220 }, T({ tempoScale: 1.25 }))).toThrow(/tempo/);
    const text = describeRerender({ title: 'Calm lofi in C major', ...shape, durationSec: 6 }, T({ tempoScale: 0.8, transpose: 2, instruments: 'piano' }), 'timgm6mb');
    expect(text).toMatch(/tempo 80% \(80 bpm\), so it now lasts 0:07\.5 instead of 0:06/);
    expect(text).toMatch(/key D major \(\+2 semitones, drums unchanged\)/);
    expect(text).toMatch(/instruments: Piano/);
    expect(text).toMatch(/SoundFont timgm6mb/);
  });
});

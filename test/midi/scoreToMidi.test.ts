import tonejs from '@tonejs/midi';
import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { ticksPerBar } from '../../src/core/score.ts';
import { keySignatureOf, scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { makeRequest } from '../support/requests.ts';

const { Midi } = tonejs;

describe('scoreToMidi', () => {
  it('round-trips through @tonejs/midi with tempo, meter, key, names, programs and drums on channel 10', async () => {
    const request = makeRequest({ style: 'synthwave', mood: 'energetic', durationSec: 24, tempo: 112, key: { tonic: 'F#', mode: 'minor' }, seed: 77 });
    const { score } = await compose(request);
    const { bytes, trimStartSec } = scoreToMidi(score);
    expect(trimStartSec).toBe(0);
    const midi = new Midi(bytes);

    expect(midi.header.ppq).toBe(score.ppq);
    expect(midi.header.tempos[0]!.bpm).toBeCloseTo(112, 3);
    expect(midi.header.timeSignatures[0]!.timeSignature).toEqual([4, 4]);
    expect(midi.header.keySignatures[0]).toMatchObject({ key: 'A', scale: 'minor' }); // F# minor shares A major's three sharps
    expect(midi.header.name).toBe(score.meta.title);

    const text = midi.header.meta.find((m) => m.type === 'text')!;
    const payload = JSON.parse(text.text.replace(/^tunesmith /, ''));
    expect(payload).toMatchObject({ seed: 77, generator: score.meta.generator, request: { style: 'synthwave', tempo: 112 } });
    expect(midi.header.meta.filter((m) => m.type === 'marker').map((m) => m.text)).toEqual(score.sections.map((s) => s.name));

    expect(midi.tracks.map((t) => t.name)).toEqual(score.tracks.map((t) => t.name));
    score.tracks.forEach((source, i) => {
      const track = midi.tracks[i]!;
      expect(track.channel).toBe(source.channel);
      if (source.role === 'drums') expect(track.channel).toBe(9);
      else expect(track.instrument.number).toBe(source.program);
      expect(track.notes.map((n) => [n.midi, n.ticks, n.durationTicks, Math.round(n.velocity * 127)])).toEqual(
        source.notes.map((n) => [n.pitch, n.tick, n.durationTicks, n.velocity]),
      );
    });
    // The last event sits at the requested length, so players render the release tail.
    expect(midi.duration).toBeLessThan(24);
    const volumeEvents = midi.tracks[0]!.controlChanges[7]!;
    expect(volumeEvents[volumeEvents.length - 1]!.time).toBeCloseTo(24, 3);
  });

  it('writes key signatures for modes from their parent major scale', async () => {
    const { score } = await compose(makeRequest({ key: { tonic: 'D', mode: 'dorian' } }));
    expect(keySignatureOf(score)).toEqual({ sharpsFlats: 0, minor: false });
    const { score: eb } = await compose(makeRequest({ key: { tonic: 'Eb', mode: 'major' } }));
    expect(keySignatureOf(eb)).toEqual({ sharpsFlats: -3, minor: false });
    expect(new Midi(scoreToMidi(eb).bytes).header.keySignatures[0]).toMatchObject({ key: 'Eb', scale: 'major' });
  });

  it('is byte-identical for the same request and seed, and differs for another seed', async () => {
    const a = scoreToMidi((await compose(makeRequest({ seed: 10 }))).score).bytes;
    const b = scoreToMidi((await compose(makeRequest({ seed: 10 }))).score).bytes;
    const c = scoreToMidi((await compose(makeRequest({ seed: 11 }))).score).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('prepends the loop’s last two bars as pre-roll for seamless rendering', async () => {
    const { score } = await compose(makeRequest({ style: 'edm', durationSec: 16, loop: true }));
    const plain = new Midi(scoreToMidi(score).bytes);
    const { bytes, trimStartSec } = scoreToMidi(score, { loopPreRoll: true });
    const rolled = new Midi(bytes);
    const preRoll = 2 * ticksPerBar(score.meter);
    expect(trimStartSec).toBeCloseTo((preRoll / score.ppq) * (60 / score.bpm), 9);
    rolled.tracks.forEach((track, i) => {
      const body = track.notes.filter((n) => n.ticks >= preRoll).map((n) => [n.midi, n.ticks - preRoll]);
      expect(body).toEqual(plain.tracks[i]!.notes.map((n) => [n.midi, n.ticks]));
      const head = track.notes.filter((n) => n.ticks < preRoll).map((n) => [n.midi, n.ticks]);
      const tail = plain.tracks[i]!.notes.filter((n) => n.ticks >= score.endTick - preRoll).map((n) => [n.midi, n.ticks - (score.endTick - preRoll)]);
      expect(head).toEqual(tail);
    });
  });
});

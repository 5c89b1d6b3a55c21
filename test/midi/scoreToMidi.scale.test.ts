import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { makeRequest } from '../support/requests.ts';

describe('scoreToMidi with many tracks', () => {
  it('costs time linear in the tracks (2,000 and 16,000 tracks)', async () => {
    const { score } = await compose(makeRequest({ style: 'lofi', mood: 'calm', durationSec: 20, seed: 3 }));
    const lead = score.tracks[0]!;
    const timeFor = (n: number) => {
      const many = { ...score, tracks: Array.from({ length: n }, (_, i) => ({ ...lead, channel: i % 16, notes: lead.notes.slice(0, 4) })) };
      const start = performance.now();
      const { bytes } = scoreToMidi(many);
      const ms = performance.now() - start;
      expect((bytes[10]! << 8) | bytes[11]!).toBe(n + 1);
      return ms;
    };
    timeFor(500);
    const small = Math.min(timeFor(2000), timeFor(2000));
    const large = Math.min(timeFor(16_000), timeFor(16_000));
    console.log(`scoreToMidi: 2,000 tracks ${small.toFixed(0)} ms, 16,000 tracks ${large.toFixed(0)} ms (×${(large / small).toFixed(1)} for ×8 the tracks)`);
    expect(large / small).toBeLessThan(8 * 2.5);
  });

  it('refuses more tracks than a MIDI file can hold', async () => {
    const { score } = await compose(makeRequest({ style: 'lofi', mood: 'calm', durationSec: 5, seed: 3 }));
    const tracks = Array.from({ length: 65_535 }, () => ({ ...score.tracks[0]!, notes: [] }));
    expect(() => scoreToMidi({ ...score, tracks })).toThrow(/at most 65,534 tracks/);
  });
});

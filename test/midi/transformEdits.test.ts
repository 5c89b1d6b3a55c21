/**
 * The re-render changes an edit uses — a role on another instrument, roles left out, a layer
 * doubling a role — on a real composed score, read back from its MIDI as a worker does; and the
 * request's drums switch in the composer.
 */
import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { describeRerender, rerenderScore } from '../../src/midi/transform.ts';
import { midiToScore } from '../../src/midi/transformSource.ts';
import { TransformSchema } from '../../src/queue/jobs.ts';
import { makeRequest } from '../support/requests.ts';

describe('edit transforms on a composed piece', async () => {
  const { score } = await compose(makeRequest({ style: 'lofi', mood: 'calm', durationSec: 8, seed: 11 }));
  const source = midiToScore(scoreToMidi(score).bytes);
  const lead = source.tracks.find((t) => t.role === 'lead')!;

  it('drops roles, swaps a program and adds a layer, leaving every other note as it was', () => {
    expect(source.tracks.some((t) => t.role === 'drums')).toBe(true);
    const transform = TransformSchema.parse({ drop: ['drums'], programs: { bass: 32 }, layers: [{ role: 'lead', program: 73 }] });
    const out = rerenderScore(source, transform);
    expect(out.tracks.some((t) => t.role === 'drums')).toBe(false);
    expect(out.tracks.find((t) => t.role === 'bass')!.program).toBe(32);
    const layer = out.tracks.find((t) => t.name === 'Lead layer')!;
    expect(layer.program).toBe(73);
    expect(layer.notes).toEqual(lead.notes);
    expect(layer.channel).not.toBe(9);
    expect(new Set(out.tracks.map((t) => t.channel)).size).toBe(out.tracks.length);
    for (const t of out.tracks.filter((x) => x !== layer)) expect(t.notes).toEqual(source.tracks.find((s) => s.name === t.name)!.notes);
    expect(describeRerender({ title: 't', bpm: source.bpm, durationSec: source.durationSec, key: source.key }, transform)).toMatch(/bass on acoustic bass; flute added, doubling the lead; without drums/);
  });

  it('a layer keeps its role when the MIDI is read back (so a later extend continues it)', () => {
    const out = rerenderScore(source, TransformSchema.parse({ layers: [{ role: 'lead', program: 48 }] }));
    const back = midiToScore(scoreToMidi(out).bytes);
    expect(back.tracks.filter((t) => t.role === 'lead').map((t) => t.program).sort((a, b) => a - b)).toEqual([lead.program, 48].sort((a, b) => a - b));
  });

  it('refuses to leave nothing playing', () => {
    const pitched = [...new Set(source.tracks.map((t) => t.role))];
    expect(() => rerenderScore(source, TransformSchema.parse({ drop: pitched }))).toThrow(/no instrument playing/);
  });

  it('drums on or off in the request overrides the style, and only the drum part changes', async () => {
    const off = await compose(makeRequest({ style: 'lofi', mood: 'calm', durationSec: 8, seed: 11, drums: false }));
    expect(off.score.tracks.some((t) => t.role === 'drums')).toBe(false);
    const others = (s: typeof score) => s.tracks.filter((t) => t.role !== 'drums').map((t) => t.notes);
    expect(others(off.score)).toEqual(others(score));
    const on = await compose(makeRequest({ style: 'folk', mood: 'calm', durationSec: 8, seed: 3, drums: true }));
    expect(on.score.tracks.some((t) => t.role === 'drums' && t.notes.length > 0)).toBe(true);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { stripMidiEnvelope } from '../../src/provenance/containers.ts';
import { Midi } from '@tonejs/midi';
import { RuleBasedMelody } from '../../src/core/generator.ts';
import { accompChoiceFromEnv, defaultMelodyGenerator, melodyChoiceFromEnv, resetDefaultMelodyGenerator } from '../../src/neural/defaultGenerator.ts';
import { createPiece } from '../../src/pipeline.ts';
import { makeRequest } from '../support/requests.ts';

const logs = () => {
  const lines: { level: 'info' | 'warn'; msg: string }[] = [];
  return { lines, log: { info: (msg: string) => lines.push({ level: 'info', msg }), warn: (msg: string) => lines.push({ level: 'warn', msg }) } };
};

/** The MIDI file's text/marker events, where the generator is recorded. */
function midiText(midi: Uint8Array): string {
  return new Midi(midi).header.meta.map((m) => m.text).join('\n');
}

describe('defaultMelodyGenerator', () => {
  beforeEach(() => resetDefaultMelodyGenerator());

  it('composes 4/4 pieces with the trained model and says so in the MIDI; 3/4 with the rules', async () => {
    const { lines, log } = logs();
    const generator = await defaultMelodyGenerator({ log, choice: 'neural' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('info');
    expect(lines[0]!.msg).toMatch(/^melody: melody-lstm@1 /);
    expect(lines[0]!.msg).toContain('chords and bass: accomp-lstm@1 for hiphop, classical-piano');

    const fourFour = await createPiece(makeRequest({ style: 'hiphop', meter: '4/4' }), { generator, skipAudio: true });
    expect(fourFour.score.meta.generator).toBe('tunesmith-composer@1+melody-lstm@1+groove-midi-drums@2+accomp-lstm@1');
    expect(midiText(fourFour.midi)).toContain('melody-lstm@1');
    expect(midiText(fourFour.midi)).toContain('accomp-lstm@1');

    // Styles outside the accompaniment model's list keep the rule-based chords and bass.
    const funk = await createPiece(makeRequest({ style: 'funk', meter: '4/4' }), { generator, skipAudio: true });
    expect(funk.score.meta.generator).toBe('tunesmith-composer@1+melody-lstm@1+groove-midi-drums@2');
    const lofi = await createPiece(makeRequest({ style: 'lofi', meter: '4/4' }), { generator, skipAudio: true });
    expect(lofi.score.meta.generator).toBe('tunesmith-composer@1+melody-lstm@1+groove-midi-drums@2');

    const waltz = await createPiece(makeRequest({ style: 'waltz', meter: '3/4' }), { generator, skipAudio: true });
    expect(waltz.score.meta.generator).toBe(`tunesmith-composer@1+${RuleBasedMelody.name}`);
  });

  it('plays Groove MIDI drums (human microtiming) in 4/4 and the rule drums in 3/4', async () => {
    const generator = await defaultMelodyGenerator({ choice: 'neural', log: logs().log });
    const drumsOf = async (req: Parameters<typeof makeRequest>[0], gen = generator) =>
      (await createPiece(makeRequest(req), { generator: gen, skipAudio: true })).score.tracks.find((t) => t.role === 'drums')!.notes;
    const funk = await drumsOf({ style: 'funk', meter: '4/4', durationSec: 30 });
    expect(funk.length).toBeGreaterThan(50);
    expect(funk.filter((n) => n.tick % 120 !== 0).length).toBeGreaterThan(funk.length / 4); // off the grid: played, not programmed
    expect(funk).not.toEqual(await drumsOf({ style: 'funk', meter: '4/4', durationSec: 30 }, RuleBasedMelody));
    const jazz3 = await drumsOf({ style: 'jazz', meter: '3/4', durationSec: 30 });
    expect(jazz3).toEqual(await drumsOf({ style: 'jazz', meter: '3/4', durationSec: 30 }, RuleBasedMelody));
  });

  it('is what createPiece uses when no generator is given, and stays deterministic', async () => {
    await defaultMelodyGenerator({ choice: 'neural', log: logs().log });
    const a = await createPiece(makeRequest({ seed: 77 }), { skipAudio: true });
    const b = await createPiece(makeRequest({ seed: 77 }), { skipAudio: true });
    expect(a.score.meta.generator).toContain('melody-lstm@1');
    // The notes are byte-identical; each delivered file also carries its own signed manifest (with its creation time).
    expect(stripMidiEnvelope(a.midi)!.equals(stripMidiEnvelope(b.midi)!)).toBe(true);
    const other = await createPiece(makeRequest({ seed: 78 }), { skipAudio: true });
    expect(stripMidiEnvelope(other.midi)!.equals(stripMidiEnvelope(a.midi)!)).toBe(false);
  });

  it('falls back to the rules, with a warning, when the model cannot load', async () => {
    const { lines, log } = logs();
    const generator = await defaultMelodyGenerator({ log, choice: 'neural', modelDir: '/nonexistent/model' });
    expect(generator).toBe(RuleBasedMelody);
    expect(lines).toEqual([{ level: 'warn', msg: expect.stringContaining('could not load the model in /nonexistent/model') }]);
  });

  it('loads once per process', async () => {
    const first = defaultMelodyGenerator({ choice: 'neural', log: logs().log });
    const second = defaultMelodyGenerator({ choice: 'rules' });
    expect(second).toBe(first);
    expect((await first).name).toBe('melody-lstm@1+groove-midi-drums@2');
  });

  it('reads TUNESMITH_MELODY: neural by default, rules on request, a clear error otherwise', () => {
    expect(melodyChoiceFromEnv({})).toBe('neural');
    expect(melodyChoiceFromEnv({ TUNESMITH_MELODY: ' Rules ' })).toBe('rules');
    expect(() => melodyChoiceFromEnv({ TUNESMITH_MELODY: 'lstm' })).toThrow(/TUNESMITH_MELODY must be "neural" or "rules", not "lstm"/);
    expect(accompChoiceFromEnv({})).toBe('neural');
    expect(accompChoiceFromEnv({ TUNESMITH_ACCOMP: 'rules' })).toBe('rules');
    expect(() => accompChoiceFromEnv({ TUNESMITH_ACCOMP: 'off' })).toThrow(/TUNESMITH_ACCOMP must be "neural" or "rules", not "off"/);
  });
});

/**
 * The cheapest exact job for an edit, and the line that says what changed and was kept: a pure
 * function of the piece (request, summary, tracks) and the parsed change.
 */
import { describe, expect, it } from 'vitest';
import { editNote, planEdit, type EditPlan, type EditSource } from '../../../src/bot/chat/editPlan.ts';
import { buildRequest } from '../../../src/core/buildRequest.ts';
import { parseEdit } from '../../../src/core/edit.ts';

const request = buildRequest({ style: 'lofi', mood: 'calm', duration: 30, tempo: 82, key: 'A minor', seed: 42 }).request;
const source: EditSource = {
  request,
  summary: { title: 'Calm lofi in A minor', bpm: 82, durationSec: 30, key: 'A minor', loop: false, seed: 42 },
  render: { format: 'ogg' },
  tracks: [
    { role: 'lead', program: 0 },
    { role: 'harmony', program: 4 },
    { role: 'bass', program: 33 },
    { role: 'drums', program: 0 },
  ],
};
const plan = (text: string, opts: { max?: number; src?: EditSource } = {}): EditPlan =>
  planEdit(opts.src ?? source, parseEdit(text).change, { maxDurationSec: opts.max ?? 300, randomSeed: () => 777 });
const ok = <K extends EditPlan['kind']>(p: EditPlan, kind: K) => {
  if (p.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(p)}`);
  return p as Extract<EditPlan, { kind: K }>;
};

describe('planEdit', () => {
  it('"slower": a re-render at ×0.85, saying the tempo changed and the key and melody were kept', () => {
    const p = ok(plan('slower'), 'rerender');
    expect(p.transform.tempoScale).toBeCloseTo(69.7 / 82, 6);
    expect(p.request.tempo).toBe(69.7);
    expect(p.request.durationSec).toBeCloseTo((30 * 82) / 69.7, 6);
    expect(editNote(p)).toBe('tempo 82 → 69.7 bpm (length 0:30 → 0:35.3); key and melody kept');
  });

  it('a key in the same mode transposes; a change of mode composes again with the same seed', () => {
    const up = ok(plan('in B minor'), 'rerender');
    expect(up.transform.transpose).toBe(2);
    expect(editNote(up)).toMatch(/^key A minor → B minor; tempo and melody kept$/);
    const major = ok(plan('make it major'), 'compose');
    expect(major.request.key).toEqual({ tonic: 'A', mode: 'major' });
    expect(major.request.seed).toBe(42);
    expect(major.kept).toContain('seed 42');
  });

  it('"longer" extends to twice the length, capped at the server limit (and says so)', () => {
    expect(ok(plan('longer'), 'extend').request.durationSec).toBe(60);
    const capped = ok(plan('much longer', { max: 45 }), 'extend');
    expect(capped.request.durationSec).toBe(45);
    expect(editNote(capped)).toMatch(/1:30 is over the 45 s allowed here, so 0:45/);
    expect(plan('longer', { max: 30 })).toMatchObject({ kind: 'refuse' });
  });

  it('"shorter" composes again with the same seed at the shorter length', () => {
    const p = ok(plan('shorter'), 'compose');
    expect(p.request).toMatchObject({ durationSec: 15, seed: 42, tempo: 82 });
  });

  it('instruments and drums are re-rendered: removed, swapped, or added as a layer', () => {
    expect(ok(plan('no drums'), 'rerender').transform.drop).toEqual(['drums']);
    expect(ok(plan('add strings'), 'rerender').transform.layers).toEqual([{ role: 'harmony', program: 48 }]);
    expect(ok(plan('add a flute'), 'rerender').transform.layers).toEqual([{ role: 'lead', program: 73 }]);
    expect(ok(plan('replace the piano with guitar'), 'rerender').transform.programs).toEqual({ lead: 25 });
    expect(ok(plan('no bass'), 'rerender').transform.drop).toEqual(['bass']);
    expect(plan('no flute')).toEqual({ kind: 'refuse', message: 'Nothing to change: there is no flute in it to remove.' });
  });

  it('format and SoundFont alone re-render the same notes', () => {
    const p = ok(plan('as mp3 with the musescore soundfont'), 'rerender');
    expect(p.render).toEqual({ format: 'mp3', soundfont: 'musescore' });
    expect(p.transform).toMatchObject({ tempoScale: 1, transpose: 0 });
    expect(editNote(p)).toBe('format ogg → mp3; SoundFont fluidr3 → musescore; tempo, key and melody kept');
  });

  it('"another" is the same request with a new seed; "like this but sadder" keeps the seed', () => {
    const another = ok(plan('another one'), 'compose');
    expect(another.request).toEqual({ ...request, seed: 777 });
    const sadder = ok(plan('like this but sadder'), 'compose');
    expect(sadder.request).toEqual({ ...request, mood: 'sad' });
  });

  it('drums on composes again with drums, except in styles written without a kit', () => {
    const noDrums = { ...source, tracks: source.tracks.filter((t) => t.role !== 'drums') };
    expect(ok(plan('add drums', { src: noDrums }), 'compose').request.drums).toBe(true);
    const ambient = { ...noDrums, request: { ...request, style: 'ambient' } };
    expect(plan('add drums', { src: ambient })).toMatchObject({ kind: 'refuse', message: expect.stringMatching(/without a drum kit/) });
  });

  it('refuses what cannot be made, in one line', () => {
    expect(plan('300 bpm')).toMatchObject({ kind: 'refuse', message: expect.stringMatching(/300 bpm; I write 40–240 bpm/) });
    expect(plan('no piano, no rhodes, no bass')).toMatchObject({ kind: 'refuse', message: expect.stringMatching(/no instrument playing/) });
  });
});

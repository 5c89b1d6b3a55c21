import tonejs from '@tonejs/midi';
import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { ticksPerBar } from '../../src/core/score.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { renderAudio } from '../../src/render/render.ts';
import { crossfadeSeam, planSplit } from '../../src/render/split.ts';
import { measureLoudness } from '../../src/render/loudness.ts';
import { makeRequest } from '../support/requests.ts';

const pcmOf = (wav: Buffer) => new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);

describe('split rendering', () => {
  it('cuts at a bar line in the middle third that no note starting before the pre-roll sounds across', async () => {
    const { score } = await compose(makeRequest({ style: 'lofi', durationSec: 30, seed: 3 }));
    const { bytes } = scoreToMidi(score);
    const plan = planSplit(bytes, 30, 0.01)!;
    expect(plan).not.toBeNull();
    const secPerTick = 60 / score.bpm / score.ppq;
    const seamTick = Math.round(plan.seamSec / secPerTick);
    expect(seamTick % ticksPerBar(score.meter)).toBe(0);
    expect(plan.seamSec).toBeGreaterThanOrEqual(10);
    expect(plan.seamSec).toBeLessThanOrEqual(20);
    const preRollTicks = Math.round(plan.preRollSec / secPerTick);
    const restruck = score.tracks.flatMap((t) => t.notes).filter((n) => n.tick < seamTick - preRollTicks && n.tick + n.durationTicks > seamTick);
    expect(restruck).toEqual([]);
    const first = new tonejs.Midi(plan.first);
    const second = new tonejs.Midi(plan.second);
    expect(first.tracks.flatMap((t) => t.notes).every((n) => n.ticks < seamTick)).toBe(true);
    // The second half holds every note from the seam on, at the same place relative to the seam.
    const after = (notes: { ticks: number; midi: number }[], offset: number) =>
      notes.filter((n) => n.ticks + offset >= seamTick).map((n) => `${n.midi}@${n.ticks + offset}`).sort();
    expect(after(second.tracks.flatMap((t) => t.notes), seamTick - preRollTicks)).toEqual(after(new tonejs.Midi(bytes).tracks.flatMap((t) => t.notes), 0));
  });

  it('refuses short pieces and pieces with no clean seam', () => {
    const midi = new tonejs.Midi();
    midi.header.setTempo(120);
    const t = midi.addTrack();
    t.addNote({ midi: 60, ticks: 0, durationTicks: 480 * 40, velocity: 0.8 }); // one note over everything
    expect(planSplit(midi.toArray(), 20, 0.01)).toBeNull();
    expect(planSplit(midi.toArray(), 5, 0.01)).toBeNull();
  });

  it('sounds like the single render: same length, loudness and level envelope, no click at the seam', async () => {
    const { score } = await compose(makeRequest({ style: 'jazz', durationSec: 24, seed: 8 }));
    const { bytes } = scoreToMidi(score);
    const base = { midi: bytes, durationSec: 24, format: 'wav' as const, tags: { title: 'split test' } };
    const [single, split] = await Promise.all([renderAudio({ ...base, parallel: false }), renderAudio({ ...base, parallel: true })]);
    expect(single.split).toBeNull();
    expect(split.split).not.toBeNull();
    const a = pcmOf(single.data);
    const b = pcmOf(split.data);
    expect(b.length).toBe(a.length);
    const lufs = (x: Int16Array) => measureLoudness(x, { sampleRate: 48_000, channels: 2 }).integratedLufs;
    expect(Math.abs(lufs(a) - lufs(b))).toBeLessThan(0.3);
    const level = (x: Int16Array, s: number) => {
      let e = 0;
      for (let i = s * 96_000; i < (s + 1) * 96_000; i++) e += x[i]! ** 2;
      return 10 * Math.log10(e / 96_000 + 1);
    };
    for (let s = 0; s < 23; s++) expect(Math.abs(level(a, s) - level(b, s)), `second ${s}`).toBeLessThan(1.5);
    // Click check: the biggest step near the seam is no bigger than big steps elsewhere.
    const steps = (x: Int16Array, from: number, to: number) => {
      let max = 0;
      for (let i = Math.max(2, from * 2); i < to * 2; i++) max = Math.max(max, Math.abs(x[i]! - x[i - 2]!));
      return max;
    };
    const seam = Math.round(split.split!.seamSec * 48_000);
    const nearSeam = steps(b, seam - 960, seam + 960);
    const typical = steps(b, seam - 96_000, seam - 48_000);
    expect(nearSeam).toBeLessThanOrEqual(Math.max(typical * 1.5, 2000));
  });

  it('crossfades into the second half over the frames before the seam, in place', () => {
    const frames = 1000;
    const out = Buffer.alloc(frames * 4);
    for (let f = 0; f < 600; f++) out.writeInt16LE(1000, f * 4); // first half, up to the seam at 600
    for (let f = 600; f < frames; f++) out.writeInt16LE(-1000, f * 4); // second half, from the seam
    const beforeSeam = Buffer.alloc(100 * 4);
    for (let f = 0; f < 100; f++) beforeSeam.writeInt16LE(-1000, f * 4); // second half's frames 500–599
    crossfadeSeam(out, beforeSeam, 600, 100);
    const at = (f: number) => out.readInt16LE(f * 4);
    expect(at(0)).toBe(1000);
    expect(at(499)).toBe(1000);
    expect(at(500)).toBeGreaterThan(950); // the fade starts at the first half's level…
    expect(at(550)).toBeGreaterThan(-100);
    expect(at(550)).toBeLessThan(100); // …is half way at its middle…
    expect(at(599)).toBeLessThan(-950); // …and reaches the second half's level at the seam
    for (let f = 501; f < 600; f++) expect(at(f)).toBeLessThanOrEqual(at(f - 1));
    expect(at(600)).toBe(-1000);
    expect(at(frames - 1)).toBe(-1000);
  });
});

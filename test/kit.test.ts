/**
 * Issue 14's streamer kit: lengths, endings, loops, one key/tempo/meter/palette, and one theme
 * heard in every part (measured as theme returns are: 4-bar lead units from each section's start,
 * the same notes, transposed, or at most 25 % changed; a section shorter than 4 bars is compared
 * with the theme's opening of the same length). Then one kit made end to end and checked file by file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { Note } from 'tonal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIT_LENGTHS, KIT_PARTS, composeKitPart, planKit, type KitPart } from '../src/core/kit.ts';
import { ticksPerBar, ticksPerBeat, type Score } from '../src/core/score.ts';
import { createKit } from '../src/kit.ts';
import { defaultMelodyGenerator } from '../src/neural/defaultGenerator.ts';
import { readLoopPoints } from '../src/provenance/containers.ts';
import { instanceKey, type InstanceKey } from '../src/provenance/keys.ts';
import { verifyFile } from '../src/provenance/verify.ts';
import { recomposeMidi } from '../src/pipeline.ts';
import { decodeS16 } from './render/helpers.ts';
import { joinQuality } from './support/loopJoin.ts';
import { unitsMatch, type Unit } from './support/themeUnits.ts';

/** The lead's notes in [start, start + ticks) as (16th step, pitch). */
function leadUnit(score: Score, start: number, ticks: number): Unit {
  const lead = score.tracks.find((t) => t.role === 'lead');
  return (lead?.notes ?? []).filter((n) => n.tick >= start && n.tick < start + ticks).map((n) => ({ step: Math.round((n.tick - start) / (score.ppq / 4)), pitch: n.pitch }));
}

/**
 * Does some section of `score` state the theme (the first section of `theme`)? Each section's first
 * 4 bars are compared with the theme's first 4; a shorter section with as much of the theme as it
 * has, less its last bar when an ending follows it (that bar is the approach to the cadence), and
 * at least a beat (the stinger's head is under a bar).
 */
function themeHeard(score: Score, theme: Score): { heard: boolean; beats: number } {
  const bar = ticksPerBar(score.meter, score.ppq);
  const beat = ticksPerBeat(score.meter, score.ppq);
  let best = 0;
  score.sections.forEach((s, i) => {
    if (s.name === 'ending' || s.name === 'intro' || s.name === 'outro') return;
    const span = s.endTick - s.startTick;
    const beforeEnding = score.sections[i + 1]?.name === 'ending' && span < 4 * bar && span > bar;
    const ticks = Math.min(4 * bar, beforeEnding ? Math.floor(span / bar) * bar - bar : span);
    if (ticks < beat) return;
    const unit = leadUnit(score, s.startTick, ticks);
    if (unit.length && unitsMatch(unit, leadUnit(theme, theme.sections[0]!.startTick, ticks))) best = Math.max(best, ticks / beat);
  });
  return { heard: best > 0, beats: best };
}

const STYLES = [
  ['lofi', 'calm', 1],
  ['synthwave', 'energetic', 2],
  ['chiptune', 'happy', 3],
  ['jazz', 'calm', 4],
  ['cinematic', 'epic', 5],
  ['ambient', 'calm', 6],
  ['waltz', 'nostalgic', 7],
  ['rock', 'energetic', 8],
] as const;

describe('streamer kit: the parts', () => {
  it.each(STYLES)('%s %s: lengths, endings, loops, one key/tempo/meter/palette, one theme', { timeout: 60_000 }, async (style, mood, seed) => {
    const plan = planKit({ name: 'My Stream', style, mood, seed } as never);
    const generator = await defaultMelodyGenerator();
    const scores = {} as Record<KitPart, Score>;
    for (const part of KIT_PARTS) scores[part] = await composeKitPart(plan, part, generator);
    const theme = scores.brb;
    const lines: string[] = [];
    for (const part of KIT_PARTS) {
      const s = scores[part];
      const { min, max, loop } = KIT_LENGTHS[part];
      expect(s.durationSec, part).toBeGreaterThanOrEqual(min);
      expect(s.durationSec, part).toBeLessThanOrEqual(max);
      expect(s.meta.loop, part).toBe(loop);
      expect(s.bpm, part).toBeCloseTo(plan.bpm, 6);
      expect(`${s.key.tonic} ${s.key.mode}`, part).toBe(`${theme.key.tonic} ${theme.key.mode}`);
      expect(s.meter, part).toEqual(theme.meter);
      // One palette: the lead's instrument everywhere, and no instrument the loops do not use.
      expect(s.tracks.find((t) => t.role === 'lead')?.program, part).toBe(theme.tracks.find((t) => t.role === 'lead')?.program);
      const palette = new Set([...scores.brb.tracks, ...scores.starting.tracks, ...scores.intro.tracks].map((t) => `${t.role}:${t.program}`));
      for (const t of s.tracks) expect(palette.has(`${t.role}:${t.program}`), `${part} ${t.role}:${t.program}`).toBe(true);
      if (loop) {
        // Whole bars at the kit's tempo: the loop is exact.
        expect(s.endTick % ticksPerBar(s.meter, s.ppq), part).toBe(0);
        expect((s.endTick / s.ppq) * (60 / s.bpm), part).toBeCloseTo(s.durationSec, 6);
      } else {
        // Ends on the tonic: the last bass note (or the last chord's lowest note) is the key's tonic.
        const low = s.tracks.filter((t) => t.role !== 'drums' && t.role !== 'perc' && t.role !== 'lead').flatMap((t) => t.notes);
        const lastTick = Math.max(...low.map((n) => n.tick));
        const finalBass = Math.min(...low.filter((n) => n.tick === lastTick).map((n) => n.pitch));
        expect(finalBass % 12, `${part} ends on ${finalBass}`).toBe(Note.chroma(s.key.tonic));
        expect(s.sections.at(-1)!.name, part).toBe('ending');
      }
      const heard = themeHeard(s, theme);
      lines.push(`${part} ${s.durationSec} s: theme ${heard.heard ? `heard (${heard.beats} beats)` : 'NOT heard'}`);
      expect(heard.heard, `${part}: the theme is heard`).toBe(true);
    }
    console.log(`kit ${style} ${mood} (${plan.key}, ${plan.meter}, ${plan.bpm} bpm): ${lines.join('; ')}`);
  });

  it('the same kit request gives the same parts; the stinger opens with the intro', async () => {
    const plan = planKit({ name: 'x', style: 'lofi', mood: 'calm', seed: 9 } as never);
    const a = await composeKitPart(plan, 'stinger');
    const b = await composeKitPart(plan, 'stinger');
    expect(a).toEqual(b);
    const intro = await composeKitPart(plan, 'intro');
    const head = a.sections[0]!.endTick;
    expect(leadUnit(a, 0, head)).toEqual(leadUnit(intro, 0, head));
    expect(leadUnit(a, 0, head).length).toBeGreaterThan(0);
  });

  it('refuses lengths outside each part\'s range, saying the range', () => {
    expect(() => planKit({ name: 'x', style: 'lofi', mood: 'calm', seed: 1, lengths: { intro: 45 } } as never)).toThrow(/20/);
  });
});

describe('streamer kit: made end to end', () => {
  let dir: string;
  let key: InstanceKey;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-kit-'));
    key = await instanceKey(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('one zip: audio and MIDI per part and kit.json; exact lengths, seamless loops, every file signed', { timeout: 300_000 }, async () => {
    const made = await createKit({ name: 'Late Night Stream', style: 'lofi', mood: 'calm', seed: 21 } as never, { format: 'ogg', sign: key });
    const zip = unzipSync(made.zip);
    const info = JSON.parse(Buffer.from(zip['kit.json']!).toString());
    expect(info.parts.map((p: { part: string }) => p.part)).toEqual([...KIT_PARTS]);
    expect(Object.keys(zip).sort()).toEqual(['kit.json', ...KIT_PARTS.flatMap((p) => [`late-night-stream-${p}.ogg`, `late-night-stream-${p}.mid`])].sort());
    for (const p of info.parts) {
      const audio = zip[p.audio]!;
      const file = path.join(dir, p.audio);
      await writeFile(file, audio);
      const pcm = await decodeS16(file);
      expect(pcm.length / 2, p.part).toBe(Math.round(p.durationSec * 48_000));
      if (p.loop) {
        expect(readLoopPoints('ogg', audio)).toEqual({ startFrame: p.loop.startSample, lengthFrames: p.loop.lengthSamples });
        expect(p.loop.lengthSamples).toBe(pcm.length / 2);
        const q = joinQuality(pcm);
        console.log(`kit loop ${p.part} (${p.durationSec} s): join jump ${q.jump} vs the music's own p99.9 ${q.ownP999} / max ${q.ownMax}; level across the join ${q.levelAtJoinDb.toFixed(2)} dB`);
        expect(q.jump, p.part).toBeLessThanOrEqual(q.ownP999);
        expect(q.levelAtJoinDb, p.part).toBeGreaterThan(-3);
      } else {
        expect(p.loop).toBeNull();
      }
      for (const f of [audio, zip[p.midi]!]) {
        const verdict = await verifyFile(f, { key, recompose: (r) => recomposeMidi(r) });
        expect(verdict.status, `${p.part}: ${verdict.message}`).toBe('unmodified');
        expect(verdict.message).toMatch(new RegExp(`the ${p.part} of the streamer kit “Late Night Stream”`));
        expect(verdict.checks.join('\n')).toMatch(/same MIDI bytes/);
      }
    }
  });
});

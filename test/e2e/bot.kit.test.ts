/**
 * /kit through the fake Discord with the real bot, Redis, BullMQ flow and renderer, two workers:
 * the reply shows each part's progress, the parts render in parallel, and the kit is delivered
 * once as one zip with audio, MIDI and kit.json.
 */
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIT_PARTS } from '../../src/core/kit.ts';
import { readLoopPoints } from '../../src/provenance/containers.ts';
import { stopHarness } from '../bot/restartBot.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import { probe } from '../support/media.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ USER_REQUESTS_PER_MINUTE: '100', BOT_WORKERS: '2' });
}, 60_000);
afterAll(async () => {
  await stopHarness(h);
});

describe('/kit', () => {
  it('one zip after every part is done, with progress per part on the way', { timeout: 240_000 }, async () => {
    const it = await h.discord.invoke('kit', { name: 'Test Stream', style: 'chiptune', mood: 'happy', seed: 11, intro: 10, outro: 20, brb: 30, starting: 60, stinger: 2 }, h.seeded.alice);
    const final = await it.waitForOriginal((m) => m.attachments.length === 1 || /⚠️|📦/.test(m.content), 200_000);
    expect(final.attachments[0]?.filename, final.content).toBe('test-stream-kit.zip');
    expect(final.content).toMatch(/^🎬 \*\*Streamer kit “Test Stream”\*\* — chiptune, happy, .+ bpm, seed 11\./);

    // Progress: every part appeared with its own line, and some were working at the same time.
    const contents = final.history.map((m) => m.content);
    const progress = contents.filter((c) => c.startsWith('🎬 Making your streamer kit “Test Stream”'));
    expect(progress.length).toBeGreaterThan(1);
    for (const label of ['Intro', 'Outro', 'Be right back (loop)', 'Starting soon (loop)', 'Stinger']) expect(progress.some((c) => c.includes(`✅ ${label}`)) || final.content.includes(label), label).toBe(true);
    expect(progress.some((c) => (c.match(/🎼/g) ?? []).length >= 2), `two parts rendering at once in:\n${progress.join('\n---\n')}`).toBe(true);
    // Delivered once: the reply holds one zip, no follow-ups.
    expect(it.followups).toHaveLength(0);

    const zip = unzipSync(final.attachment('.zip').data);
    const info = JSON.parse(Buffer.from(zip['kit.json']!).toString());
    expect(info.parts.map((p: { part: string }) => p.part)).toEqual([...KIT_PARTS]);
    expect(info.parts.map((p: { durationSec: number }) => p.durationSec)).toEqual([10, 20, 30, 60, 2]);
    for (const p of info.parts) {
      const audio = Buffer.from(zip[p.audio]!);
      expect(Math.abs((await probe(audio, '.ogg')).durationSec - p.durationSec), p.part).toBeLessThanOrEqual(0.02);
      expect(readLoopPoints('ogg', audio), p.part).toEqual(p.loop ? { startFrame: 0, lengthFrames: p.durationSec * 48_000 } : null);
    }
  });
});

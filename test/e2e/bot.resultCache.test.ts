/**
 * The real bot with no room in the audio cache (RESULT_CACHE_MB=0): every piece's audio is
 * dropped as soon as it is made, and results still arrive with their audio, rendered again from
 * the stored MIDI, both the first time and when an identical request is served from the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/botHarness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ RESULT_CACHE_MB: '0' });
});
afterAll(async () => {
  await h?.stop();
});

describe('results after the audio cache dropped them', () => {
  it('are posted with audio made again from the MIDI, new and repeated', async () => {
    const first = await h.discord.invoke('compose', { style: 'lofi', duration: '4', seed: 881 }, h.seeded.alice);
    const posted = await first.waitForOriginal((m) => m.attachments.length === 3, 60_000);
    const audio = posted.attachment('.ogg').data;
    expect(audio.subarray(0, 4).toString()).toBe('OggS');
    expect(await h.bot.ctx.results.audioCache.stats()).toMatchObject({ files: 0, bytes: 0 });

    const again = await h.discord.invoke('compose', { style: 'lofi', duration: '4', seed: 881 }, h.seeded.bob);
    const repeated = await again.waitForOriginal((m) => m.attachments.length === 3, 60_000);
    const audio2 = repeated.attachment('.ogg').data;
    expect(audio2.subarray(0, 4).toString()).toBe('OggS');
    expect(audio2.length / audio.length).toBeGreaterThan(0.7);
    expect(audio2.length / audio.length).toBeLessThan(1.4);
    expect(await h.bot.ctx.results.audioCache.stats()).toMatchObject({ files: 0, bytes: 0 });
  });
});

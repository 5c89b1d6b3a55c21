/**
 * The bounded result store with real pieces (composed, rendered with fluidsynth and ffmpeg) in a
 * real redis-server: the MIDI and request stay, the audio lives in a budgeted cache, WAV is never
 * stored, and a piece whose audio was dropped is rendered again from its MIDI when asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/queue/composeWorker.ts';
import type { RenderSpec } from '../../src/queue/jobs.ts';
import { ResultStore, type StoredPiece } from '../../src/queue/resultStore.ts';
import { createPiece } from '../../src/pipeline.ts';
import { instanceKey } from '../../src/provenance/keys.ts';
import { verifyFile } from '../../src/provenance/verify.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { makeRequest } from '../support/requests.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

async function piece(seed: number, format: RenderSpec['format'] = 'ogg'): Promise<StoredPiece> {
  const request = makeRequest({ durationSec: 4, seed });
  const made = await createPiece(request, { format });
  return { summary: summarize(made, `piece-${seed}.${made.audio!.extension}`), request, render: { format }, audio: made.audio!.data, midi: Buffer.from(made.midi), png: made.png };
}

describe('ResultStore (bounded)', () => {
  it('drops audio beyond the budget and renders it again from the MIDI when asked; the result stays usable', async () => {
    const first = await piece(61);
    const second = await piece(62);
    // Room for one piece's audio, not two.
    const budget = Math.max(first.audio.length, second.audio.length) + 1000;
    const store = new ResultStore(redis.client(), 600, { cacheBytes: budget });
    await store.put('a'.repeat(32), first);
    await store.put('b'.repeat(32), second);
    const stats = await store.audioCache.stats();
    expect(stats.files).toBe(1);
    expect(stats.bytes).toBeLessThanOrEqual(budget);

    // The newer one comes from the cache as stored.
    expect((await store.get('b'.repeat(32)))!.audio.equals(second.audio)).toBe(true);
    expect(store.rerendered).toBe(0);
    // The older one's audio was dropped: it is made again from its MIDI, a real Ogg Opus file of the same piece, signed.
    const again = await store.get('a'.repeat(32));
    expect(store.rerendered).toBe(1);
    expect(again!.audio.subarray(0, 4).toString()).toBe('OggS');
    expect(again!.audio.length / first.audio.length).toBeGreaterThan(0.7);
    expect(again!.audio.length / first.audio.length).toBeLessThan(1.4);
    expect(again!.midi.equals(first.midi)).toBe(true);
    const verdict = await verifyFile(again!.audio, { key: await instanceKey() });
    expect(verdict.status, verdict.message).toBe('unmodified');
    // …and cached again, so the next read is a hit.
    await store.get('a'.repeat(32));
    expect(store.rerendered).toBe(1);
  }, 60_000);

  it('never stores WAV: only the MIDI, request and picture are kept, the audio is rendered on demand', async () => {
    const wav = await piece(63, 'wav');
    const store = new ResultStore(redis.client(), 600);
    const before = await store.audioCache.stats();
    await store.put('c'.repeat(32), wav);
    expect(await store.audioCache.stats()).toEqual(before);
    const kept = await redis.client().hgetallBuffer(`tunesmith:result:${'c'.repeat(32)}`);
    expect(Object.keys(kept).sort()).toEqual(['midi', 'png', 'request', 'summary']);
    const total = Object.values(kept).reduce((n, b) => n + b.length, 0);
    expect(total).toBeLessThan(wav.audio.length / 10);
    const got = await store.get('c'.repeat(32));
    expect(store.rerendered).toBe(1);
    expect(got!.audio.subarray(0, 4).toString()).toBe('RIFF');
    expect(Math.abs(got!.audio.length - wav.audio.length)).toBeLessThan(wav.audio.length * 0.05);
  }, 60_000);
});

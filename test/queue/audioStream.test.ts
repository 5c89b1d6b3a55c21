/** The worker → bot audio channel (src/queue/audioStream.ts) on a real redis-server. */
import type { RedisClient as Redis } from '../../src/queue/redisConnection.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioStreamWriter, audioStreamKey, cancelAudioStream, readAudioStream, type AudioStreamEntry } from '../../src/queue/audioStream.ts';
import { startTestRedis } from '../support/redis.ts';

let server: Awaited<ReturnType<typeof startTestRedis>>;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(() => server?.cleanup());

async function collect(id: string, opts = {}): Promise<AudioStreamEntry[]> {
  const out: AudioStreamEntry[] = [];
  for await (const e of readAudioStream(redis, id, opts)) out.push(e);
  return out;
}

describe('audio stream through Redis', () => {
  it('delivers meta, chunks as they are written (the reader blocks meanwhile), and the end', async () => {
    const writer = new AudioStreamWriter(redis, 'a1', { ttlSec: 60 });
    const reading = collect('a1', { blockMs: 100 });
    await writer.meta({ title: 'x' });
    const arrivals: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 30));
      arrivals.push(Date.now());
      await writer.write(Buffer.from([i, i, i]));
    }
    await writer.end();
    const entries = await reading;
    expect(entries.map((e) => e.type)).toEqual(['meta', 'data', 'data', 'data', 'data', 'data', 'end']);
    expect(entries[0]).toEqual({ type: 'meta', renderId: writer.renderId, info: { title: 'x' } });
    expect(Buffer.concat(entries.filter((e) => e.type === 'data').map((e) => (e as { data: Buffer }).data))).toEqual(Buffer.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]));
    const ttl = await redis.ttl(audioStreamKey('a1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('tells two renders of one stream apart, ends on an error entry, and trims to maxLen', async () => {
    const one = new AudioStreamWriter(redis, 'a2');
    const two = new AudioStreamWriter(redis, 'a2');
    await one.write(Buffer.from('a'));
    await two.write(Buffer.from('b'));
    await two.fail('fluidsynth died');
    const entries = await collect('a2');
    expect(entries.map((e) => [e.type, e.renderId])).toEqual([['data', one.renderId], ['data', two.renderId], ['error', two.renderId]]);
    expect(one.renderId).not.toBe(two.renderId);

    const small = new AudioStreamWriter(redis, 'a3', { maxLen: 10 });
    for (let i = 0; i < 300; i++) await small.write(Buffer.from([i & 0xff]));
    expect(await redis.xlen(audioStreamKey('a3'))).toBeLessThan(200); // approximate trimming (~)
  });

  it('tells the producer when the consumer cancelled (its next write resolves false)', async () => {
    const writer = new AudioStreamWriter(redis, 'a4');
    expect(await writer.write(Buffer.from('x'))).toBe(true);
    await cancelAudioStream(redis, 'a4');
    expect(await redis.exists(audioStreamKey('a4'))).toBe(0);
    expect(await writer.write(Buffer.from('y'))).toBe(false);
  });

  it('gives up when nothing arrives for idleTimeoutMs, and stops at once on abort', async () => {
    await expect(collect('nobody-writes', { blockMs: 50, idleTimeoutMs: 300 })).rejects.toThrow(/no audio arrived/);
    const controller = new AbortController();
    const reading = collect('nobody-writes-2', { blockMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const t0 = Date.now();
    expect(await reading).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

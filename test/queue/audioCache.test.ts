/**
 * The audio cache's budget and LRU order, against a real redis-server (the eviction is a Lua
 * script there): the total never exceeds the budget, the least recently used file goes first,
 * a read counts as a use, and a file larger than the whole budget is not kept.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AudioCache } from '../../src/queue/audioCache.ts';
import type { RedisClient } from '../../src/queue/redisConnection.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
let client: RedisClient;
beforeAll(async () => {
  redis = await startTestRedis();
  client = redis.client();
});
beforeEach(async () => {
  await redis.flush();
});
afterAll(async () => {
  await redis.cleanup();
});

const blob = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('AudioCache', () => {
  it('keeps the total under the budget by dropping the least recently used files; a read is a use', async () => {
    const cache = new AudioCache(client, 1000);
    expect(await cache.put('a', blob(300, 1))).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(await cache.put('b', blob(300, 2))).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(await cache.put('c', blob(300, 3))).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    // `a` is read: now `b` is the least recently used.
    expect((await cache.get('a'))?.equals(blob(300, 1))).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(await cache.put('d', blob(300, 4))).toBe(1);
    expect(await cache.get('b')).toBeNull();
    for (const id of ['a', 'c', 'd']) expect(await cache.get(id), id).not.toBeNull();
    expect(await cache.stats()).toEqual({ files: 3, bytes: 900, budgetBytes: 1000 });
  });

  it('replacing a file counts its new size only; a file larger than the budget is not kept', async () => {
    const cache = new AudioCache(client, 1000);
    await cache.put('a', blob(600, 1));
    await cache.put('a', blob(200, 2));
    expect(await cache.stats()).toEqual({ files: 1, bytes: 200, budgetBytes: 1000 });
    expect(await cache.put('huge', blob(1001, 9))).toBe(-1);
    expect(await cache.get('huge')).toBeNull();
    expect((await cache.stats()).bytes).toBe(200);
  });

  it('many writers at once never leave the total above the budget or out of step with the files', async () => {
    const caches = Array.from({ length: 4 }, () => new AudioCache(redis.client(), 10_000));
    await Promise.all(Array.from({ length: 200 }, (_, i) => caches[i % 4]!.put(`f${i}`, blob(100 + (i % 7) * 50, i % 256))));
    const stats = await caches[0]!.stats();
    expect(stats.bytes).toBeLessThanOrEqual(10_000);
    const sizes = (await client.hvals('tunesmith:{audio}:sizes')).map(Number);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(stats.bytes);
    expect(sizes).toHaveLength(stats.files);
  });
});

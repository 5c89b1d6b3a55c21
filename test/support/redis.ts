import { afterAll, afterEach, beforeAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/queue/embeddedRedis.ts';
import { connectTarget, createRedis, type RedisClient } from '../../src/queue/redisConnection.ts';
import { startTestCluster } from './redisTopology.ts';

export interface TestRedis extends EmbeddedRedis {
  client: () => RedisClient;
  /** Delete every key (on every primary of a cluster). */
  flush: () => Promise<void>;
  /** The variables that point a bot or worker process at this Redis. */
  env: Record<string, string>;
  cleanup: () => Promise<void>;
}

/**
 * A real redis-server on a free loopback port with its own data directory (AOF on). With
 * TUNESMITH_TEST_REDIS=cluster, a real 3-primary Redis Cluster instead (test/queue/cluster.test.ts
 * runs the queue tests that way); restarting it is not supported.
 */
export async function startTestRedis(): Promise<TestRedis> {
  if (process.env.TUNESMITH_TEST_REDIS === 'cluster') return startClusterAsTestRedis();
  const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-redis-'));
  const server = await startEmbeddedRedis({ dataDir: dir });
  const clients: RedisClient[] = [];
  const client = () => {
    const c = createRedis(server.url);
    clients.push(c);
    return c;
  };
  return {
    ...server,
    client,
    env: { REDIS_URL: server.url },
    async flush() {
      await client().flushall();
    },
    async cleanup() {
      for (const c of clients) c.disconnect();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startClusterAsTestRedis(): Promise<TestRedis> {
  const cluster = await startTestCluster();
  const clients: RedisClient[] = [];
  const client = () => {
    const c = connectTarget({ kind: 'cluster', nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })) }, undefined);
    clients.push(c);
    return c;
  };
  const unsupported = async () => {
    throw new Error('not supported on the test cluster');
  };
  return {
    url: `redis://127.0.0.1:${cluster.ports[0]}`,
    port: cluster.ports[0]!,
    dataDir: '',
    stop: unsupported,
    kill: unsupported,
    restart: unsupported,
    client,
    env: cluster.env,
    async flush() {
      const c = client();
      if (c.status !== 'ready') await new Promise((r) => c.once('ready', r));
      await Promise.all(('nodes' in c ? c.nodes('master') : [c]).map((n) => n.flushall()));
    },
    async cleanup() {
      for (const c of clients) c.disconnect();
      await cluster.stop();
    },
  };
}

/**
 * One test Redis for a test file (vitest hooks): started before its tests, emptied after each, and
 * what a test put in `running` (queues, workers) closed first.
 */
export function useTestRedis(): { readonly redis: TestRedis; running: { close(): Promise<void> }[] } {
  let redis: TestRedis | undefined;
  const running: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    while (running.length) await running.pop()!.close();
    await redis?.flush();
  });
  afterAll(async () => {
    await redis?.cleanup();
  });
  return {
    get redis() {
      if (!redis) throw new Error('useTestRedis: the Redis is started in beforeAll');
      return redis;
    },
    running,
  };
}

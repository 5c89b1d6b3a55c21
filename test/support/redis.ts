import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/queue/embeddedRedis.ts';
import { createRedis } from '../../src/queue/redisConnection.ts';

/** A real redis-server on a free loopback port with its own data directory (AOF on). */
export async function startTestRedis(): Promise<EmbeddedRedis & { client: () => Redis; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-redis-'));
  const server = await startEmbeddedRedis({ dataDir: dir });
  const clients: Redis[] = [];
  return {
    ...server,
    client() {
      const c = createRedis(server.url);
      clients.push(c);
      return c;
    },
    async cleanup() {
      for (const c of clients) c.disconnect();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

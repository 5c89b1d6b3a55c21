/**
 * The startup check of a Redis we are given (src/queue/redisPersistence.ts), against real
 * redis-server processes: one as Debian ships it (no AOF), one with an eviction policy, and one
 * set up as the README says. A volatile one is refused with one clear line, or accepted with a
 * warning under ALLOW_VOLATILE_REDIS=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.ts';
import { parseConfig, QueueConfigSchema } from '../../src/config.ts';
import { freePort } from '../../src/queue/embeddedRedis.ts';
import { openRedis } from '../../src/queue/redisConnection.ts';
import { persistenceProblems, VolatileRedisError } from '../../src/queue/redisPersistence.ts';
import { waitFor } from '../support/wait.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function redisWith(args: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-persist-'));
  dirs.push(dir);
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args], { stdio: 'ignore' });
  children.push(child);
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  await waitFor(async () => {
    const c = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    try {
      await c.connect();
      return (await c.ping()) === 'PONG';
    } finally {
      c.disconnect();
    }
  }, { timeout: 10_000, message: 'redis-server to start' });
  return url;
}

async function open(url: string, extra: Record<string, string> = {}) {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = parseConfig(QueueConfigSchema, { REDIS_URL: url, ...extra });
  const handle = await openRedis(config, createLogger({ level: 'info', name: 'test', secrets: [], destination: sink }), { startEmbedded: false });
  const outcome = await handle.persistenceChecked.then(() => null, (e: Error) => e);
  await handle.close();
  return { outcome, logs };
}

describe('persistenceProblems', () => {
  it('names each setting that can lose jobs, and nothing for a safe Redis', () => {
    expect(persistenceProblems({ where: 'x', appendonly: true, maxmemoryPolicy: 'noeviction' })).toEqual([]);
    const both = persistenceProblems({ where: 'x', appendonly: false, maxmemoryPolicy: 'allkeys-lru' });
    expect(both).toHaveLength(2);
    expect(both[0]).toMatch(/appendonly is no/);
    expect(both[1]).toMatch(/maxmemory-policy is allkeys-lru/);
  });
});

describe('the startup check against real redis-servers', () => {
  it('refuses a Redis without the append-only file (Debian’s stock redis.conf), in one line that says how to fix it', async () => {
    const url = await redisWith(['--appendonly', 'no']);
    const { outcome } = await open(url);
    expect(outcome).toBeInstanceOf(VolatileRedisError);
    expect(outcome!.message).not.toContain('\n');
    expect(outcome!.message).toMatch(/appendonly is no.*appendonly yes.*maxmemory-policy noeviction.*ALLOW_VOLATILE_REDIS=1/);
  });

  it('refuses an eviction policy even with AOF on', async () => {
    const url = await redisWith(['--appendonly', 'yes', '--maxmemory', '100mb', '--maxmemory-policy', 'allkeys-lru']);
    const { outcome } = await open(url);
    expect(outcome?.message).toMatch(/maxmemory-policy is allkeys-lru/);
    expect(outcome?.message).not.toMatch(/appendonly is no/);
  });

  it('starts with a warning when ALLOW_VOLATILE_REDIS=1', async () => {
    const url = await redisWith(['--appendonly', 'no']);
    const { outcome, logs } = await open(url, { ALLOW_VOLATILE_REDIS: '1' });
    expect(outcome).toBeNull();
    const warning = logs.map((l) => JSON.parse(l)).find((l) => l.level === 40);
    expect(warning?.msg).toMatch(/ALLOW_VOLATILE_REDIS=1: starting anyway.*appendonly is no/);
  });

  it('accepts a Redis set up as the README says, without a warning', async () => {
    const url = await redisWith(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']);
    const { outcome, logs } = await open(url);
    expect(outcome).toBeNull();
    expect(logs.map((l) => JSON.parse(l)).filter((l) => l.level >= 40)).toEqual([]);
  });
});

/**
 * The queue tests against a real Redis Cluster: test/queue/queue.test.ts and workers.test.ts run
 * again (a child vitest) with TUNESMITH_TEST_REDIS=cluster, so test/support/redis.ts gives them
 * three cluster-enabled redis-servers joined with `redis-cli --cluster create`. Any command that
 * spans two hash slots fails there with CROSSSLOT, so this proves the queue prefix and every
 * multi-key command stay within one slot. (Run one by hand: TUNESMITH_TEST_REDIS=cluster npx vitest run test/queue/queue.test.ts)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { startTestCluster } from '../support/redisTopology.ts';

const run = promisify(execFile);

describe('a real 3-primary Redis Cluster', () => {
  it('is made by redis-cli --cluster create and refuses cross-slot commands (so the suite below would catch them)', async () => {
    const cluster = await startTestCluster();
    const client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      expect(client.nodes('master')).toHaveLength(3);
      await expect(client.del('tunesmith:a', 'tunesmith:b')).rejects.toThrow(/CROSSSLOT/);
      // The same two keys with one hash tag share a slot.
      expect(await client.del('tunesmith:{x}:a', 'tunesmith:{x}:b')).toBe(0);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });

  it('passes the queue and worker-process tests', async () => {
    const { stdout } = await run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/queue/queue.test.ts', 'test/queue/workers.test.ts', 'test/queue/intents.test.ts', '--reporter=verbose', '--maxWorkers=1'], {
      env: { ...process.env, TUNESMITH_TEST_REDIS: 'cluster', VITEST: undefined, VITEST_POOL_ID: undefined, VITEST_WORKER_ID: undefined },
      timeout: 420_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the queue tests failed on the cluster:\n${(error.stdout ?? '').slice(-6000)}\n${(error.stderr ?? '').slice(-3000)}`);
    });
    const passed = Number(/Tests\s+(?:\S+\s+)*?(\d+) passed/.exec(stdout.replace(/\x1b\[[0-9;]*m/g, ''))?.[1] ?? 0);
    expect(passed).toBeGreaterThanOrEqual(15);
  }, 480_000);
});

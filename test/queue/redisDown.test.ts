/**
 * A worker whose Redis is unreachable keeps its logs structured and short: every Redis client
 * (ioredis connection, BullMQ Worker and Queue) has an error listener, and repeats are counted
 * rather than printed. Before, each client without a listener printed a multi-line ECONNREFUSED
 * stack trace to stderr on every reconnection attempt.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { WorkerProcess } from '../support/workerProcess.ts';

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let worker: WorkerProcess | undefined;
afterEach(async () => {
  await worker?.stop();
});

describe('a worker while Redis is down', () => {
  it('logs only a few JSON lines, nothing on stderr, and keeps running', async () => {
    worker = new WorkerProcess({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    await worker.ready();
    const readyAt = worker.logs.length;
    // ioredis retries every 0.1–2 s, so 8 s is a dozen reconnection attempts per client.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const after = worker.logs.slice(readyAt);

    expect(worker.stderr).toBe('');
    expect(worker.unstructured).toEqual([]);
    const problems = after.filter((l) => typeof l.level === 'number' && l.level >= 40);
    expect(problems.length, JSON.stringify(problems)).toBeGreaterThan(0); // the outage is reported…
    expect(problems.every((l) => String(l.err ?? '').includes('ECONNREFUSED'))).toBe(true);
    // …once per client (connection, compose worker, delivery queue, voice stream worker, radio
    // worker), not once per attempt.
    expect(after.length, JSON.stringify(after)).toBeLessThanOrEqual(5);
    await waitFor(() => worker!.logs.length >= readyAt, { timeout: 1000 });
    expect(await Promise.race([worker.exited, new Promise((resolve) => setTimeout(() => resolve('running'), 100))])).toBe('running');
  }, 60_000);
});

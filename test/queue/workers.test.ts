/**
 * Worker processes against a real redis-server: scale-out, kill -9, Redis restarts, SIGTERM.
 * Short lock/stall settings make a dead worker's job come back within seconds.
 */
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../src/queue/deliveryWorker.ts';
import { composeJobIdFor, type DeliverJob } from '../../src/queue/jobs.ts';
import { JobProducer } from '../../src/queue/producer.ts';
import { composeJob, DeliveryLog, quietLogger } from '../support/queueFixtures.ts';
import { startTestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { WorkerProcess } from '../support/workerProcess.ts';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let workers: WorkerProcess[] = [];
const closers: (() => Promise<void>)[] = [];
const LIMITS = { perUserActive: 100, perGuildActive: 100, perUserPerMinute: 100, maxQueueLength: 100 };

beforeAll(async () => {
  redis = await startTestRedis();
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  while (closers.length) await closers.pop()!();
  await redis.flush();
});
afterAll(async () => {
  await redis.cleanup();
});

function startWorker(env: Record<string, string> = {}): WorkerProcess {
  const w = new WorkerProcess({ ...redis.env, JOB_LOCK_MS: '3000', JOB_STALLED_CHECK_MS: '1000', SHUTDOWN_GRACE_SEC: '20', ...env });
  workers.push(w);
  return w;
}

function setup(): { jobs: JobProducer; log: DeliveryLog } {
  const jobs = new JobProducer(redis.client(), { limits: LIMITS, backoffMs: 200 });
  const log = new DeliveryLog();
  const worker: Worker<DeliverJob> = startDeliveryWorker({ connection: redis.client(), logger: quietLogger, deliver: log.deliver, resultTtlSec: 600 });
  closers.push(() => jobs.close(), () => worker.close());
  return { jobs, log };
}

describe('worker processes', () => {
  it('share many jobs between two workers: all complete, none twice, each delivered once', async () => {
    const { jobs, log } = setup();
    const [a, b] = await Promise.all([startWorker().ready(), startWorker().ready()]);
    const submitted = Array.from({ length: 10 }, (_, i) => composeJob({ request: { seed: 100 + i, durationSec: 2 + (i % 3) } }));
    for (const job of submitted) await jobs.submit(job);
    await waitFor(() => submitted.every((j) => log.count(j.requestId) >= 1), { timeout: 90_000, message: () => `all delivered (${log.entries.length}/10)` });
    await new Promise((r) => setTimeout(r, 1000));
    for (const job of submitted) {
      expect(log.count(job.requestId)).toBe(1);
      expect(log.of(job.requestId)!.outcome).toBe('success');
      expect(a.composed(job.requestId) + b.composed(job.requestId)).toBe(1);
    }
    expect(a.composedCount).toBeGreaterThan(0);
    expect(b.composedCount).toBeGreaterThan(0);
  });

  it('finishes a job on the other worker after kill -9, with exactly one final reply', async () => {
    const { jobs, log } = setup();
    const victim = await startWorker().ready();
    const job = composeJob({ request: { seed: 200, durationSec: 90 } });
    await jobs.submit(job);
    await waitFor(async () => (await jobs.composeQueue.getJob(composeJobIdFor(job.requestId)))?.isActive(), { timeout: 30_000, message: 'job active on the first worker' });
    victim.signal('SIGKILL');
    await victim.exited;
    const rescuer = await startWorker().ready();
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 60_000, message: 'delivery after the rescue' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(log.count(job.requestId)).toBe(1);
    expect(log.of(job.requestId)!.outcome).toBe('success');
    expect(victim.composed(job.requestId)).toBe(0);
    expect(rescuer.composed(job.requestId)).toBe(1);
  });

  // A single server restarts; a cluster's failover is Redis Cluster's own business.
  it.skipIf(process.env.TUNESMITH_TEST_REDIS === 'cluster')('keeps every accepted job through a Redis restart under load', async () => {
    const { jobs, log } = setup();
    await Promise.all([startWorker().ready(), startWorker().ready()]);
    const submitted = Array.from({ length: 8 }, (_, i) => composeJob({ request: { seed: 300 + i, durationSec: 3 } }));
    for (const job of submitted) await jobs.submit(job);
    await waitFor(() => log.entries.length >= 1, { timeout: 60_000, message: 'first delivery before the restart' });
    await redis.restart();
    await waitFor(() => submitted.every((j) => log.count(j.requestId) >= 1), { timeout: 120_000, message: () => `all delivered after restart (${log.entries.length}/8)` });
    await new Promise((r) => setTimeout(r, 1000));
    for (const job of submitted) expect(log.count(job.requestId)).toBe(1);
  });

  it('on SIGTERM hands a running job back and exits in bounded time; another worker finishes it', async () => {
    const { jobs, log } = setup();
    const leaving = await startWorker({ SHUTDOWN_GRACE_SEC: '0' }).ready();
    const job = composeJob({ request: { seed: 400, durationSec: 120 } });
    await jobs.submit(job);
    await waitFor(async () => (await jobs.composeQueue.getJob(composeJobIdFor(job.requestId)))?.isActive(), { timeout: 30_000, message: 'job active' });
    const t0 = Date.now();
    leaving.signal('SIGTERM');
    expect(await leaving.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(leaving.logs.some((l) => l.msg === 'worker stopped')).toBe(true);
    const state = await (await jobs.composeQueue.getJob(composeJobIdFor(job.requestId)))!.getState();
    expect(['waiting', 'prioritized']).toContain(state); // handed back, not failed
    const taker = await startWorker().ready();
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 60_000, message: 'delivery by the second worker' });
    expect(taker.composed(job.requestId)).toBe(1);
    expect(log.of(job.requestId)!.outcome).toBe('success');
  });
});

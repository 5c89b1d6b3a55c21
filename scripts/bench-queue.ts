/**
 * `npm run bench:queue`: the job queue's throughput and latency on this machine, against a real
 * (embedded) redis-server and real worker processes.
 *  1. Queue overhead: an empty job's round trip (add → completed event), p50/p99.
 *  2. Jobs per minute and enqueue→delivered latency p50/p95 for 10 s and 30 s pieces with 1 and
 *     2 worker processes, and the 2-worker/1-worker throughput ratio.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { pino } from 'pino';
import { startDeliveryWorker } from '../src/queue/deliveryWorker.ts';
import { startEmbeddedRedis } from '../src/queue/embeddedRedis.ts';
import { JobProducer } from '../src/queue/producer.ts';
import { createRedis } from '../src/queue/redisConnection.ts';
import { composeJob } from '../test/support/queueFixtures.ts';
import { WorkerProcess } from '../test/support/workerProcess.ts';

const logger = pino({ level: 'silent' });
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

async function emptyRoundTrip(url: string, n: number): Promise<number[]> {
  const connection = createRedis(url);
  const queue = new Queue('bench-noop', { connection });
  const worker = new Worker('bench-noop', async () => 'ok', { connection: createRedis(url), concurrency: 1 });
  const done = new Map<string, () => void>();
  worker.on('completed', (job) => done.get(job.id!)?.());
  await worker.waitUntilReady();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const finished = new Promise<void>((resolve) => done.set(`noop-${i}`, resolve));
    await queue.add('noop', { i }, { jobId: `noop-${i}`, removeOnComplete: true });
    await finished;
    times.push(performance.now() - t0);
  }
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return times.slice(Math.min(20, n / 10)); // drop warm-up
}

async function throughput(url: string, workers: number, durationSec: number, jobsCount: number, seedBase: number, pinned: boolean) {
  // One worker per core, each rendering on its own core (no split rendering across both). Pinned:
  // worker i and its fluidsynth/ffmpeg run on core i only, so one worker has one core, as the
  // target's "per core available" asks; unpinned, one worker's job also spills onto the idle core.
  const procs = await Promise.all(
    Array.from({ length: workers }, (_, i) => new WorkerProcess({ REDIS_URL: url, LOG_LEVEL: 'info', TUNESMITH_RENDER_PARALLEL: '0' }, pinned ? { cpus: String(i) } : {}).ready()),
  );
  const redis = createRedis(url);
  const producer = new JobProducer(redis, { limits: { perUserActive: 1000, perGuildActive: 1000, perUserPerMinute: 1000, maxQueueLength: 1000 } });
  const submittedAt = new Map<string, number>();
  const latencies: number[] = [];
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const delivery = startDeliveryWorker({
    connection: createRedis(url),
    logger,
    resultTtlSec: 600,
    deliver: async (_d, outcome) => {
      latencies.push(Date.now() - submittedAt.get(outcome.requestId)!);
      if (latencies.length === jobsCount) resolveAll();
    },
  });
  const start = Date.now();
  for (let i = 0; i < jobsCount; i++) {
    const job = composeJob({ request: { durationSec, seed: seedBase + i, style: i % 2 ? 'synthwave' : 'lofi' }, userId: `u${i}` });
    submittedAt.set(job.requestId, Date.now());
    await producer.submit(job);
  }
  // A worker that cannot start (a broken checkout) must end the bench, not hang it.
  const limitMs = 60_000 + jobsCount * durationSec * 1000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    all,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${latencies.length} of ${jobsCount} jobs delivered in ${limitMs / 1000} s; worker logs: ${JSON.stringify(procs.flatMap((p) => p.logs.slice(-3)))}`)), limitMs))),
  ]).finally(() => clearTimeout(timer));
  const elapsed = (Date.now() - start) / 1000;
  await delivery.close();
  await producer.close();
  await Promise.all(procs.map((p) => p.stop()));
  redis.disconnect();
  return { jobsPerMin: (jobsCount / elapsed) * 60, p50: quantile(latencies, 0.5) / 1000, p95: quantile(latencies, 0.95) / 1000 };
}

const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-bench-'));
for (const appendfsync of ['everysec', 'always'] as const) {
  const probe = await startEmbeddedRedis({ dataDir: path.join(dir, appendfsync), appendfsync });
  const rt = await emptyRoundTrip(probe.url, 300);
  console.log(`queue overhead, appendfsync ${appendfsync} (empty job add → completed, ${rt.length} runs): p50 ${quantile(rt, 0.5).toFixed(2)} ms, p99 ${quantile(rt, 0.99).toFixed(2)} ms (target p50 < 5 ms)`);
  await probe.stop();
}
const redis = await startEmbeddedRedis({ dataDir: path.join(dir, 'main') });
try {
  console.log('\n| piece | cores per worker | workers | jobs | jobs/min | latency p50 | latency p95 |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  let seed = 1;
  for (const pinned of [true, false]) {
    for (const durationSec of [10, 30]) {
      // Enough jobs that the last one's tail (one worker busy, the other done) is a small share of the run.
      const jobs = durationSec === 10 ? 64 : 48;
      const rows = [];
      for (const workers of [1, 2]) {
        const r = await throughput(redis.url, workers, durationSec, jobs, (seed += 1000), pinned);
        rows.push(r);
        console.log(`| ${durationSec} s | ${pinned ? 'one (pinned)' : 'shared'} | ${workers} | ${jobs} | ${r.jobsPerMin.toFixed(1)} | ${r.p50.toFixed(2)} s | ${r.p95.toFixed(2)} s |`);
      }
      console.log(`|  |  | 2 vs 1 |  | ×${(rows[1]!.jobsPerMin / rows[0]!.jobsPerMin).toFixed(2)} |  |  |`);
    }
  }
  console.log(`\n(${(await import('node:os')).cpus().length} cores; other load on the machine skews the 2-worker ratio: check with uptime.)`);
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

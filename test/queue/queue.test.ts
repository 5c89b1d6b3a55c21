import { createHash } from 'node:crypto';
import { UnrecoverableError, type Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { startComposeWorker, type ComposeWorkerHandle } from '../../src/queue/composeWorker.ts';
import { startDeliveryWorker } from '../../src/queue/deliveryWorker.ts';
import { COMPOSER_VERSION } from '../../src/core/compose.ts';
import { parseKey } from '../../src/core/keys.ts';
import type { CompositionRequest } from '../../src/core/request.ts';
import { rerenderRequest } from '../../src/midi/transform.ts';
import { midiToScore } from '../../src/midi/transformSource.ts';
import { ComposeJobSchema, resultIdFor, TransformSchema, type ComposeJobInput, type DeliverJob } from '../../src/queue/jobs.ts';
import { QueueMetrics, startHealthServer } from '../../src/queue/metrics.ts';
import { JobProducer, QueueRejection } from '../../src/queue/producer.ts';
import { composeJob, DeliveryLog, quietLogger, testProducer } from '../support/queueFixtures.ts';
import { useTestRedis } from '../support/redis.ts';
import { makeRequest } from '../support/requests.ts';
import { waitFor } from '../support/wait.ts';

const fixture = useTestRedis();
const { running } = fixture;

const producer = (opts: ConstructorParameters<typeof JobProducer>[1] = {}) => testProducer(fixture, opts);

function composeWorker(opts: Partial<Parameters<typeof startComposeWorker>[0]> = {}): ComposeWorkerHandle {
  const handle = startComposeWorker({ connection: fixture.redis.client(), logger: quietLogger, resultTtlSec: 600, jobTimeoutMs: 60_000, ...opts });
  running.push(handle);
  return handle;
}

function deliveries(): DeliveryLog {
  const log = new DeliveryLog();
  const worker: Worker<DeliverJob> = startDeliveryWorker({ connection: fixture.redis.client(), logger: quietLogger, deliver: log.deliver, resultTtlSec: 600 });
  running.push({ close: () => worker.close() });
  return log;
}

describe('the job queue (real redis-server)', () => {
  it('composes, stores and delivers a result once, and serves an identical request from the cache', async () => {
    const log = deliveries();
    let attempts = 0;
    composeWorker({ beforeAttempt: () => void attempts++ });
    const jobs = producer();
    const first = composeJob({ request: { seed: 11 } });
    expect((await jobs.submit(first)).status).toBe('queued');
    await waitFor(() => log.count(first.requestId) === 1, { timeout: 30_000, message: 'first delivery' });
    const outcome = log.of(first.requestId)!;
    expect(outcome.outcome).toBe('success');
    if (outcome.outcome !== 'success') throw new Error('unreachable');
    expect(outcome.cached).toBe(false);
    expect(outcome.piece.audio.subarray(0, 4).toString()).toBe('OggS');
    expect(outcome.piece.midi.subarray(0, 4).toString()).toBe('MThd');
    expect(outcome.piece.summary).toMatchObject({ style: 'lofi', seed: 11, durationSec: 3 });

    const again = composeJob({ request: { seed: 11 }, userId: 'someone-else' });
    expect((await jobs.submit(again)).status).toBe('cached');
    await waitFor(() => log.count(again.requestId) === 1, { message: 'cached delivery' });
    const cached = log.of(again.requestId)!;
    expect(cached.outcome === 'success' && cached.cached).toBe(true);
    expect(cached.outcome === 'success' && cached.piece.audio.equals(outcome.piece.audio)).toBe(true);
    expect(attempts).toBe(1); // composed once
    await new Promise((r) => setTimeout(r, 300));
    expect(log.count(first.requestId)).toBe(1);
  });

  it('retries a transient failure and still delivers exactly once', async () => {
    const log = deliveries();
    let attempts = 0;
    composeWorker({
      beforeAttempt: () => {
        attempts++;
        if (attempts === 1) throw new Error('transient: disk hiccup');
      },
    });
    const job = composeJob({ request: { seed: 12 } });
    await producer().submit(job);
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 'delivery after retry' });
    expect(attempts).toBe(2);
    expect(log.of(job.requestId)!.outcome).toBe('success');
  });

  it('gives up after the last attempt with one clear failure message', async () => {
    const log = deliveries();
    let attempts = 0;
    composeWorker({
      beforeAttempt: () => {
        attempts++;
        throw new Error('renderer crashed');
      },
    });
    const job = composeJob({ request: { seed: 13 } });
    await producer({ attempts: 2 }).submit(job);
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 'failure delivery' });
    await new Promise((r) => setTimeout(r, 500));
    expect(attempts).toBe(2);
    expect(log.count(job.requestId)).toBe(1);
    const outcome = log.of(job.requestId)!;
    expect(outcome.outcome).toBe('failure');
    expect(outcome.outcome === 'failure' && outcome.message).toMatch(/went wrong while composing.*try again/i);
  });

  it('does not retry a permanent failure', async () => {
    const log = deliveries();
    let attempts = 0;
    composeWorker({
      beforeAttempt: () => {
        attempts++;
        throw new UnrecoverableError('bad job');
      },
    });
    const job = composeJob({ request: { seed: 14 } });
    await producer({ attempts: 3 }).submit(job);
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 'failure delivery' });
    await new Promise((r) => setTimeout(r, 500));
    expect(attempts).toBe(1);
    expect(log.of(job.requestId)!.outcome).toBe('failure');
  });

  it('stops a job at its hard timeout and tells the user', async () => {
    const log = deliveries();
    composeWorker({ jobTimeoutMs: 150 });
    const job = composeJob({ request: { seed: 15, durationSec: 120 } });
    await producer({ attempts: 1 }).submit(job);
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 'timeout delivery' });
    const outcome = log.of(job.requestId)!;
    expect(outcome.outcome === 'failure' && outcome.message).toMatch(/took too long/);
  });

  it('enforces per-user, per-guild, rate and queue-length limits with friendly messages', async () => {
    const jobs = producer({ limits: { perUserActive: 1, perGuildActive: 2, perUserPerMinute: 3, maxQueueLength: 3 } });
    await jobs.submit(composeJob({ userId: 'u1', request: { seed: 1 } }));
    const busy = await jobs.submit(composeJob({ userId: 'u1', request: { seed: 2 } })).catch((e) => e);
    expect(busy).toBeInstanceOf(QueueRejection);
    expect(busy.reason).toBe('user-busy');
    expect(busy.message).toMatch(/already have 1 piece being composed/);

    await jobs.submit(composeJob({ userId: 'u2', request: { seed: 3 } }));
    const guildBusy = await jobs.submit(composeJob({ userId: 'u3', request: { seed: 4 } })).catch((e) => e);
    expect(guildBusy.reason).toBe('guild-busy');

    await jobs.submit(composeJob({ userId: 'u4', guildId: 'other', request: { seed: 5 } }));
    const full = await jobs.submit(composeJob({ userId: 'u5', guildId: 'third', request: { seed: 6 } })).catch((e) => e);
    expect(full.reason).toBe('queue-full');
    expect(full.message).toMatch(/busy right now.*Try again in about \d+ s/);
    expect(full.retryAfterSec).toBeGreaterThan(0);
  });

  it('rate-limits one user to N requests a minute', async () => {
    const jobs = producer({ limits: { perUserActive: 100, perGuildActive: 100, perUserPerMinute: 2, maxQueueLength: 100 } });
    await jobs.submit(composeJob({ userId: 'fast', request: { seed: 21 } }));
    await jobs.submit(composeJob({ userId: 'fast', request: { seed: 22 } }));
    const third = await jobs.submit(composeJob({ userId: 'fast', request: { seed: 23 } })).catch((e) => e);
    expect(third.reason).toBe('rate-limited');
    expect(third.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(third.retryAfterSec).toBeLessThanOrEqual(60);
  });

  it('queues a request whose Discord id BullMQ would read as an integer (one snowflake in 256)', async () => {
    const jobs = producer({ limits: { perUserActive: 10, perGuildActive: 10, perUserPerMinute: 10, maxQueueLength: 10 } });
    // Survives parseInt unchanged: as a BullMQ job id it is refused ("Custom Id cannot be integers").
    const requestId = '1577764511115509800';
    expect(`${parseInt(requestId, 10)}`).toBe(requestId);
    const queued = await jobs.submit(composeJob({ requestId, request: { seed: 35 } }));
    expect(queued.status).toBe('queued');
    // The same request again (a sweep racing its shard) finds that job rather than queueing a second.
    const again = await jobs.submit(composeJob({ requestId, request: { seed: 35 } }), { admitted: true });
    expect(again.jobId).toBe(queued.jobId);
  });

  it('puts short pieces ahead of long ones', async () => {
    const jobs = producer({ limits: { perUserActive: 10, perGuildActive: 10, perUserPerMinute: 10, maxQueueLength: 10 } });
    const long = await jobs.submit(composeJob({ request: { durationSec: 240, seed: 31 } }));
    const short = await jobs.submit(composeJob({ request: { durationSec: 10, seed: 32 } }));
    expect(short.status === 'queued' && short.position).toBe(1);
    expect(long.status === 'queued' && (await jobs.position(long.jobId))).toBe(2);
  });

  it('reads the positions of many waiting jobs in one pass, as one-by-one reads give them', async () => {
    const jobs = producer({ limits: { perUserActive: 20, perGuildActive: 20, perUserPerMinute: 20, maxQueueLength: 20 } });
    const ids: string[] = [];
    for (const [i, durationSec] of [120, 10, 60, 10, 240, 30].entries()) {
      const r = await jobs.submit(composeJob({ request: { durationSec, seed: 40 + i } }));
      if (r.status === 'queued') ids.push(r.jobId);
    }
    expect(ids).toHaveLength(6);
    const many = await jobs.positions([...ids, 'no-such-job']);
    const one = await Promise.all(ids.map((id) => jobs.position(id)));
    expect(ids.map((id) => many.get(id))).toEqual(one);
    expect(new Set(one).size).toBe(6);
    expect(many.has('no-such-job')).toBe(false);
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    const client = fixture.redis.client();
    const jobs = producer();
    const metrics = new QueueMetrics([jobs.composeQueue]);
    const server = await startHealthServer({ port: 0, metrics, redis: client, name: 'test' });
    running.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    await jobs.submit(composeJob({ request: { seed: 41 } }));
    const port = (server.address() as { port: number }).port;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/tunesmith_queue_jobs\{queue="tunesmith-compose",state="prioritized"\} 1/);
    expect(text).toMatch(/# TYPE tunesmith_stage_duration_seconds histogram/);
  });
});

describe('derived jobs: re-render and extend (real redis-server)', () => {
  async function composed(seed: number, overrides: Partial<CompositionRequest> = {}) {
    const log = deliveries();
    composeWorker();
    const jobs = producer({ limits: { perUserActive: 10, perGuildActive: 10, perUserPerMinute: 60, maxQueueLength: 20 } });
    const job = composeJob({ request: { seed, tempo: 100, durationSec: 4, ...overrides } });
    const submitted = await jobs.submit(job);
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 'source delivery' });
    const outcome = log.of(job.requestId)!;
    if (outcome.outcome !== 'success') throw new Error(`source failed: ${JSON.stringify(outcome)}`);
    return { log, jobs, sourceId: submitted.resultId, source: outcome.piece };
  }

  function derived(kind: 'rerender' | 'extend', sourceId: string, request: CompositionRequest, extra: Record<string, unknown> = {}): ComposeJobInput {
    return { ...composeJob({ request }), kind, source: { resultId: sourceId }, ...extra } as ComposeJobInput;
  }

  it('reads a compose job written before job kinds existed, with the same result id', () => {
    const old = composeJob({ request: { seed: 50 } });
    const parsed = ComposeJobSchema.parse(old);
    expect(parsed.kind).toBe('compose');
    const legacy = createHash('sha256')
      .update(JSON.stringify({ v: COMPOSER_VERSION, request: Object.fromEntries(Object.entries(parsed.request).sort(([a], [b]) => a.localeCompare(b))), render: { format: 'ogg', soundfont: null } }))
      .digest('hex')
      .slice(0, 32);
    expect(resultIdFor(parsed)).toBe(legacy);
    expect(ComposeJobSchema.safeParse({ ...old, kind: 'rerender' }).success).toBe(false); // needs a source and a transform
  });

  it('re-renders a stored piece without composing again: same notes, new tempo and key; a repeat comes from the store', async () => {
    const { log, jobs, sourceId, source } = await composed(51);
    const request = rerenderRequest(source.request, { bpm: source.summary.bpm, durationSec: source.summary.durationSec, key: parseKey(source.summary.key)! }, TransformSchema.parse({ tempoScale: 0.8, transpose: 2 }));
    const job = derived('rerender', sourceId, request, { transform: { tempoScale: 0.8, transpose: 2 } });
    const submitted = await jobs.submit(job);
    expect(submitted.status).toBe('queued');
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 're-render delivery' });
    const outcome = log.of(job.requestId)!;
    if (outcome.outcome !== 'success') throw new Error(JSON.stringify(outcome));
    expect(outcome.piece.summary.bpm).toBe(80);
    expect(outcome.piece.summary.durationSec).toBeCloseTo(5, 9);
    expect(outcome.piece.summary.derivation).toMatch(/same notes.*tempo 80%.*0:05 instead of 0:04/);
    expect(outcome.piece.request).toMatchObject({ seed: 51, tempo: 80 });
    const before = midiToScore(source.midi);
    const after = midiToScore(outcome.piece.midi);
    for (const [i, t] of after.tracks.entries()) {
      expect(t.notes.map((n) => n.tick)).toEqual(before.tracks[i]!.notes.map((n) => n.tick));
      expect(t.notes.map((n) => n.pitch)).toEqual(before.tracks[i]!.notes.map((n) => n.pitch + (t.role === 'drums' ? 0 : 2)));
    }
    expect(outcome.piece.audio.subarray(0, 4).toString()).toBe('OggS');

    const again = derived('rerender', sourceId, request, { transform: { tempoScale: 0.8, transpose: 2 } });
    expect((await jobs.submit(again)).status).toBe('cached');
  });

  it('extends a stored piece: the opening is the original, then new bars and an ending', async () => {
    const { log, jobs, sourceId, source } = await composed(52, { durationSec: 5 });
    const job = derived('extend', sourceId, { ...source.request, durationSec: 10 });
    await jobs.submit(job);
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 'extend delivery' });
    const outcome = log.of(job.requestId)!;
    if (outcome.outcome !== 'success') throw new Error(JSON.stringify(outcome));
    expect(outcome.piece.summary.durationSec).toBe(10);
    expect(outcome.piece.summary.bpm).toBe(source.summary.bpm);
    expect(outcome.piece.summary.derivation).toMatch(/Extended .* from 0:05 to 0:10: the first \d+ bars are the original/);
    const before = midiToScore(source.midi);
    const after = midiToScore(outcome.piece.midi);
    for (const t of before.tracks) {
      const kept = t.notes.filter((n) => n.tick < before.endTick);
      expect(after.tracks.find((x) => x.role === t.role)!.notes.slice(0, kept.length)).toEqual(kept);
    }
    expect(after.endTick).toBeGreaterThan(before.endTick);
  });

  it('tells the user once, without retrying, when the source piece is gone', async () => {
    const log = deliveries();
    let attempts = 0;
    composeWorker({ beforeAttempt: () => void attempts++ });
    const job = derived('rerender', 'f'.repeat(32), makeRequest({ durationSec: 4 }), { transform: { tempoScale: 1.1 } });
    await producer({ attempts: 3 }).submit(job);
    await waitFor(() => log.count(job.requestId) === 1, { timeout: 30_000, message: 'failure delivery' });
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toBe(1);
    const outcome = log.of(job.requestId)!;
    expect(outcome.outcome === 'failure' && outcome.message).toMatch(/no longer stored.*Variation/);
  });
});

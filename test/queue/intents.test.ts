/**
 * The intent journal (src/queue/intents.ts) on a real redis-server: what a shard killed between its
 * deferral and the queue write leaves behind is queued by another shard's sweep, exactly once,
 * and a request is never queued twice however often it is submitted.
 */
import { describe, expect, it } from 'vitest';
import { IntentJournal, recoverIntents } from '../../src/queue/intents.ts';
import { composeJobIdFor } from '../../src/queue/jobs.ts';
import { JobProducer } from '../../src/queue/producer.ts';
import { composeJob, quietLogger, testProducer } from '../support/queueFixtures.ts';
import { useTestRedis } from '../support/redis.ts';

const fixture = useTestRedis();

const producer = (opts: ConstructorParameters<typeof JobProducer>[1] = {}) => testProducer(fixture, opts);

describe('the intent journal', () => {
  it('a sweep queues what a dead shard left, leaves what a live one is still queueing, and drops what is too old to answer', async () => {
    const journal = new IntentJournal(fixture.redis.client());
    const jobs = producer();
    const now = Date.now();
    const left = composeJob({ request: { seed: 61 } });
    const live = composeJob({ request: { seed: 62 } });
    const old = composeJob({ request: { seed: 63 } });
    await journal.record(left, now - 30_000);
    await journal.record(live, now - 1_000);
    await journal.record(old, now - 20 * 60_000);

    const submitted: string[] = [];
    const result = await recoverIntents(journal, (job) => (submitted.push(job.requestId), jobs.submit(job, { admitted: true })), quietLogger, { olderThanMs: 20_000, maxAgeMs: 14 * 60_000, now });
    expect(result).toEqual({ queued: 1, expired: 1 });
    expect(submitted).toEqual([left.requestId]);
    expect(await jobs.composeQueue.getJob(composeJobIdFor(left.requestId))).toBeDefined();
    expect(await jobs.composeQueue.getJob(composeJobIdFor(old.requestId))).toBeUndefined();
    // Only the live shard's entry is left; a second sweep finds nothing more to do.
    expect((await journal.all()).map((i) => i.job.requestId)).toEqual([live.requestId]);
    expect(await recoverIntents(journal, (job) => jobs.submit(job, { admitted: true }), quietLogger, { olderThanMs: 20_000, maxAgeMs: 14 * 60_000, now })).toEqual({ queued: 0, expired: 0 });
  });

  it('submitting one request twice (a sweep racing a slow shard) queues it once and does not count it against the limits', async () => {
    const jobs = producer({ limits: { perUserActive: 1, perGuildActive: 10, perUserPerMinute: 10, maxQueueLength: 10 } });
    const job = composeJob({ request: { seed: 64 } });
    const first = await jobs.submit(job, { admitted: true });
    // The shard's own submit, late: the user's one active job is this one, so it must not be refused.
    const second = await jobs.submit(job);
    expect(first.status).toBe('queued');
    expect(second.status).toBe('queued');
    expect(second.jobId).toBe(first.jobId);
    expect(await jobs.composeQueue.getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 0, prioritized: 1 });
  });
});

/** The compose-worker settings every process that runs workers reads from its configuration. */
import type { QueueConfig } from '../config.ts';
import type { WorkerOptions } from 'bullmq';
import { QUEUE_PREFIX } from './jobs.ts';
import type { RedisClient } from './redisConnection.ts';

export function composeWorkerSettings(config: QueueConfig) {
  return {
    concurrency: config.WORKER_CONCURRENCY,
    jobTimeoutMs: config.JOB_TIMEOUT_SEC * 1000,
    resultTtlSec: config.RESULT_TTL_SEC,
    resultCacheBytes: config.RESULT_CACHE_MB * 1024 * 1024,
    shutdownGraceMs: config.SHUTDOWN_GRACE_SEC * 1000,
    lockMs: config.JOB_LOCK_MS,
    stalledCheckMs: config.JOB_STALLED_CHECK_MS,
  };
}

/**
 * The BullMQ worker options every Tunesmith queue shares: the `{tunesmith}` prefix, so each queue's
 * keys stay in one Redis Cluster slot, and the stall detection (a dead worker's job is noticed
 * within ~lockMs and taken up elsewhere, at most `maxStalledCount` times).
 */
export function bullWorkerOptions(opts: { connection: RedisClient; concurrency: number; lockMs?: number; stalledCheckMs?: number; maxStalledCount: number }): WorkerOptions {
  return {
    connection: opts.connection,
    prefix: QUEUE_PREFIX,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.stalledCheckMs ?? 15_000,
    maxStalledCount: opts.maxStalledCount,
  };
}

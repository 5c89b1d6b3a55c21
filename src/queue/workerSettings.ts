/** The compose-worker settings every process that runs workers reads from its configuration. */
import type { QueueConfig } from '../config.ts';

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

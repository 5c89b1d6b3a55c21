/**
 * Delivers finished (or failed) jobs to where they were asked for. Runs in the bot process, which
 * holds the Discord credentials; the `deliver` function it is given does the Discord calls. One
 * delivery job per compose job (its id is derived from the compose job's), retried with backoff,
 * so each user gets exactly one final reply even when a worker or the bot dies halfway.
 */
import { Worker, type Job } from 'bullmq';
import type { RedisClient } from './redisConnection.ts';
import type { Logger } from 'pino';
import { DeliverJobSchema, QUEUE_NAMES, QUEUE_PREFIX, type DeliverJob, type Delivery, type PieceSummary } from './jobs.ts';
import type { QueueMetrics } from './metrics.ts';
import { logRedisErrors } from './redisErrors.ts';
import { ResultStore, type StoredBundle, type StoredPiece } from './resultStore.ts';

export type DeliveryOutcome =
  | { outcome: 'success'; requestId: string; piece: StoredPiece; cached: boolean; understood: string[]; ignored?: string[] }
  | { outcome: 'failure'; requestId: string; message: string }
  | { outcome: 'bundle'; requestId: string; bundle: StoredBundle };

export type DeliverFn = (delivery: Delivery | null, outcome: DeliveryOutcome, job: Job<DeliverJob>) => Promise<void>;

export interface DeliveryWorkerOptions {
  connection: RedisClient;
  logger: Logger;
  deliver: DeliverFn;
  resultTtlSec: number;
  /** Budget of the audio cache (RESULT_CACHE_MB); default 512 MiB. */
  resultCacheBytes?: number;
  metrics?: QueueMetrics;
  concurrency?: number;
  /**
   * Replicas that must know a delivery was made before its job completes (Sentinel: 1). A
   * failover can lose the job's completion; the replicated mark keeps it from posting again.
   */
  replicasToAck?: number;
}

const deliveredKey = (jobId: string) => `tunesmith:delivered:${jobId}`;

export function startDeliveryWorker(opts: DeliveryWorkerOptions): Worker<DeliverJob> {
  const store = new ResultStore(opts.connection, opts.resultTtlSec, { cacheBytes: opts.resultCacheBytes });
  const worker = new Worker<DeliverJob>(
    QUEUE_NAMES.deliver,
    async (job) => {
      const data = DeliverJobSchema.parse(job.data);
      const log = opts.logger.child({ requestId: data.requestId, deliveryJob: job.id });
      if (opts.replicasToAck) {
        if (await opts.connection.exists(deliveredKey(String(job.id)))) return log.info('already delivered before a failover');
        await deliverOnce(job, data, log);
        await opts.connection.set(deliveredKey(String(job.id)), '1', 'EX', 24 * 3600);
        await opts.connection.call('WAIT', opts.replicasToAck, 2000);
        return;
      }
      await deliverOnce(job, data, log);
    },
    { connection: opts.connection, prefix: QUEUE_PREFIX, concurrency: opts.concurrency ?? 4, lockDuration: 60_000 },
  );
  logRedisErrors(worker, { client: 'delivery worker', logger: opts.logger });
  return worker;

  async function deliverOnce(job: Job<DeliverJob>, data: DeliverJob, log: Logger): Promise<void> {
    if (data.outcome === 'failure') {
      await opts.deliver(data.delivery, { outcome: 'failure', requestId: data.requestId, message: data.message }, job);
      log.info('failure delivered');
      return;
    }
    if (data.outcome === 'bundle') {
      const bundle = await store.getBundle(data.resultId);
      const outcome: DeliveryOutcome = bundle
        ? { outcome: 'bundle', requestId: data.requestId, bundle }
        : { outcome: 'failure', requestId: data.requestId, message: 'The files were made but expired before they could be posted. Please ask again.' };
      await opts.deliver(data.delivery, outcome, job);
      log.info('bundle delivered');
      return;
    }
    const piece = await store.get(data.resultId);
    if (!piece) {
      // The stored result expired before it could be delivered: say so instead of staying silent.
      await opts.deliver(data.delivery, { outcome: 'failure', requestId: data.requestId, message: 'Your piece was composed but expired before it could be posted. Please ask again.' }, job);
      return;
    }
    await opts.deliver(data.delivery, { outcome: 'success', requestId: data.requestId, piece, cached: data.cached, understood: data.understood, ignored: data.ignored }, job);
    if (opts.metrics) opts.metrics.jobSeconds.observe((Date.now() - (data.delivery?.interactionAt ?? job.timestamp)) / 1000);
    log.info({ cached: data.cached }, 'result delivered');
  }
}

export type { PieceSummary };

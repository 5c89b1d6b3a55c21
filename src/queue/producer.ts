/**
 * The bot's side of the queue: validate, apply fairness limits, serve identical requests from the
 * stored results, enqueue (short pieces first), and say where in the line a job stands.
 */
import { Queue, type Job } from 'bullmq';
import type { RedisClient } from './redisConnection.ts';
import { ComposeJobSchema, composeJobIdFor, QUEUE_NAMES, QUEUE_PREFIX, resultIdFor, type ComposeJob, type ComposeJobInput, type DeliverJob } from './jobs.ts';
import type { Logger } from 'pino';
import type { QueueMetrics } from './metrics.ts';
import { logRedisErrors } from './redisErrors.ts';
import { ResultStore } from './resultStore.ts';

export interface QueueLimits {
  /** Jobs one user may have waiting or running at once. */
  perUserActive: number;
  /** Jobs one server may have waiting or running at once. */
  perGuildActive: number;
  /** Requests one user may make per minute. */
  perUserPerMinute: number;
  /** Jobs waiting or running in total before new ones are refused. */
  maxQueueLength: number;
}

export const DEFAULT_LIMITS: QueueLimits = { perUserActive: 2, perGuildActive: 6, perUserPerMinute: 6, maxQueueLength: 50 };

export type Rejection = 'user-busy' | 'guild-busy' | 'rate-limited' | 'queue-full';

/** A request refused by a limit; `message` is for the user, `retryAfterSec` when trying again may work. */
export class QueueRejection extends Error {
  constructor(
    readonly reason: Rejection,
    message: string,
    readonly retryAfterSec: number,
  ) {
    super(message);
    this.name = 'QueueRejection';
  }
}

export type SubmitResult = { status: 'queued'; jobId: string; position: number; resultId: string } | { status: 'cached'; jobId: string; resultId: string };

const PENDING_STATES = ['waiting', 'prioritized', 'active', 'delayed'] as const;

/** Shorter pieces first: BullMQ runs lower priority numbers first. */
export function priorityFor(durationSec: number): number {
  return 1 + Math.floor(durationSec / 30);
}

/** The order BullMQ takes waiting jobs in: no priority (0) first, then lower numbers, each in arrival order. */
function queueOrder(a: Job<ComposeJob>, b: Job<ComposeJob>): number {
  return (a.opts.priority ?? 0) - (b.opts.priority ?? 0) || a.timestamp - b.timestamp;
}

export class JobProducer {
  readonly composeQueue: Queue<ComposeJob>;
  readonly deliverQueue: Queue<DeliverJob>;
  private readonly store: ResultStore;

  private readonly limits: QueueLimits;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly metrics?: QueueMetrics;
  /** Typical seconds per job, for "try again in N s" estimates. */
  private readonly typicalJobSec: number;
  private readonly replicasToAck: number;

  constructor(
    private readonly redis: RedisClient,
    opts: {
      limits?: QueueLimits;
      resultTtlSec?: number;
      attempts?: number;
      backoffMs?: number;
      metrics?: QueueMetrics;
      typicalJobSec?: number;
      logger?: Logger;
      /**
       * Replicas that must have a new job before it counts as accepted (Redis WAIT). With Sentinel
       * (asynchronous replication) a primary killed right after an enqueue would otherwise take
       * the job with it: 1 there, 0 on a single server or a cluster.
       */
      replicasToAck?: number;
    } = {},
  ) {
    this.replicasToAck = opts.replicasToAck ?? 0;
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.attempts = opts.attempts ?? 3;
    this.backoffMs = opts.backoffMs ?? 2000;
    this.metrics = opts.metrics;
    this.typicalJobSec = opts.typicalJobSec ?? 8;
    this.composeQueue = logRedisErrors(new Queue<ComposeJob>(QUEUE_NAMES.compose, { connection: redis, prefix: QUEUE_PREFIX }), { client: 'compose queue', logger: opts.logger });
    this.deliverQueue = logRedisErrors(new Queue<DeliverJob>(QUEUE_NAMES.deliver, { connection: redis, prefix: QUEUE_PREFIX }), { client: 'delivery queue', logger: opts.logger });
    this.store = new ResultStore(redis, opts.resultTtlSec ?? 24 * 3600);
  }

  /**
   * Queue a request (or its delivery, when the store has the result). Idempotent per request: the
   * job id is the request's, so a second submit of one request (intents.ts's recovery racing a slow
   * shard) finds the first. `admitted`: the limits were already applied (a recovered request).
   */
  async submit(input: ComposeJobInput, opts: { admitted?: boolean } = {}): Promise<SubmitResult> {
    const job = ComposeJobSchema.parse(input);
    const resultId = resultIdFor(job);
    const jobId = composeJobIdFor(job.requestId);
    if (await this.composeQueue.getJob(jobId)) return { status: 'queued', jobId, position: Math.max(0, await this.position(jobId)), resultId };

    if (await this.store.has(resultId)) {
      this.metrics?.cacheHits.inc();
      await this.deliverQueue.add(
        'deliver',
        { outcome: 'success', requestId: job.requestId, delivery: job.delivery, resultId, cached: true, understood: job.understood, ignored: job.ignored ?? [] },
        { jobId: `deliver-${jobId}`, attempts: 6, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
      );
      await this.replicated();
      return { status: 'cached', jobId, resultId };
    }

    if (opts.admitted) {
      await this.addCompose(job);
      return { status: 'queued', jobId, position: Math.max(0, await this.position(jobId)), resultId };
    }
    const userId = job.delivery?.userId;
    const guildId = job.delivery?.guildId ?? null;
    // One enqueue per user at a time, so two quick clicks can't both slip under the limit.
    const lockKey = `tunesmith:submit-lock:${userId ?? 'anonymous'}`;
    for (let i = 0; !(await this.redis.set(lockKey, jobId, 'PX', 5000, 'NX')); i++) {
      if (i > 50) throw new QueueRejection('user-busy', 'You have another request being queued right now. Try again in a moment.', 2);
      await new Promise((r) => setTimeout(r, 20));
    }
    try {
      const pending = await this.composeQueue.getJobs([...PENDING_STATES], 0, -1);
      this.enforce(pending, userId, guildId);
      if (userId) await this.enforceRate(userId);
      await this.addCompose(job);
      const position = await this.position(jobId);
      return { status: 'queued', jobId, position, resultId };
    } finally {
      if ((await this.redis.get(lockKey)) === jobId) await this.redis.del(lockKey);
    }
  }

  /**
   * The same limits as submit (queue length, per user, per server, per minute) for work queued
   * another way (a kit's flow, kitFlow.ts); throws QueueRejection.
   */
  async admit(userId: string | undefined, guildId: string | null): Promise<void> {
    const pending = await this.composeQueue.getJobs([...PENDING_STATES], 0, -1);
    this.enforce(pending, userId, guildId);
    if (userId) await this.enforceRate(userId);
  }

  private enforce(pending: Job<ComposeJob>[], userId: string | undefined, guildId: string | null): void {
    const reject = (reason: Rejection, message: string, retryAfterSec: number): never => {
      this.metrics?.rejected.inc({ reason });
      throw new QueueRejection(reason, message, retryAfterSec);
    };
    const live = pending.filter(Boolean);
    if (live.length >= this.limits.maxQueueLength) {
      const wait = Math.ceil((live.length - this.limits.maxQueueLength + 1) * this.typicalJobSec);
      reject('queue-full', `I'm busy right now (${live.length} pieces in the queue). Try again in about ${wait} s.`, wait);
    }
    if (userId) {
      const mine = live.filter((j) => j.data?.delivery?.userId === userId).length;
      if (mine >= this.limits.perUserActive) {
        reject('user-busy', `You already have ${mine} piece${mine === 1 ? '' : 's'} being composed (the limit is ${this.limits.perUserActive}). Wait for ${mine === 1 ? 'it' : 'one'} to finish.`, this.typicalJobSec);
      }
    }
    if (guildId) {
      const ours = live.filter((j) => j.data?.delivery?.guildId === guildId).length;
      if (ours >= this.limits.perGuildActive) {
        reject('guild-busy', `This server already has ${ours} pieces being composed (the limit is ${this.limits.perGuildActive}). Try again in about ${this.typicalJobSec} s.`, this.typicalJobSec);
      }
    }
  }

  /** Sliding one-minute window per user. */
  private async enforceRate(userId: string): Promise<void> {
    const key = `tunesmith:rate:${userId}`;
    const now = Date.now();
    const [, , countResult] = (await this.redis.multi().zremrangebyscore(key, 0, now - 60_000).zadd(key, now, `${now}-${Math.random()}`).zcard(key).pexpire(key, 60_000).exec()) ?? [];
    const count = Number(countResult?.[1] ?? 0);
    if (count > this.limits.perUserPerMinute) {
      const oldest = await this.redis.zrange(key, 0, 0, 'WITHSCORES');
      const retry = Math.max(1, Math.ceil((Number(oldest[1] ?? now) + 60_000 - now) / 1000));
      await this.redis.zremrangebyrank(key, -1, -1); // a refused request doesn't count
      this.metrics?.rejected.inc({ reason: 'rate-limited' });
      throw new QueueRejection('rate-limited', `That's more than ${this.limits.perUserPerMinute} requests a minute. Try again in ${retry} s.`, retry);
    }
  }

  /** Wait (at most 2 s) until the replicas have every write made so far on this connection. */
  private async replicated(): Promise<void> {
    if (this.replicasToAck > 0) await this.redis.call('WAIT', this.replicasToAck, 2000);
  }

  /** 1 = next to start; 0 = running now; -1 = not waiting (finished or unknown). */
  async position(jobId: string): Promise<number> {
    const job = await this.composeQueue.getJob(jobId);
    if (!job) return -1;
    const state = await job.getState();
    if (state === 'active') return 0;
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return -1;
    const waiting = await this.composeQueue.getJobs(['waiting', 'prioritized'], 0, -1);
    const ahead = waiting.filter((j) => j && j.id !== jobId && queueOrder(j, job) <= 0);
    return ahead.length + 1;
  }

  /** The compose job for an admitted request, acknowledged by a replica where there is one. */
  private async addCompose(job: ComposeJob): Promise<void> {
    await this.composeQueue.add('compose', job, {
      jobId: composeJobIdFor(job.requestId),
      priority: priorityFor(job.request.durationSec),
      attempts: this.attempts,
      backoff: { type: 'exponential', delay: this.backoffMs },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600 },
    });
    await this.replicated();
  }

  /**
   * Queue positions (1 = next) of many waiting jobs from one read of the queue: a poll over every
   * tracked reply then costs one pass over the queue, not one per reply. Jobs not waiting are absent.
   */
  async positions(jobIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (jobIds.length === 0) return out;
    const wanted = new Set(jobIds);
    const waiting = (await this.composeQueue.getJobs(['waiting', 'prioritized'], 0, -1)).filter((j) => j?.id !== undefined).sort(queueOrder);
    waiting.forEach((j, i) => {
      if (wanted.has(j.id!)) out.set(j.id!, i + 1);
    });
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.composeQueue.close(), this.deliverQueue.close()]);
  }
}

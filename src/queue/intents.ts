/**
 * Requests the bot has accepted (or is about to answer "thinking…" to) but may not have queued yet.
 * A shard killed between its deferral and the queue write would otherwise lose an accepted request
 * (bench:scale's kill -9 of a shard found one). The bot writes the job here before deferring and
 * removes it once the queue has it; every shard sweeps the journal at start and then periodically,
 * and queues what a dead shard left. The compose job id is the interaction id, so a request
 * already queued is not queued twice (JobProducer.submit is idempotent per request).
 *
 * One hash, single-key commands only (Cluster-safe).
 */
import type { Logger } from 'pino';
import type { ComposeJobInput } from './jobs.ts';
import type { RedisClient } from './redisConnection.ts';

/** The journal: one hash, request id → the job and when it was written. */
export const INTENTS_KEY = 'tunesmith:{intents}:pending';

export interface Intent {
  at: number;
  job: ComposeJobInput;
}

export class IntentJournal {
  constructor(private readonly redis: RedisClient) {}

  async record(job: ComposeJobInput, now = Date.now()): Promise<void> {
    await this.redis.hset(INTENTS_KEY, job.requestId, JSON.stringify({ at: now, job } satisfies Intent));
  }

  async clear(requestId: string): Promise<void> {
    await this.redis.hdel(INTENTS_KEY, requestId);
  }

  async all(): Promise<Intent[]> {
    const raw = await this.redis.hgetall(INTENTS_KEY);
    const out: Intent[] = [];
    for (const [requestId, value] of Object.entries(raw)) {
      try {
        out.push(JSON.parse(value) as Intent);
      } catch {
        await this.clear(requestId); // unreadable: nothing can be done with it
      }
    }
    return out;
  }
}

export interface RecoveryOptions {
  /** An entry this old was left by a shard that did not finish (a live enqueue takes milliseconds). */
  olderThanMs: number;
  /** Past this age the interaction token has expired: the request is dropped, with a log line. */
  maxAgeMs: number;
  now?: number;
}

/**
 * Queue every request a shard left in the journal (already admitted: the queue limits are not
 * applied again). Returns how many were queued and how many were too old.
 */
export async function recoverIntents(
  journal: IntentJournal,
  submit: (job: ComposeJobInput) => Promise<unknown>,
  logger: Logger,
  opts: RecoveryOptions,
): Promise<{ queued: number; expired: number }> {
  const now = opts.now ?? Date.now();
  let queued = 0;
  let expired = 0;
  for (const intent of await journal.all()) {
    const age = now - intent.at;
    if (age < opts.olderThanMs) continue;
    if (age > opts.maxAgeMs) {
      logger.warn({ requestId: intent.job.requestId, ageSec: Math.round(age / 1000) }, 'dropped a request its shard accepted but did not queue: too old to answer');
      expired++;
    } else {
      await submit(intent.job);
      logger.info({ requestId: intent.job.requestId, ageSec: Math.round(age / 1000) }, 'queued a request its shard accepted but did not queue');
      queued++;
    }
    await journal.clear(intent.job.requestId);
  }
  return { queued, expired };
}

/**
 * Startup check of a Redis we are given: accepted jobs live in it, so it must keep them.
 *  - `appendonly yes`: without the append-only file a restart loses everything since the last
 *    snapshot (measured with Debian's stock redis.conf: 18 of 40 jobs lost on a restart).
 *  - `maxmemory-policy noeviction`: any other policy lets Redis delete queued jobs under memory
 *    pressure. (The result cache bounds its own size: src/queue/audioCache.ts.)
 * Read with INFO, not CONFIG GET, which managed Redis services often disable.
 */
import type { Cluster, Redis } from 'ioredis';

export interface PersistenceFacts {
  /** Where the facts came from, for the message ("redis://host:6379", "cluster node 10.0.0.2:7001"). */
  where: string;
  appendonly: boolean;
  maxmemoryPolicy: string;
}

/** Pure: what is wrong with these facts, one sentence each (empty when nothing is). */
export function persistenceProblems(facts: PersistenceFacts): string[] {
  const problems: string[] = [];
  if (!facts.appendonly) problems.push('appendonly is no (a restart loses every job since the last snapshot)');
  if (facts.maxmemoryPolicy !== 'noeviction') problems.push(`maxmemory-policy is ${facts.maxmemoryPolicy} (Redis may delete queued jobs when memory runs short; it must be noeviction)`);
  return problems;
}

export class VolatileRedisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolatileRedisError';
  }
}

/** Parse `field:value` lines of INFO. */
function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

export async function readPersistence(redis: Redis, where: string): Promise<PersistenceFacts> {
  const [persistence, memory] = await Promise.all([redis.info('persistence'), redis.info('memory')]);
  return { where, appendonly: infoField(persistence, 'aof_enabled') === '1', maxmemoryPolicy: infoField(memory, 'maxmemory_policy') ?? 'unknown' };
}

/** Facts of every server that holds data: the one server, or each cluster primary. */
export async function readAllPersistence(client: Redis | Cluster, where: string): Promise<PersistenceFacts[]> {
  if ('nodes' in client && typeof client.nodes === 'function' && client.isCluster) {
    return Promise.all(client.nodes('master').map((node) => readPersistence(node, `cluster node ${node.options.host}:${node.options.port}`)));
  }
  return [await readPersistence(client as Redis, where)];
}

/**
 * Throws VolatileRedisError (one clear message: what is wrong, why it matters, how to fix it)
 * unless `allowVolatile`, in which case the same text is returned for a warning. Null: all good.
 */
export function judgePersistence(all: PersistenceFacts[], allowVolatile: boolean): string | null {
  const lines = all.flatMap((facts) => persistenceProblems(facts).map((p) => `${facts.where}: ${p}`));
  if (!lines.length) return null;
  const message =
    `Redis could lose accepted jobs: ${lines.join('; ')}. ` +
    'Set `appendonly yes` and `maxmemory-policy noeviction` in its redis.conf (or CONFIG SET both, then CONFIG REWRITE), ' +
    'or set ALLOW_VOLATILE_REDIS=1 to start anyway (a test or throwaway setup).';
  if (!allowVolatile) throw new VolatileRedisError(message);
  return message;
}

/**
 * One place that decides which Redis to use, for the bot, the shard manager, workers and BullMQ:
 *  - REDIS_URL: one server;
 *  - REDIS_SENTINELS + REDIS_SENTINEL_NAME: the primary that Sentinel names, followed through failovers;
 *  - REDIS_CLUSTER_NODES: a Redis Cluster (every key the project uses is hash-tagged, see keys.ts);
 *  - none: the embedded server (started here if `startEmbedded`, else the one a local bot started
 *    on TUNESMITH_REDIS_PORT).
 * At start the Redis's persistence is checked (redisPersistence.ts).
 */
import path from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { ConfigError, type QueueConfig } from '../config.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from './embeddedRedis.ts';
import { judgePersistence, readAllPersistence } from './redisPersistence.ts';

/** A connection to any of the three kinds of Redis; BullMQ takes either. */
export type RedisClient = Redis | Cluster;

export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[] }
  | { kind: 'embedded' };

export interface RedisHandle {
  redis: RedisClient;
  target: RedisTarget;
  /** Where Redis is, without any password, for logs. */
  safeUrl: string;
  embedded?: EmbeddedRedis;
  /**
   * Settles once Redis first answers: rejects with VolatileRedisError when it can lose jobs
   * (unless ALLOW_VOLATILE_REDIS=1, which logs a warning instead).
   */
  persistenceChecked: Promise<void>;
  close(): Promise<void>;
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

function hostPorts(variable: string, text: string): { host: string; port: number }[] {
  return text.split(',').map((item) => {
    const m = /^\s*([^\s:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(item);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) throw new ConfigError([`${variable}: "${item.trim()}" is not host:port (e.g. 10.0.0.5:26379); give a comma-separated list`]);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

/** Which Redis the configuration names; one clear ConfigError when it names more than one. */
export function redisTarget(config: Pick<QueueConfig, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_CLUSTER_NODES'>): RedisTarget {
  const set = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter((k) => config[k]);
  if (set.length > 1) throw new ConfigError([`${set.join(' and ')}: set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES`]);
  if (config.REDIS_SENTINELS) {
    if (!config.REDIS_SENTINEL_NAME) throw new ConfigError(['REDIS_SENTINEL_NAME: is missing: the name Sentinel knows the primary by (its `sentinel monitor <name> …` line), e.g. mymaster']);
    return { kind: 'sentinel', sentinels: hostPorts('REDIS_SENTINELS', config.REDIS_SENTINELS), name: config.REDIS_SENTINEL_NAME };
  }
  if (config.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: hostPorts('REDIS_CLUSTER_NODES', config.REDIS_CLUSTER_NODES) };
  if (config.REDIS_URL) return { kind: 'url', url: config.REDIS_URL };
  return { kind: 'embedded' };
}

export function describeTarget(target: RedisTarget): string {
  switch (target.kind) {
    case 'url':
      return redactUrl(target.url);
    case 'sentinel':
      return `sentinel ${target.name} via ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
    case 'cluster':
      return `cluster ${target.nodes.map((s) => `${s.host}:${s.port}`).join(',')}`;
    case 'embedded':
      return 'embedded';
  }
}

/** Settings BullMQ workers need: never give up on a command while Redis restarts or fails over. */
const COMMON: RedisOptions = {
  maxRetriesPerRequest: null,
  retryStrategy: (times) => Math.min(100 * times, 2000),
  // After a failover the old primary may come back as a replica: reconnect (to the new primary).
  reconnectOnError: (error) => (/READONLY/.test(error.message) ? 2 : false),
};

function logState(client: RedisClient, where: string, logger?: Logger): RedisClient {
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger?.warn({ err: error.message, redis: where }, 'Redis unreachable; retrying');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger?.info({ redis: where }, 'Redis reconnected');
    down = false;
  });
  return client;
}

export function createRedis(url: string, logger?: Logger): Redis {
  return logState(new Redis(url, COMMON), redactUrl(url), logger) as Redis;
}

/** A client for a target (not `embedded`: resolve that to a URL first). */
export function connectTarget(target: Exclude<RedisTarget, { kind: 'embedded' }>, password: string | undefined, logger?: Logger): RedisClient {
  const where = describeTarget(target);
  switch (target.kind) {
    case 'url':
      return createRedis(target.url, logger);
    case 'sentinel':
      return logState(new Redis({ ...COMMON, sentinels: target.sentinels, name: target.name, password, sentinelRetryStrategy: (times) => Math.min(100 * times, 1000) }), where, logger);
    case 'cluster':
      return logState(
        new Cluster(target.nodes, {
          redisOptions: { password, maxRetriesPerRequest: null },
          clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
          // A node that moved a slot or failed over answers MOVED / is gone: refresh and retry.
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 300,
        }),
        where,
        logger,
      );
  }
}

/** Resolves once the client is ready (it retries for as long as it takes). */
function whenReady(client: RedisClient): Promise<void> {
  return client.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => client.once('ready', () => resolve()));
}

export async function openRedis(
  config: QueueConfig,
  logger: Logger,
  opts: { startEmbedded: boolean },
): Promise<RedisHandle> {
  let embedded: EmbeddedRedis | undefined;
  let target = redisTarget(config);
  if (target.kind === 'embedded') {
    if (opts.startEmbedded) {
      embedded = await startEmbeddedRedis({
        dataDir: path.join(config.TUNESMITH_DATA_DIR, 'redis'),
        port: config.TUNESMITH_REDIS_PORT,
        onStaleStopped: (pid) => logger.warn({ pid, port: config.TUNESMITH_REDIS_PORT }, 'stopped a redis-server left running by an earlier start'),
      });
      logger.info({ redis: embedded.url, dataDir: embedded.dataDir }, 'started embedded redis-server (AOF persistence on)');
      target = { kind: 'url', url: embedded.url };
    } else {
      target = { kind: 'url', url: `redis://127.0.0.1:${config.TUNESMITH_REDIS_PORT}` };
    }
  }
  const safeUrl = describeTarget(target);
  const redis = connectTarget(target, config.REDIS_PASSWORD, logger);
  // Checked as soon as Redis answers; a process that starts while Redis is down keeps retrying.
  const persistenceChecked = whenReady(redis).then(async () => {
    const warning = judgePersistence(await readAllPersistence(redis, safeUrl), config.ALLOW_VOLATILE_REDIS === '1');
    if (warning) logger.warn({ redis: safeUrl }, `ALLOW_VOLATILE_REDIS=1: starting anyway. ${warning}`);
  });
  persistenceChecked.catch(() => {}); // the caller decides; never an unhandled rejection
  return {
    redis,
    target,
    safeUrl,
    embedded,
    persistenceChecked,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
      await embedded?.stop();
    },
  };
}

/**
 * One place that decides which Redis to use: REDIS_URL when set, else the embedded server
 * (started here if `startEmbedded`, or the one a local bot started, on TUNESMITH_REDIS_PORT).
 */
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { QueueConfig } from '../config.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from './embeddedRedis.ts';

export interface RedisHandle {
  redis: Redis;
  /** The URL without any password, for logs. */
  safeUrl: string;
  embedded?: EmbeddedRedis;
  close(): Promise<void>;
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** ioredis settings BullMQ workers need: never give up on a command while Redis restarts. */
export function createRedis(url: string, logger?: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  let down = false;
  redis.on('error', (error) => {
    if (!down) logger?.warn({ err: error.message, redis: redactUrl(url) }, 'Redis unreachable; retrying');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger?.info({ redis: redactUrl(url) }, 'Redis reconnected');
    down = false;
  });
  return redis;
}

export async function openRedis(config: QueueConfig, logger: Logger, opts: { startEmbedded: boolean }): Promise<RedisHandle> {
  let embedded: EmbeddedRedis | undefined;
  let url = config.REDIS_URL;
  if (!url) {
    if (opts.startEmbedded) {
      embedded = await startEmbeddedRedis({
        dataDir: path.join(config.TUNESMITH_DATA_DIR, 'redis'),
        port: config.TUNESMITH_REDIS_PORT,
        onStaleStopped: (pid) => logger.warn({ pid, port: config.TUNESMITH_REDIS_PORT }, 'stopped a redis-server left running by an earlier start'),
      });
      logger.info({ redis: embedded.url, dataDir: embedded.dataDir }, 'started embedded redis-server (AOF persistence on)');
      url = embedded.url;
    } else {
      url = `redis://127.0.0.1:${config.TUNESMITH_REDIS_PORT}`;
    }
  }
  const redis = createRedis(url, logger);
  return {
    redis,
    safeUrl: redactUrl(url),
    embedded,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
      await embedded?.stop();
    },
  };
}

/**
 * Error listeners for Redis clients (ioredis connections, BullMQ Queue, Worker, QueueEvents).
 *
 * An EventEmitter with no `error` listener prints each error's stack to stderr (ioredis:
 * "Unhandled error event"), or throws; while Redis is down every reconnection attempt emits one,
 * every 0.1–2 s per client. So every client gets a listener, and it logs through pino, at most
 * one line per client per `everyMs`, with the number of errors it left out since the last line.
 */
import type { Logger } from 'pino';

export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface ErrorLogOptions {
  /** Which client, e.g. "compose worker", "delivery queue": one rate limit per client. */
  client: string;
  /** Absent: the errors are still listened to (never reach stderr), just not logged. */
  logger?: Logger;
  /** At most one line per this many milliseconds (default 30 s). */
  everyMs?: number;
  now?: () => number;
}

/** Listen to `emitter`'s errors and log them rate-limited; returns the emitter. */
export function logRedisErrors<T extends ErrorEmitter>(emitter: T, opts: ErrorLogOptions): T {
  const everyMs = opts.everyMs ?? 30_000;
  const now = opts.now ?? Date.now;
  let lastAt = -Infinity;
  let suppressed = 0;
  emitter.on('error', (error: Error) => {
    const at = now();
    if (at - lastAt < everyMs) {
      suppressed++;
      return;
    }
    lastAt = at;
    const code = (error as NodeJS.ErrnoException).code;
    opts.logger?.warn({ client: opts.client, err: error.message, ...(code ? { code } : {}), ...(suppressed ? { suppressed } : {}) }, `${opts.client}: Redis error`);
    suppressed = 0;
  });
  return emitter;
}

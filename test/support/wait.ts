/**
 * Bounded waiting for tests: every wait has a timeout and fails with a message that says what
 * was awaited (and the last error the probe threw), never a bare vitest timeout.
 */
export interface WaitOptions {
  /** Milliseconds before giving up (default 10 s). */
  timeout?: number;
  /** Polling interval in ms (default 10). */
  interval?: number;
  /** What is being awaited, for the failure message. */
  message?: string | (() => string);
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/**
 * Poll `probe` until it returns a truthy value (which is returned). A probe that throws counts
 * as "not yet"; its last error is quoted on timeout, so `expect(...)` inside a probe works too.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<NonNullable<T>> {
  const timeout = opts.timeout ?? 10_000;
  const interval = opts.interval ?? 10;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = typeof opts.message === 'function' ? opts.message() : (opts.message ?? 'condition');
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new WaitTimeoutError(`timed out after ${timeout} ms waiting for ${what}${why}`);
    }
    await sleep(interval);
  }
}

/** Race a promise against a timeout with a clear message (leaves no pending timer or promise). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new WaitTimeoutError(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

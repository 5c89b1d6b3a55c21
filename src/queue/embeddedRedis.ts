/**
 * A local redis-server supervised by this process: started with persistence on (AOF) in a data
 * directory, stopped (and so flushed to disk) on exit. Used when no REDIS_URL is configured, and
 * by the tests, which need a real server they can restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface EmbeddedRedis {
  url: string;
  port: number;
  dataDir: string;
  /** Stop the server (it writes its AOF first). */
  stop(): Promise<void>;
  /** Kill -9 without a clean shutdown (for failure tests). */
  kill(): Promise<void>;
  /** Start it again on the same port and data directory. */
  restart(): Promise<void>;
}

export class RedisStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisStartError';
  }
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new RedisStartError(`redis-server exited with code ${child.exitCode} while starting`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => {});
    try {
      await client.connect();
      // While loading the AOF after a restart, redis answers PING but refuses data commands.
      const info = await client.info('persistence');
      if (/loading:0/.test(info)) return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new RedisStartError(`redis-server did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * `always`: every accepted job is on disk before the enqueue returns (survives even a kill -9 of
 * redis-server or a power cut), at ~1 ms of fsync per write. `everysec` (Redis's default) loses at
 * most the last second on a crash; a clean restart loses nothing either way.
 */
export type AppendFsync = 'always' | 'everysec';

export async function startEmbeddedRedis(opts: { dataDir: string; port?: number; binary?: string; timeoutMs?: number; appendfsync?: AppendFsync }): Promise<EmbeddedRedis> {
  const dataDir = path.resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const binary = opts.binary ?? process.env.TUNESMITH_REDIS_SERVER ?? 'redis-server';
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderr = '';

  const launch = async () => {
    stderr = '';
    const proc = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const spawnError = new Promise<never>((_, reject) =>
      proc.once('error', (e: NodeJS.ErrnoException) =>
        reject(new RedisStartError(e.code === 'ENOENT' ? `redis-server was not found. Install it with: sudo apt-get install redis-server (or run bash scripts/setup.sh), or set REDIS_URL to an existing Redis.` : e.message)),
      ),
    );
    child = proc;
    try {
      await Promise.race([waitForPing(url, proc, opts.timeoutMs ?? 15_000), spawnError]);
    } catch (error) {
      proc.kill('SIGKILL');
      const detail = stderr.trim() ? `\nredis-server said: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      throw new RedisStartError(`${(error as Error).message}${detail}`);
    }
  };

  const exited = (proc: ChildProcess) => (proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('exit', () => r())));
  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await exited(proc);
  };

  await launch();
  return {
    url,
    port,
    dataDir,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    restart: async () => {
      await stopWith('SIGTERM');
      await launch();
    },
  };
}

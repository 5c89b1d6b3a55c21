/**
 * A local redis-server supervised by this process: started with persistence on (AOF) in a data
 * directory, stopped (and so flushed to disk) on exit. Used when no REDIS_URL is configured, and
 * by the tests, which need a real server they can restart.
 *
 * Ownership: the server is ours only while this process lives.
 *  - Its pid is written to `<dataDir>/redis-server.pid`. A start that finds that pid alive, still
 *    a redis-server for this data directory, knows an earlier start left it behind (its parent was
 *    killed) and stops it first.
 *  - A start never uses a server it did not spawn: the port must be free, and the server that
 *    answers must report our child's pid (INFO process_id). Anything else on the port is refused
 *    with one clear line, instead of silently serving jobs from someone else's Redis.
 *  - If this process exits without stopping it (process.exit after a failed start, an uncaught
 *    error), an exit hook sends it SIGTERM; it writes its AOF and exits. A SIGTERM/SIGINT/SIGHUP
 *    that arrives before the process installs its own handler (during start) does the same.
 *  - A kill -9 of this process runs no hook: the server is started through util-linux's
 *    `setpriv --pdeathsig TERM`, so the kernel sends it SIGTERM when its parent dies. Where
 *    setpriv is missing, the pid file lets the next start clean up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
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

/** Children still running, stopped by the exit hook if this process ends without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function supervise(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGTERM');
  });
  // A signal with no other handler would end this process without an 'exit' event: stop the
  // children, then exit as the signal would have. Once the program has its own handler (a
  // graceful shutdown that still needs Redis), this one stands aside.
  for (const [signal, number] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]] as const) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      process.exit(128 + number);
    });
  }
}

/** util-linux's setpriv, which sets the parent-death signal before it execs redis-server. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
/** The command that starts redis-server so that it dies with this process. */
export function diesWithParent(binary: string, args: string[]): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', 'TERM', '--', binary, ...args]] : [binary, args];
}

export const PID_FILE = 'redis-server.pid';
const NOT_FOUND = 'redis-server was not found. Install it with: sudo apt-get install redis-server (or run bash scripts/setup.sh), or set REDIS_URL to an existing Redis.';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A redis-server an earlier start left running for `dataDir` (its pid file names a live
 * redis-server started with this --dir): stop it. Returns its pid, or null when there was none.
 */
export async function stopStaleServer(dataDir: string, timeoutMs = 10_000): Promise<number | null> {
  const pidFile = path.join(dataDir, PID_FILE);
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) {
    await rm(pidFile, { force: true });
    return null;
  }
  // The pid may have been reused by an unrelated process: only a redis-server for this data
  // directory is ours. Its cmdline is renamed by redis, so the directory is read from /proc.
  const exe = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
  const ourDir = await realpath(dataDir).catch(() => dataDir);
  if (!/redis-server/.test(exe) || cwd !== ourDir) {
    await rm(pidFile, { force: true });
    return null;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await rm(pidFile, { force: true });
  return pid;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (taken: boolean) => {
      socket.destroy();
      resolve(taken);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // 127: setpriv could not find the binary to exec.
    if (child.exitCode === 127) throw new RedisStartError(NOT_FOUND);
    if (child.exitCode !== null) throw new RedisStartError(`redis-server exited with code ${child.exitCode} while starting`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => {});
    try {
      await client.connect();
      // Only our own child counts: another server answering on the port must never be taken for it.
      const server = await client.info('server');
      const pid = /process_id:(\d+)/.exec(server)?.[1];
      if (pid !== String(child.pid)) throw new RedisStartError(`another redis-server (pid ${pid}) answers on ${url}`);
      // While loading the AOF after a restart, redis answers PING but refuses data commands.
      const info = await client.info('persistence');
      if (/loading:0/.test(info)) return;
    } catch (error) {
      if (error instanceof RedisStartError) throw error;
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

export interface EmbeddedRedisOptions {
  dataDir: string;
  port?: number;
  binary?: string;
  timeoutMs?: number;
  appendfsync?: AppendFsync;
  /** Told the pid of a server an earlier start left running in this data directory, once stopped. */
  onStaleStopped?: (pid: number) => void;
}

export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dataDir = path.resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const binary = opts.binary ?? process.env.TUNESMITH_REDIS_SERVER ?? 'redis-server';
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderr = '';

  const launch = async () => {
    stderr = '';
    const stale = await stopStaleServer(dataDir);
    if (stale) opts.onStaleStopped?.(stale);
    if (await portTaken(port)) {
      throw new RedisStartError(
        `port ${port} is already in use by another process (not a redis-server this bot started in ${dataDir}). Stop it, set TUNESMITH_REDIS_PORT to a free port, or set REDIS_URL to use an existing Redis on purpose.`,
      );
    }
    const [command, args] = diesWithParent(binary, [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', opts.appendfsync ?? 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
    ]);
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const spawnError = new Promise<never>((_, reject) =>
      proc.once('error', (e: NodeJS.ErrnoException) =>
        reject(new RedisStartError(e.code === 'ENOENT' ? NOT_FOUND : e.message)),
      ),
    );
    child = proc;
    supervise(proc);
    try {
      await Promise.race([waitForPing(url, proc, opts.timeoutMs ?? 15_000), spawnError]);
      await writeFile(path.join(dataDir, PID_FILE), `${proc.pid}\n`);
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
    await rm(path.join(dataDir, PID_FILE), { force: true });
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

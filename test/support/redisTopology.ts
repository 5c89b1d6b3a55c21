/**
 * Real Redis topologies on loopback for tests: a Sentinel set (a primary, a replica and three
 * redis-sentinel processes) and a 3-primary Redis Cluster made with `redis-cli --cluster create`.
 * Every process is started so that it dies with this one (setpriv --pdeathsig), and stop()
 * kills them all; data lives in a temporary directory that stop() removes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { diesWithParent, freePort } from '../../src/queue/embeddedRedis.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

interface Proc {
  port: number;
  child: ChildProcess;
}

function launch(binary: string, args: string[], cwd: string): ChildProcess {
  const [command, argv] = diesWithParent(binary, args);
  const child = spawn(command, argv, { cwd, stdio: 'ignore' });
  child.on('error', () => {});
  return child;
}

async function answers(port: number, check: (c: Redis) => Promise<boolean> = async (c) => (await c.ping()) === 'PONG'): Promise<boolean> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  c.on('error', () => {});
  try {
    await c.connect();
    return await check(c);
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

async function killAll(procs: Proc[]): Promise<void> {
  await Promise.all(
    procs.map(({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      return gone;
    }),
  );
}

const SERVER_ARGS = (port: number, dir: string) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--loglevel', 'warning'];

export interface SentinelSet {
  name: string;
  /** REDIS_SENTINELS / REDIS_SENTINEL_NAME for the bot and workers. */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string };
  primary: Proc;
  replica: Proc;
  sentinels: Proc[];
  /** The port Sentinel currently names as primary. */
  currentPrimaryPort(): Promise<number>;
  /** kill -9 of the primary. */
  killPrimary(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Primary + replica + 3 sentinels (quorum 2). A dead primary is noticed after 1 s and replaced
 * within a few seconds. Replication is asynchronous, so the producer WAITs for the replica after
 * every accepted job (src/queue/producer.ts) and the delivery worker after every post.
 */
export async function startSentinelSet(): Promise<SentinelSet> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-sentinel-'));
  const procs: Proc[] = [];
  const name = 'tunesmith';
  try {
    const start = async (args: (port: number) => string[] | Promise<string[]>, binary = 'redis-server', check?: (c: Redis) => Promise<boolean>): Promise<Proc> => {
      const port = await freePort();
      const proc = { port, child: launch(binary, await args(port), dir) };
      procs.push(proc);
      await waitFor(() => answers(port, check), { timeout: 10_000, message: `${binary} on ${port} to answer` });
      return proc;
    };
    const primary = await start((port) => [...SERVER_ARGS(port, dir), '--dbfilename', `p${port}.rdb`, '--appendfilename', `p${port}.aof`]);
    const replica = await start(
      (port) => [...SERVER_ARGS(port, dir), '--dbfilename', `r${port}.rdb`, '--appendfilename', `r${port}.aof`, '--replicaof', '127.0.0.1', String(primary.port)],
      'redis-server',
      async (c) => /master_link_status:up/.test(await c.info('replication')),
    );
    const sentinels: Proc[] = [];
    for (let i = 0; i < 3; i++) {
      sentinels.push(
        await start(async (port) => {
          // Sentinel rewrites its configuration file as it learns the topology: one file each.
          const conf = path.join(dir, `sentinel-${port}.conf`);
          await writeFile(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`, `sentinel down-after-milliseconds ${name} 1000`, `sentinel failover-timeout ${name} 5000`, `sentinel parallel-syncs ${name} 1`, ''].join('\n'));
          return [conf];
        }, 'redis-sentinel'),
      );
    }
    // Every sentinel must know the replica and the other sentinels before a failover can work.
    await waitFor(
      async () => {
        for (const s of sentinels) {
          const ok = await answers(s.port, async (c) => {
            const [replicas, peers] = (await Promise.all([c.call('SENTINEL', 'REPLICAS', name), c.call('SENTINEL', 'SENTINELS', name)])) as [unknown[], unknown[]];
            return replicas.length === 1 && peers.length === 2;
          });
          if (!ok) return false;
        }
        return true;
      },
      { timeout: 30_000, interval: 200, message: 'the sentinels to discover the replica and each other' },
    );
    const currentPrimaryPort = async () => {
      for (const s of sentinels) {
        let port = 0;
        if (await answers(s.port, async (c) => ((port = Number(((await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1])), true))) return port;
      }
      throw new Error('no sentinel answers');
    };
    return {
      name,
      env: { REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), REDIS_SENTINEL_NAME: name },
      primary,
      replica,
      sentinels,
      currentPrimaryPort,
      async killPrimary() {
        await killAll([primary]);
      },
      async stop() {
        await killAll(procs);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await killAll(procs);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface TestCluster {
  ports: number[];
  /** REDIS_CLUSTER_NODES for the bot and workers. */
  env: { REDIS_CLUSTER_NODES: string };
  stop(): Promise<void>;
}

/** Three cluster-enabled redis-servers joined into one cluster (no replicas) with redis-cli. */
export async function startTestCluster(): Promise<TestCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-cluster-'));
  const procs: Proc[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      procs.push({ port, child: launch('redis-server', [...SERVER_ARGS(port, dir), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--appendfilename', `c${port}.aof`, '--dbfilename', `c${port}.rdb`], dir) });
    }
    for (const p of procs) await waitFor(() => answers(p.port), { timeout: 10_000, message: `cluster node ${p.port} to answer` });
    await run('redis-cli', ['--cluster', 'create', ...procs.map((p) => `127.0.0.1:${p.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const p of procs) {
      await waitFor(() => answers(p.port, async (c) => /cluster_state:ok/.test((await c.call('CLUSTER', 'INFO')) as string)), { timeout: 20_000, interval: 100, message: `cluster node ${p.port} to report cluster_state:ok` });
    }
    return {
      ports: procs.map((p) => p.port),
      env: { REDIS_CLUSTER_NODES: procs.map((p) => `127.0.0.1:${p.port}`).join(',') },
      async stop() {
        await killAll(procs);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await killAll(procs);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

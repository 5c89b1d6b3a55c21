/**
 * The gateway, sharded (`npm start`): discord.js's ShardingManager runs the bot (src/bot/main.ts)
 * as one process per group of SHARDS_PER_PROCESS shards, out of SHARD_COUNT (or Discord's
 * recommendation, `auto`). Every process shares one Redis, one queue and the workers: any of them
 * can deliver any result (delivery is REST through the interaction webhook), and a guild's voice
 * session lives in the process of the shard that owns the guild.
 *
 * A shard process that dies is started again by the manager (ShardingManager `respawn`); the
 * others keep serving. The manager also owns the embedded redis-server when REDIS_URL etc. are
 * unset (shards get its URL), and serves /healthz with each shard's gateway state and Redis's.
 */
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager, type Shard } from 'discord.js';
import type { Logger } from 'pino';
import { openRedis, type RedisHandle } from '../queue/redisConnection.ts';
import type { ShardConfig } from './config.ts';
import { startShardHealth, type ShardState } from './shardHealth.ts';
import { planShardProcesses, spawnDelayMs } from './shardPlan.ts';

const SHARD_FILE = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface ShardManagerHandle {
  manager: ShardingManager;
  states: ShardState[];
  redis: RedisHandle;
  /** Where /healthz listens (0 when METRICS_PORT is unset). */
  healthPort: number;
  stop(): Promise<void>;
}

/** Discord's advice for this bot: shard count and how many shards may IDENTIFY at once. */
export async function gatewayAdvice(config: Pick<ShardConfig, 'DISCORD_TOKEN' | 'DISCORD_API_BASE'>): Promise<{ shards: number; maxConcurrency: number }> {
  const rest = new REST(config.DISCORD_API_BASE ? { api: config.DISCORD_API_BASE } : {}).setToken(config.DISCORD_TOKEN);
  const info = (await rest.get(Routes.gatewayBot())) as { shards: number; session_start_limit?: { max_concurrency?: number } };
  return { shards: Math.max(1, info.shards), maxConcurrency: info.session_start_limit?.max_concurrency ?? 1 };
}

export async function startShardManager(config: ShardConfig, logger: Logger): Promise<ShardManagerHandle> {
  const redis = await openRedis(config, logger, { startEmbedded: true });
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => redis.close()];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch((e: Error) => logger.warn({ err: e.message }, 'could not stop cleanly'));
  };
  try {
    await redis.persistenceChecked;
    const advice = await gatewayAdvice(config);
    const total = config.SHARD_COUNT === 'auto' ? advice.shards : config.SHARD_COUNT;
    const groups = planShardProcesses(total, config.SHARDS_PER_PROCESS);
    const manager = new ShardingManager(SHARD_FILE, {
      totalShards: total,
      shardList: groups.map((g) => g[0]!),
      token: config.DISCORD_TOKEN,
      mode: 'process',
      respawn: true,
      execArgv: ['--import', 'tsx'],
    });
    const states: ShardState[] = groups.map((ids) => ({ ids, pid: null, status: 'starting', starts: 0, readyAt: null, shard: null }));
    // Everything the shard processes need that differs from the manager's environment.
    const shardEnv = (index: number): Record<string, string> => ({
      ...(redis.embedded ? { REDIS_URL: redis.embedded.url } : {}),
      // Each process serves its own /metrics, next to the manager's port.
      METRICS_PORT: config.METRICS_PORT ? String(config.METRICS_PORT + 1 + index) : '0',
    });
    manager.on('shardCreate', (shard: Shard) => {
      const index = groups.findIndex((g) => g[0] === shard.id);
      const state = states[index]!;
      state.shard = shard;
      // A JSON list: discord.js's Client reads SHARDS with JSON.parse, so one process can run several.
      Object.assign(shard.env as Record<string, string>, shardEnv(index), { SHARDS: JSON.stringify(state.ids) });
      const log = logger.child({ shards: state.ids });
      shard.on('spawn', (child) => {
        state.pid = 'pid' in child ? (child.pid ?? null) : null;
        state.starts++;
        state.status = 'starting';
        log.info({ pid: state.pid, starts: state.starts }, state.starts === 1 ? 'shard process started' : 'shard process restarted');
      });
      shard.on('ready', () => {
        state.status = 'ready';
        state.readyAt = Date.now();
        log.info({ pid: state.pid }, 'shard ready');
      });
      shard.on('disconnect', () => void (state.status = 'disconnected'));
      shard.on('reconnecting', () => void (state.status = 'reconnecting'));
      shard.on('resume', () => void (state.status = 'ready'));
      shard.on('death', (child) => {
        state.status = 'dead';
        if (manager.respawn) log.warn({ pid: 'pid' in child ? child.pid : null, exitCode: 'exitCode' in child ? child.exitCode : null }, 'shard process died; starting it again (the other shards keep serving)');
      });
      shard.on('error', (error: Error) => log.error({ err: error.message }, 'shard error'));
    });
    cleanups.push(() => stopShards(manager, (config.SHUTDOWN_GRACE_SEC + 15) * 1000));

    let healthPort = 0;
    if (config.METRICS_PORT) {
      const health = await startShardHealth({ port: config.METRICS_PORT, host: config.METRICS_HOST, states, redis: redis.redis });
      healthPort = config.METRICS_PORT;
      cleanups.push(() => new Promise<void>((r) => health.close(() => r())));
    }
    logger.info({ shards: total, processes: groups.length, perProcess: config.SHARDS_PER_PROCESS, redis: redis.safeUrl }, 'starting shards');
    await manager.spawn({ amount: total, delay: spawnDelayMs(advice.maxConcurrency), timeout: config.SHARD_READY_TIMEOUT_SEC * 1000 });
    logger.info({ shards: total, pids: states.map((s) => s.pid) }, 'all shards ready');
    return { manager, states, redis, healthPort, stop: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** SIGTERM to every shard process (no respawn), SIGKILL for any still running after `graceMs`. */
async function stopShards(manager: ShardingManager, graceMs: number): Promise<void> {
  manager.respawn = false;
  await Promise.all(
    [...manager.shards.values()].map(async (shard) => {
      const child = shard.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/**
 * `npm start` as it runs in production: the shard manager (src/bot/shards.ts) starts the bot as
 * two shard processes against the fake Discord, which routes each guild to shard
 * (guild_id >> 22) % 2. Both shards serve /compose; a kill -9 of one shard's process restarts that
 * shard only, while the other keeps serving; /healthz reports each shard's gateway state and
 * Redis; SIGTERM stops every process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployCommands } from '../../scripts/deploy-commands.ts';
import { freePort } from '../../src/queue/embeddedRedis.ts';
import { FakeDiscord, snowflakeAt } from '../support/fake-discord.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

interface Health {
  status: string;
  redis: string;
  processes: { shards: number[]; pid: number; process: string; restarts: number; gateway: { id: number; gateway: string; ready: boolean }[] }[];
}

let discord: FakeDiscord;
let redis: TestRedis;
let manager: ChildProcess | undefined;
let managerExit: Promise<number | null>;
const output: string[] = [];
let healthUrl = '';
const seen = new Set<number>();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function health(): Promise<{ code: number; body: Health }> {
  const res = await fetch(healthUrl);
  return { code: res.status, body: (await res.json()) as Health };
}

beforeAll(async () => {
  discord = await FakeDiscord.start();
  redis = await startTestRedis();
}, 60_000);
afterAll(async () => {
  manager?.kill('SIGKILL');
  for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await discord?.stop();
  await redis?.cleanup();
}, 60_000);

describe('the sharded gateway (npm start)', () => {
  it('two shard processes serve their guilds; a killed shard restarts alone while the other serves; /healthz tells; SIGTERM stops all', async () => {
    discord.gatewayAdvice = { shards: 2, maxConcurrency: 16 };
    const base = Date.now() - 60_000;
    // One guild per shard: creation times one ms apart.
    const a = discord.seedGuild('on shard 0', snowflakeAt(base - (base % 2)));
    const b = discord.seedGuild('on shard 1', snowflakeAt(base - (base % 2) + 1));
    expect(Number((BigInt(a.guild.id) >> 22n) % 2n)).toBe(0);
    expect(Number((BigInt(b.guild.id) >> 22n) % 2n)).toBe(1);
    const port = await freePort();
    healthUrl = `http://127.0.0.1:${port}/healthz`;
    const env = {
      ...discord.env(),
      ...redis.env,
      SHARD_COUNT: 'auto',
      SHARDS_PER_PROCESS: '1',
      METRICS_PORT: String(port),
      BOT_WORKERS: '1',
      DEFAULT_COOLDOWN_SEC: '0',
      JOB_LOCK_MS: '4000',
      JOB_STALLED_CHECK_MS: '1000',
      LOG_LEVEL: 'info',
    };
    await deployCommands(env);
    manager = spawn(process.execPath, ['--import', 'tsx', 'src/bot/shards.ts'], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    seen.add(manager.pid!);
    managerExit = new Promise((r) => manager!.once('exit', (code) => r(code)));
    for (const stream of [manager.stdout!, manager.stderr!]) stream.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));

    const ready = await waitFor(async () => {
      const h = await health().catch(() => null);
      return h?.code === 200 ? h.body : null;
    }, { timeout: 150_000, interval: 500, message: () => `/healthz to answer 200 (output: ${output.slice(-5).join(' | ')})` });
    expect(ready.redis).toBe('ok');
    expect(ready.processes.map((p) => p.shards)).toEqual([[0], [1]]);
    expect(ready.processes.flatMap((p) => p.gateway)).toEqual([
      { id: 0, gateway: 'READY', ready: true },
      { id: 1, gateway: 'READY', ready: true },
    ]);
    const [pid0, pid1] = ready.processes.map((p) => p.pid);
    seen.add(pid0!).add(pid1!);
    expect(pid0).not.toBe(pid1);
    expect(discord.gateway.sessions.map((s) => s.shard).sort()).toEqual([[0, 2], [1, 2]]);

    const compose = async (g: typeof a, seed: number) => {
      const it = await discord.invoke('compose', { style: 'lofi', duration: '4', seed }, { user: g.alice, channel: g.text });
      return it.waitForOriginal((m) => m.attachments.length === 3, 90_000);
    };
    await Promise.all([compose(a, 301), compose(b, 302)]);

    // kill -9 shard 1's process: shard 0 keeps serving meanwhile, shard 1 comes back on its own.
    process.kill(pid1!, 'SIGKILL');
    await waitFor(async () => (await health()).body.processes[1]!.gateway[0]!.ready === false, { timeout: 10_000, interval: 100, message: '/healthz to report shard 1 down' });
    const during = await health();
    expect(during.code).toBe(503);
    expect(during.body.processes[0]).toMatchObject({ pid: pid0, restarts: 0, gateway: [{ id: 0, ready: true }] });
    await compose(a, 303);
    const back = await waitFor(async () => {
      const h = await health();
      return h.code === 200 ? h.body : null;
    }, { timeout: 120_000, interval: 500, message: 'shard 1 to be restarted and READY' });
    expect(back.processes[0]).toMatchObject({ pid: pid0, restarts: 0 });
    expect(back.processes[1]!.restarts).toBe(1);
    expect(back.processes[1]!.pid).not.toBe(pid1);
    seen.add(back.processes[1]!.pid);
    expect(alive(pid0!)).toBe(true);
    await compose(b, 304);

    manager.kill('SIGTERM');
    expect(await Promise.race([managerExit, new Promise((r) => setTimeout(() => r('timeout'), 60_000))])).toBe(0);
    for (const pid of seen) expect(alive(pid), `process ${pid} after SIGTERM`).toBe(false);
  }, 400_000);
});

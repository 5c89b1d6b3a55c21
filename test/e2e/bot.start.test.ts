/**
 * Starting the bot with its embedded redis-server: a start that fails after Redis is up leaves no
 * redis-server behind, a stale one this bot started earlier (in the same data directory) is
 * replaced, and a foreign server on the port is refused rather than silently used.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot/bot.ts';
import { BotConfigSchema } from '../../src/bot/config.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { parseConfig } from '../../src/config.ts';
import { freePort, startEmbeddedRedis } from '../../src/queue/embeddedRedis.ts';
import { FakeDiscord } from '../support/fake-discord.ts';
import { waitFor } from '../support/wait.ts';

let discord: FakeDiscord;
const dirs: string[] = [];
const spawned: number[] = [];

beforeAll(async () => {
  discord = await FakeDiscord.start();
  discord.seedGuild();
});
afterAll(async () => {
  for (const pid of spawned) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await discord?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Pids of live redis-server processes serving `port` (redis renames itself to "redis-server 127.0.0.1:PORT"). */
async function redisServersOn(port: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // a zombie has exited
    } catch {
      continue;
    }
    if (/redis-server/.test(cmdline) && (cmdline.includes(`:${port}`) || cmdline.includes(`--port ${port} `))) pids.push(Number(entry));
  }
  return pids;
}

async function embeddedEnv(extra: Record<string, string> = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tunesmith-start-'));
  dirs.push(dataDir);
  const port = await freePort();
  const env: Record<string, string> = { ...discord.env(), TUNESMITH_DATA_DIR: dataDir, TUNESMITH_REDIS_PORT: String(port), BOT_WORKERS: '0', LOG_LEVEL: 'info', ...extra };
  delete env.REDIS_URL;
  return { dataDir, port, env };
}

function start(env: Record<string, string>) {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = parseConfig(BotConfigSchema, env);
  return { logs, run: startBot(config, createLogger({ level: 'info', name: 'bot', secrets: [config.DISCORD_TOKEN], destination: sink })) };
}

describe('the embedded redis-server and bot start', () => {
  it('a start that fails after Redis is up (Discord rejects the token) leaves no redis-server running', async () => {
    const { port, env } = await embeddedEnv();
    // A well-formed token the fake does not know: GET /gateway/bot answers 401.
    const wrong = `${discord.token.slice(0, -6)}XXXXXX`;
    const { logs, run } = start({ ...env, DISCORD_TOKEN: wrong });
    await expect(run).rejects.toThrow(/token/i);
    expect(logs.join('\n')).toMatch(/started embedded redis-server/);
    expect(logs.join('\n')).not.toContain(wrong);
    expect(await redisServersOn(port)).toEqual([]);
  });

  it('replaces a stale redis-server this bot left in its data directory (its parent died), instead of reusing it', async () => {
    const { dataDir, port, env } = await embeddedEnv();
    const redisDir = path.join(dataDir, 'redis');
    // The first start: its redis-server is left running, as after a kill -9 of the bot.
    const stale = await startEmbeddedRedis({ dataDir: redisDir, port });
    const stalePids = await redisServersOn(port);
    expect(stalePids).toHaveLength(1);
    spawned.push(...stalePids);

    const { logs, run } = start(env);
    const bot = await run;
    try {
      const now = await redisServersOn(port);
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(stalePids[0]);
      expect(logs.join('\n')).toMatch(/stopped a redis-server left running by an earlier start/);
      const info = await bot.ctx.redis.info('server');
      expect(info).toContain(`process_id:${now[0]}`);
    } finally {
      await bot.stop();
      await stale.stop();
    }
    expect(await redisServersOn(port)).toEqual([]);
  });

  it('refuses, in one clear line, to use a redis-server on its port that it did not start', async () => {
    const { port, env } = await embeddedEnv();
    const foreignDir = await mkdtemp(path.join(tmpdir(), 'tunesmith-foreign-'));
    dirs.push(foreignDir);
    const foreign = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', foreignDir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    spawned.push(foreign.pid!);
    await waitFor(async () => (await redisServersOn(port)).length === 1, { timeout: 5000, message: 'the foreign redis-server to start' });
    await writeFile(path.join(foreignDir, 'marker'), 'not ours');

    const { run } = start(env);
    await expect(run).rejects.toThrow(new RegExp(`port ${port} is already in use.*TUNESMITH_REDIS_PORT`));
    // The foreign server is left alone, and no second one was started.
    expect(await redisServersOn(port)).toEqual([foreign.pid]);
    foreign.kill('SIGKILL');
  });

  for (const [how, signal] of [['a kill -9 of the bot', 'SIGKILL'], ['a SIGTERM while the bot is still starting', 'SIGTERM']] as const) {
    it(`${how} takes its redis-server with it`, async () => {
      const { port, env } = await embeddedEnv();
      const bot = spawn(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: 'ignore' });
      spawned.push(bot.pid!);
      const exited = new Promise<void>((r) => bot.once('exit', () => r()));
      try {
        const [redisPid] = await waitFor(async () => {
          const pids = await redisServersOn(port);
          return pids.length === 1 ? pids : null;
        }, { timeout: 30_000, message: 'the bot to start its redis-server' });
        spawned.push(redisPid!);
        bot.kill(signal);
        await exited;
        await waitFor(async () => (await redisServersOn(port)).length === 0, { timeout: 10_000, message: `redis-server ${redisPid} to exit after ${how}` });
      } finally {
        bot.kill('SIGKILL');
      }
    });
  }
});

/**
 * Redis through Sentinel: the real bot (through the fake Discord) and two real worker processes
 * connect with REDIS_SENTINELS; a real primary, a replica and three redis-sentinel processes run
 * on loopback. The primary is kill -9ed while /compose requests keep arriving and jobs are running.
 * Sentinel promotes the replica, everything reconnects to it, and every accepted request gets
 * exactly one final post: none lost, none posted twice. (An interaction that arrives while no
 * primary answers may not be acknowledged within Discord's 3 s, as the bot reads the server's
 * settings first: Discord then tells the member it failed, and it is not accepted.)
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotHandle } from '../../src/bot/bot.ts';
import { BotConfigSchema } from '../../src/bot/config.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { parseConfig } from '../../src/config.ts';
import { deployCommands } from '../../scripts/deploy-commands.ts';
import { watchLogs } from '../support/failureLogs.ts';
import { FakeDiscord, type InteractionRecord } from '../support/fake-discord.ts';
import { startSentinelSet, type SentinelSet } from '../support/redisTopology.ts';
import { WorkerProcess } from '../support/workerProcess.ts';

const REQUESTS = 14;
const KILL_AFTER = 6;

let set: SentinelSet | undefined;
let discord: FakeDiscord | undefined;
let bot: BotHandle | undefined;
const workers: WorkerProcess[] = [];
const logs: string[] = [];
watchLogs('bot', () => logs);

beforeAll(async () => {
  set = await startSentinelSet();
  discord = await FakeDiscord.start();
}, 60_000);
afterAll(async () => {
  await bot?.stop();
  await Promise.all(workers.map((w) => w.stop()));
  await discord?.stop();
  await set?.stop();
}, 60_000);

describe('Redis through Sentinel', () => {
  it('a kill -9 of the primary under load: bot and workers follow the failover; no accepted job is lost or posted twice', async () => {
    const seeded = discord!.seedGuild();
    const env = {
      ...discord!.env(),
      ...set!.env,
      BOT_WORKERS: '0',
      DEFAULT_COOLDOWN_SEC: '0',
      USER_MAX_ACTIVE_JOBS: '50',
      GUILD_MAX_ACTIVE_JOBS: '100',
      USER_REQUESTS_PER_MINUTE: '100',
      JOB_BACKOFF_MS: '200',
      LOG_LEVEL: 'info',
    };
    await deployCommands(env);
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const config = parseConfig(BotConfigSchema, env);
    bot = await startBot(config, createLogger({ level: 'info', name: 'bot', secrets: [config.DISCORD_TOKEN], destination: sink }));
    const workerEnv = { ...set!.env, TUNESMITH_RENDER_PARALLEL: '0', JOB_LOCK_MS: '10000', JOB_STALLED_CHECK_MS: '2000' };
    workers.push(new WorkerProcess(workerEnv), new WorkerProcess(workerEnv));
    await Promise.all(workers.map((w) => w.ready()));

    const oldPrimary = set!.primary.port;
    expect(await set!.currentPrimaryPort()).toBe(oldPrimary);
    const sent: InteractionRecord[] = [];
    let killed: Promise<void> | undefined;
    let killedAt = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const user = i % 2 ? seeded.alice : seeded.bob;
      sent.push(await discord!.invoke('compose', { style: 'lofi', duration: '4', seed: 7100 + i }, user));
      if (i === KILL_AFTER - 1) {
        killedAt = Date.now();
        killed = set!.killPrimary();
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await killed;
    // Once Sentinel has promoted the replica, new requests are accepted again.
    await discord!.waitFor(async () => (await set!.currentPrimaryPort()) === set!.replica.port, { timeout: 60_000, interval: 250, message: 'Sentinel to promote the replica' });
    await discord!.waitFor(() => bot!.ctx.redis.ping().then((r) => r === 'PONG'), { timeout: 30_000, interval: 250, message: 'the bot to reach the new primary' });
    const after: InteractionRecord[] = [];
    for (let i = 0; i < 3; i++) after.push(await discord!.invoke('compose', { style: 'lofi', duration: '4', seed: 7300 + i }, seeded.alice));
    sent.push(...after);

    // Accepted: deferred within Discord's window. Each gets its final post with all three files.
    await discord!.waitFor(() => sent.every((it) => it.callback || it.rejectedCallbacks.length), { timeout: 30_000, message: 'every interaction answered or refused' });
    const accepted = sent.filter((it) => it.callback?.type === 5);
    const afterKill = sent.slice(KILL_AFTER).filter((it) => it.callback?.type === 5);
    expect(sent.slice(0, KILL_AFTER - 1).map((it) => it.callback?.type), 'requests well before the kill').toEqual(Array(KILL_AFTER - 1).fill(5));
    expect(after.map((it) => it.callback?.type), 'requests after the failover').toEqual([5, 5, 5]);
    for (const it of accepted) await it.waitForOriginal((m) => m.attachments.length === 3, 150_000);
    expect(await set!.currentPrimaryPort()).toBe(set!.replica.port);
    // A late duplicate (a job retaken after the failover) would arrive within a lock period.
    await new Promise((r) => setTimeout(r, 5000));
    for (const it of sent) {
      // Exactly one for an accepted request; none for one Discord refused.
      const uploads = discord!.rest.calls.filter((c) => c.method === 'PATCH' && c.path.includes(it.token) && c.files.length > 0 && c.status < 300);
      expect(uploads, `final posts for interaction ${sent.indexOf(it)}`).toHaveLength(accepted.includes(it) ? 1 : 0);
    }
    // The workers kept composing through the failover (some jobs may run twice; none is posted twice).
    expect(workers.reduce((n, w) => n + w.composedCount, 0)).toBeGreaterThanOrEqual(accepted.length);
    const composedAfter = workers.map((w) => w.logs.filter((l) => l.msg === 'composed' && Number(l.time) > killedAt).length);
    expect(composedAfter.reduce((a, b) => a + b, 0), `jobs composed after the kill, per worker: ${composedAfter}`).toBeGreaterThanOrEqual(afterKill.length);
  }, 240_000);
});

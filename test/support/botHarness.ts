/**
 * The real bot, started in this process against the fake Discord and a real redis-server.
 * The only seam is configuration: DISCORD_API_BASE points discord.js at the fake.
 */
import { Writable } from 'node:stream';
import { startBot, type BotHandle } from '../../src/bot/bot.ts';
import { BotConfigSchema } from '../../src/bot/config.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { parseConfig } from '../../src/config.ts';
import { deployCommands } from '../../scripts/deploy-commands.ts';
import { FakeDiscord } from './fake-discord.ts';
import { watchLogs } from './failureLogs.ts';
import { startTestRedis } from './redis.ts';

export interface Harness {
  discord: FakeDiscord;
  bot: BotHandle;
  redis: Awaited<ReturnType<typeof startTestRedis>>;
  seeded: ReturnType<FakeDiscord['seedGuild']>;
  /** Every log line the bot wrote (JSON), for checks such as "the token never appears". */
  logs: string[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startHarness(extraEnv: Record<string, string> = {}, opts: { dave?: boolean } = {}): Promise<Harness> {
  const discord = await FakeDiscord.start({ dave: opts.dave });
  const seeded = discord.seedGuild();
  const redis = await startTestRedis();
  const env = {
    ...discord.env(),
    REDIS_URL: redis.url,
    BOT_WORKERS: '1',
    DEFAULT_COOLDOWN_SEC: '0',
    JOB_BACKOFF_MS: '200',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  await deployCommands(env);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const config = parseConfig(BotConfigSchema, env);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'bot', secrets: [config.DISCORD_TOKEN], destination: sink });
  watchLogs('bot', () => logs);
  const bot = await startBot(config, logger);
  return {
    discord,
    bot,
    redis,
    seeded,
    logs,
    env,
    async stop() {
      await bot.stop();
      await discord.stop();
      await redis.cleanup();
    },
  };
}

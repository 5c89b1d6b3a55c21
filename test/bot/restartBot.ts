/**
 * Restart the bot of a test harness in place: stop it (workers, delivery, gateway, Redis
 * connection) and start a fresh one against the same fake Discord and the same redis-server,
 * as a deploy or crash-restart would. Component handlers and settings must survive this.
 */
import { Writable } from 'node:stream';
import { startBot } from '../../src/bot/bot.ts';
import { BotConfigSchema } from '../../src/bot/config.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { parseConfig } from '../../src/config.ts';
import type { Harness } from '../support/botHarness.ts';

export async function restartBot(h: Harness, opts: { restartRedis?: boolean } = {}): Promise<void> {
  await h.bot.stop();
  // Also restart redis-server (AOF on): what was stored must come back from disk.
  if (opts.restartRedis) await h.redis.restart();
  const config = parseConfig(BotConfigSchema, h.env);
  const sink = new Writable({
    write(chunk, _enc, done) {
      h.logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'bot', secrets: [config.DISCORD_TOKEN], destination: sink });
  h.bot = await startBot(config, logger);
}

/** Stop whichever bot is current, then the rest of the harness (its own stop() knows only the first bot). */
export async function stopHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  await h.bot.stop();
  await h.stop();
}

/**
 * One bot process: a shard process under the shard manager (`npm start`, src/bot/shards.ts, which
 * sets SHARDS and SHARD_COUNT), or the whole bot on its own (`npm run start:single`). Runs one
 * compose worker in the same process by default; BOT_WORKERS=0 leaves composing to separate
 * `npm run worker` processes.
 */
import { ConfigError, loadDotEnv, parseConfig } from '../config.ts';
import { startBot } from './bot.ts';
import { BotConfigSchema } from './config.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  loadDotEnv();
  const config = parseConfig(BotConfigSchema);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'bot', secrets: [config.DISCORD_TOKEN] });
  const bot = await startBot(config, logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), (config.SHUTDOWN_GRACE_SEC + 15) * 1000);
    hard.unref();
    await bot.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A shard process whose manager is gone (even kill -9ed) stops too, instead of running unsupervised.
  if (process.send) {
    process.once('disconnect', () => void stop('shard manager gone'));
    if (!process.connected) void stop('shard manager gone');
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  // Never print the raw error object: it could carry a token in a URL.
  console.error(`Tunesmith could not start: ${error instanceof Error ? error.message.replace(/[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}/g, '[token]') : String(error)}`);
  process.exit(1);
});

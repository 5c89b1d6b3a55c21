/**
 * `npm start`: the shard manager (shardManager.ts), which runs the bot as one or more shard
 * processes (src/bot/main.ts). SIGTERM/SIGINT stop every shard (each winds down as a bot does),
 * then Redis.
 */
import { ConfigError, loadDotEnv, parseConfig } from '../config.ts';
import { ShardConfigSchema } from './config.ts';
import { createLogger } from './logger.ts';
import { startShardManager } from './shardManager.ts';

async function main(): Promise<void> {
  loadDotEnv();
  const config = parseConfig(ShardConfigSchema);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'shard-manager', secrets: [config.DISCORD_TOKEN] });
  let stopping = false;
  let stopManager: (() => Promise<void>) | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down every shard');
    const hard = setTimeout(() => process.exit(1), (config.SHUTDOWN_GRACE_SEC + 30) * 1000);
    hard.unref();
    await stopManager?.();
    process.exit(0);
  };
  // Installed before the shards start: a signal during start stops what has started.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const handle = await startShardManager(config, logger);
  stopManager = handle.stop;
  if (stopping) await handle.stop();
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`Tunesmith could not start: ${error instanceof Error ? error.message.replace(/[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}/g, '[token]') : String(error)}`);
  process.exit(1);
});

/**
 * Starts the whole bot: Redis (embedded unless REDIS_URL), the queue producer, the delivery
 * worker, progress edits, optional in-process compose workers, the Discord client and the
 * health endpoint. Returns a handle whose stop() shuts everything down in order.
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { Logger } from 'pino';
import { startComposeWorker, type ComposeWorkerHandle } from '../queue/composeWorker.ts';
import { startDeliveryWorker } from '../queue/deliveryWorker.ts';
import { QueueMetrics, startHealthServer } from '../queue/metrics.ts';
import { JobProducer } from '../queue/producer.ts';
import { IntentJournal, recoverIntents } from '../queue/intents.ts';
import { openRedis } from '../queue/redisConnection.ts';
import { composeWorkerSettings } from '../queue/workerSettings.ts';
import { ResultStore } from '../queue/resultStore.ts';
import type { BotConfig } from './config.ts';
import type { BotContext } from './context.ts';
import { createDiscordDelivery } from './delivery.ts';
import { ProgressTracker } from './progress.ts';
import { loadCommands } from './registry.ts';
import { attachRouter } from './router.ts';
import { attachChat } from './chat/index.ts';
import { SettingsStore } from './settings.ts';
import { registerVoice } from './voice/index.ts';
import { registerRadio } from './voice/radio.ts';
import { startRadioWorker } from '../queue/radioWorker.ts';
import './components/handlers.ts';
import { defaultMelodyGenerator } from '../neural/defaultGenerator.ts';
import { instanceKey, useDataDir } from '../provenance/keys.ts';

/** How often each shard looks for requests a dead shard accepted but did not queue, and which. */
const INTENT_SWEEP_MS = 10_000;
// A live enqueue takes milliseconds (seconds in a Redis failover); tokens last 15 min.
const INTENT_RECOVERY = { olderThanMs: 20_000, maxAgeMs: 14 * 60_000 };

export interface BotHandle {
  client: Client;
  ctx: BotContext;
  stop(): Promise<void>;
}

export async function startBot(config: BotConfig, logger: Logger): Promise<BotHandle> {
  // The signing key: made on first start (provenance/keys.ts), so /about can show it at once.
  useDataDir(config.TUNESMITH_DATA_DIR);
  const key = await instanceKey();
  logger.info({ publicKey: key.publicKeyBase64, fingerprint: key.fingerprint }, 'signing key ready');
  const redisHandle = await openRedis(config, logger, { startEmbedded: true });
  // Everything started so far, stopped in reverse order by stop() or by a start that fails part
  // way (a rejected token, a busy metrics port…), so a failed start leaves no redis-server,
  // worker or socket behind.
  const started: { name: string; stop: () => unknown }[] = [{ name: 'redis', stop: () => redisHandle.close() }];
  const stopAll = async () => {
    for (const part of started.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (error) {
        logger.warn({ part: part.name, err: error instanceof Error ? error.message : String(error) }, 'could not stop cleanly');
      }
    }
  };
  try {
    // Redis must keep what it accepts (redisPersistence.ts): refuse to start on one that would not.
    await redisHandle.persistenceChecked;
    return await startParts(config, logger, redisHandle, started, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startParts(
  config: BotConfig,
  logger: Logger,
  redisHandle: Awaited<ReturnType<typeof openRedis>>,
  started: { name: string; stop: () => unknown }[],
  stopAll: () => Promise<void>,
): Promise<BotHandle> {
  const redis = redisHandle.redis;
  const limits = {
    perUserActive: config.USER_MAX_ACTIVE_JOBS,
    perGuildActive: config.GUILD_MAX_ACTIVE_JOBS,
    perUserPerMinute: config.USER_REQUESTS_PER_MINUTE,
    maxQueueLength: config.MAX_QUEUE_LENGTH,
  };
  // Sentinel replicates asynchronously: accepted jobs and deliveries wait for the replica.
  const replicasToAck = redisHandle.target.kind === 'sentinel' ? 1 : 0;
  const producer = new JobProducer(redis, { limits, resultTtlSec: config.RESULT_TTL_SEC, attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS, logger, replicasToAck });
  started.push({ name: 'producer', stop: () => producer.close() });
  const metrics = new QueueMetrics([producer.composeQueue, producer.deliverQueue]);

  const client = new Client({
    // Exactly what the bot uses, none privileged: servers and channels (Guilds), voice (GuildVoiceStates),
    // mentions and replies in servers (GuildMessages) and DMs (DirectMessages). Without Message
    // Content, Discord still sends the text of DMs and of messages that mention the bot.
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    // DM channels are not cached before their first message: discord.js needs the partial to emit it.
    partials: [Partials.Channel],
    // The one seam for tests: the REST base (the gateway URL then comes from GET /gateway/bot).
    ...(config.DISCORD_API_BASE ? { rest: { api: config.DISCORD_API_BASE } } : {}),
  });
  client.on(Events.Error, (error) => logger.error({ err: error.message }, 'discord client error'));
  client.on(Events.ShardDisconnect, (_event, shard) => logger.warn({ shard }, 'gateway disconnected; discord.js reconnects'));

  const progress = new ProgressTracker(client.rest, redis, producer, logger);
  const ctx: BotContext = {
    config,
    logger,
    client,
    redis,
    producer,
    intents: new IntentJournal(redis),
    results: new ResultStore(redis, config.RESULT_TTL_SEC, { cacheBytes: config.RESULT_CACHE_MB * 1024 * 1024 }),
    progress,
    settings: new SettingsStore(redis, config.DEFAULT_COOLDOWN_SEC),
    metrics,
    services: {},
  };
  started.push({ name: 'discord client', stop: () => client.destroy() });
  started.push({ name: 'progress', stop: () => progress.close() });
  const delivery = startDeliveryWorker({ connection: redis, logger, resultTtlSec: config.RESULT_TTL_SEC, resultCacheBytes: config.RESULT_CACHE_MB * 1024 * 1024, metrics, replicasToAck, deliver: createDiscordDelivery(client.rest, progress, logger) });
  started.push({ name: 'delivery worker', stop: () => delivery.close() });
  // Load the melody model once for the in-process workers (/play composes on the workers too, so
  // a bot with BOT_WORKERS=0 composes nothing and needs no model).
  if (config.BOT_WORKERS > 0) await defaultMelodyGenerator({ log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } });
  const workers: ComposeWorkerHandle[] = [];
  for (let i = 0; i < config.BOT_WORKERS; i++) {
    workers.push(
      startComposeWorker({ connection: redis, logger: logger.child({ worker: i }), metrics, ...composeWorkerSettings(config) }),
    );
  }
  // In-process workers take radio sections too (a one-process deployment); with BOT_WORKERS=0 the bot renders nothing.
  const radioWorkers = workers.map((_, i) => startRadioWorker({ connection: redis, logger: logger.child({ worker: i, part: 'radio' }), lockMs: config.JOB_LOCK_MS, stalledCheckMs: config.JOB_STALLED_CHECK_MS }));
  started.push({ name: 'compose workers', stop: () => Promise.all([...workers, ...radioWorkers].map((w) => w.close())) });
  const radio = registerRadio(ctx);
  started.push({ name: 'radio', stop: () => radio.stop() });
  const voice = registerVoice(ctx);
  started.push({ name: 'voice', stop: () => voice.stop() });
  const commands = await loadCommands();
  attachRouter(client, commands, ctx);
  attachChat(client, ctx);
  if (config.METRICS_PORT) {
    const health = await startHealthServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, redis, name: 'bot' });
    // Closed right after the Discord client, as before: health answers while the rest winds down.
    started.splice(started.findIndex((p) => p.name === 'discord client'), 0, { name: 'health', stop: () => health.close() });
  }

  await progress.ready();
  const ready = once(client, Events.ClientReady);
  // A rejected login (a wrong token) rejects here; `ready` would then never come.
  await Promise.race([client.login(config.DISCORD_TOKEN).then(() => ready), ready.then(() => undefined)]);
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, commands: [...commands.keys()], redis: redisHandle.safeUrl, workers: config.BOT_WORKERS }, 'bot ready');
  // Requests a killed shard accepted but did not queue: any live shard queues them.
  const sweep = () =>
    void recoverIntents(ctx.intents, (job) => producer.submit(job, { admitted: true }), logger, INTENT_RECOVERY).catch((error: Error) => logger.warn({ err: error.message }, 'intent sweep failed'));
  sweep();
  const sweeper = setInterval(sweep, INTENT_SWEEP_MS);
  started.push({ name: 'intent sweep', stop: () => clearInterval(sweeper) });
  // Radios that were on when the bot last stopped come back (with a new section, same settings).
  void radio.resume().catch((error: Error) => logger.warn({ err: error.message }, 'could not resume radios'));

  let stopped = false;
  return {
    client,
    ctx,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
      logger.info('bot stopped');
    },
  };
}

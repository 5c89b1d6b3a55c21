/**
 * `npm run worker`: a compose worker process. Run as many as you like, on any machines that
 * reach the same Redis (REDIS_URL). SIGTERM/SIGINT: stop taking jobs, finish or hand back the
 * running ones, exit within SHUTDOWN_GRACE_SEC (+ a few seconds).
 */
import { instanceKey, useDataDir } from '../provenance/keys.ts';
import { createLogger } from '../bot/logger.ts';
import { ConfigError, loadDotEnv, parseConfig, QueueConfigSchema } from '../config.ts';
import { startComposeWorker } from '../queue/composeWorker.ts';
import { startRadioWorker } from '../queue/radioWorker.ts';
import { QueueMetrics, startHealthServer } from '../queue/metrics.ts';
import { openRedis } from '../queue/redisConnection.ts';
import { composeWorkerSettings } from '../queue/workerSettings.ts';
import { defaultMelodyGenerator } from '../neural/defaultGenerator.ts';
import { keepRenderersWarm } from '../render/render.ts';

async function main(): Promise<void> {
  loadDotEnv();
  const config = parseConfig(QueueConfigSchema);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker', secrets: [] });
  // Signs what it makes with the instance key (shared with the bot through the data folder).
  useDataDir(config.TUNESMITH_DATA_DIR);
  logger.info({ fingerprint: (await instanceKey()).fingerprint }, 'signing key ready');
  // Load the melody model before taking jobs (and log which generator composes).
  const generator = await defaultMelodyGenerator({ log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } });
  // Two synthesisers with the SoundFont loaded and two Ogg encoders started, refilled after each render.
  await keepRenderersWarm().catch((e: Error) => logger.warn({ err: e.message }, 'renders start cold: cannot keep renderers warm'));
  const handle = await openRedis(config, logger, { startEmbedded: false });
  const metrics = new QueueMetrics();
  const worker = startComposeWorker({ connection: handle.redis, logger, metrics, ...composeWorkerSettings(config) });
  // Radio sections (issue 15) on their own queue, so a long compose never holds one back.
  const radio = startRadioWorker({ connection: handle.redis, logger: logger.child({ part: 'radio' }), generator, lockMs: config.JOB_LOCK_MS, stalledCheckMs: config.JOB_STALLED_CHECK_MS });
  const health = config.METRICS_PORT ? await startHealthServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, redis: handle.redis, name: 'worker' }) : undefined;
  logger.info({ redis: handle.safeUrl, concurrency: config.WORKER_CONCURRENCY, metricsPort: config.METRICS_PORT || null }, 'worker ready');

  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing or handing back running jobs');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, (config.SHUTDOWN_GRACE_SEC + 10) * 1000);
    hardStop.unref();
    await Promise.all([worker.close(), radio.close()]);
    health?.close();
    await handle.close();
    logger.info('worker stopped');
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Checked when Redis first answers (a worker may start before Redis does).
  handle.persistenceChecked.catch((error: Error) => {
    logger.fatal({ redis: handle.safeUrl }, error.message);
    void stop('volatile Redis', 2);
  });
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});

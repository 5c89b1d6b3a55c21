/** Everything a command or component handler may use; built once in startBot. */
import type { Client } from 'discord.js';
import type { RedisClient } from '../queue/redisConnection.ts';
import type { Logger } from 'pino';
import type { QueueMetrics } from '../queue/metrics.ts';
import type { IntentJournal } from '../queue/intents.ts';
import type { JobProducer } from '../queue/producer.ts';
import type { ResultStore } from '../queue/resultStore.ts';
import type { BotConfig } from './config.ts';
import type { ProgressTracker } from './progress.ts';
import type { SettingsStore } from './settings.ts';

export interface BotContext {
  config: BotConfig;
  logger: Logger;
  client: Client;
  redis: RedisClient;
  producer: JobProducer;
  /** Requests accepted but perhaps not yet queued (src/queue/intents.ts). */
  intents: IntentJournal;
  results: ResultStore;
  progress: ProgressTracker;
  settings: SettingsStore;
  metrics: QueueMetrics;
  /** Registered by the voice module (it owns playback); undefined until then. */
  services: Record<string, unknown>;
}

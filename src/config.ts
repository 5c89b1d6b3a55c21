/**
 * Configuration from the environment (and .env), validated once at start with zod. A bad or
 * missing variable stops the process with a message naming it. Secrets are never printed.
 */
import { z } from 'zod';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() ? v.trim() : undefined));

export const QueueConfigSchema = z.object({
  REDIS_URL: optionalText.pipe(z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional()),
  /** Redis through Sentinel: "host:port,host:port,…" of the sentinels, and the primary's name. */
  REDIS_SENTINELS: optionalText,
  REDIS_SENTINEL_NAME: optionalText,
  /** Redis Cluster: "host:port,…" of some of its nodes (the rest are discovered). */
  REDIS_CLUSTER_NODES: optionalText,
  /** Password for REDIS_SENTINELS / REDIS_CLUSTER_NODES servers (REDIS_URL carries its own). Never logged. */
  REDIS_PASSWORD: optionalText,
  /** 1: start even when Redis can lose jobs (no AOF, or an eviction policy), with a warning. */
  ALLOW_VOLATILE_REDIS: z.enum(['0', '1']).default('0'),
  /** Budget of the audio cache in Redis (least recently used files are dropped beyond it). */
  RESULT_CACHE_MB: int(512, 0, 1_000_000),
  TUNESMITH_DATA_DIR: z.string().default('data'),
  TUNESMITH_REDIS_PORT: int(6390, 1, 65535),
  WORKER_CONCURRENCY: int(1, 1, 64),
  JOB_TIMEOUT_SEC: int(180, 1, 3600),
  JOB_ATTEMPTS: int(3, 1, 10),
  JOB_BACKOFF_MS: int(2000, 0, 600_000),
  JOB_LOCK_MS: int(30_000, 1000, 600_000),
  JOB_STALLED_CHECK_MS: int(15_000, 500, 600_000),
  SHUTDOWN_GRACE_SEC: int(20, 0, 600),
  RESULT_TTL_SEC: int(24 * 3600, 60, 30 * 24 * 3600),
  MAX_QUEUE_LENGTH: int(50, 1, 100_000),
  USER_MAX_ACTIVE_JOBS: int(2, 1, 1000),
  GUILD_MAX_ACTIVE_JOBS: int(6, 1, 10_000),
  USER_REQUESTS_PER_MINUTE: int(6, 1, 10_000),
  METRICS_PORT: int(0, 0, 65535),
  METRICS_HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TUNESMITH_SOUNDFONT: optionalText,
});
export type QueueConfig = z.infer<typeof QueueConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Tunesmith can't start: the configuration has problems.\n${problems.map((p) => `  • ${p}`).join('\n')}\nSee .env.example for every setting.`);
    this.name = 'ConfigError';
  }
}

/** Parse a config schema from an environment; problems name the variable, never its value. */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
}

/** Load .env into process.env if present (Node's own loader; existing variables win). */
export function loadDotEnv(file = '.env'): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The bot's configuration: the queue settings plus Discord's. Validated at start; the token is
 * never printed (ConfigError names variables, not values).
 */
import { z } from 'zod';
import { QueueConfigSchema } from '../config.ts';

const snowflake = z.string().regex(/^\d{15,25}$/, 'must be a Discord id (15–25 digits)');
/** An optional variable; an empty value counts as unset. */
const optional = <T extends z.ZodType<string, string>>(schema: T) =>
  z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : undefined))
    .pipe(schema.optional());

export const BotConfigSchema = QueueConfigSchema.extend({
  DISCORD_TOKEN: z.string({ error: 'is missing: put your bot token in .env (see .env.example)' }).min(50, 'does not look like a bot token (too short)'),
  DISCORD_APPLICATION_ID: snowflake,
  DEV_GUILD_ID: optional(snowflake),
  /** The one seam for the test suite's fake Discord; unset in production. */
  DISCORD_API_BASE: optional(z.string().url()),
  /** Compose workers run inside the bot process (0 = only separate `npm run worker` processes). */
  BOT_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /** Leave a voice channel after this long with nothing playing or nobody listening. */
  VOICE_IDLE_SEC: z.coerce.number().int().min(5).max(3600).default(120),
  /** Target length of a radio section in seconds (15–30; sections are whole bars, a little longer). */
  RADIO_SECTION_SEC: z.coerce.number().int().min(15).max(30).default(20),
  /** Minimum seconds between one member's compose requests (servers can raise it in /settings). */
  DEFAULT_COOLDOWN_SEC: z.coerce.number().int().min(0).max(3600).default(10),
});
export type BotConfig = z.infer<typeof BotConfigSchema>;

/**
 * The shard manager's settings (`npm start`): the bot's, plus how many gateway shards and how many
 * per process. Shard processes read BotConfigSchema (discord.js sets their SHARDS and SHARD_COUNT).
 */
export const ShardConfigSchema = BotConfigSchema.extend({
  /** `auto`: Discord's recommendation (GET /gateway/bot), about one shard per 1,000 guilds. */
  SHARD_COUNT: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(4096)], { error: 'must be auto or a whole number from 1 to 4096' }).default('auto'),
  SHARDS_PER_PROCESS: z.coerce.number().int().min(1).max(64).default(1),
  /** How long a shard process may take from start to gateway READY before the start fails. */
  SHARD_READY_TIMEOUT_SEC: z.coerce.number().int().min(5).max(3600).default(180),
});
export type ShardConfig = z.infer<typeof ShardConfigSchema>;

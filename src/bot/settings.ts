/**
 * Per-server settings, stored durably in Redis and read on every command: default format, longest
 * piece, per-member cooldown, channels the bot may post in, the DJ role for voice controls (and for
 * starting and stopping the radio), the voice volume and the radio's style allow-list.
 */
import type { RedisClient } from '../queue/redisConnection.ts';
import { z } from 'zod';
import { FORMATS, LIMITS } from '../core/request.ts';

export const GuildSettingsSchema = z.object({
  defaultFormat: z.enum(FORMATS).default('ogg'),
  maxDurationSec: z.number().int().min(LIMITS.duration.min).max(LIMITS.duration.max).default(LIMITS.duration.max),
  cooldownSec: z.number().int().min(0).max(3600).optional(),
  /** Empty: every channel. */
  allowedChannelIds: z.array(z.string()).max(25).default([]),
  djRoleId: z.string().nullable().default(null),
  /** The voice volume set with /volume (1–150 %); absent: 100 %. */
  volumePercent: z.number().int().min(1).max(150).optional(),
  /** Styles /radio may play (issue 15); empty: every style. */
  radioStyles: z.array(z.string()).max(25).default([]),
});
export type GuildSettings = z.infer<typeof GuildSettingsSchema>;
/** Settings with the bot-wide default cooldown filled in. */
export type ResolvedSettings = GuildSettings & { cooldownSec: number };

const key = (guildId: string) => `tunesmith:settings:${guildId}`;

export class SettingsStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly defaultCooldownSec: number,
  ) {}

  async get(guildId: string | null): Promise<ResolvedSettings> {
    const raw = guildId ? await this.redis.get(key(guildId)) : null;
    const parsed = GuildSettingsSchema.safeParse(raw ? JSON.parse(raw) : {});
    const settings = parsed.success ? parsed.data : GuildSettingsSchema.parse({});
    return { ...settings, cooldownSec: settings.cooldownSec ?? this.defaultCooldownSec };
  }

  async update(guildId: string, patch: Partial<GuildSettings>): Promise<ResolvedSettings> {
    const stored = GuildSettingsSchema.safeParse(JSON.parse((await this.redis.get(key(guildId))) ?? '{}'));
    // A value written by an older version that no longer validates is dropped, not fatal.
    const current = stored.success ? stored.data : GuildSettingsSchema.parse({});
    const next = GuildSettingsSchema.parse({ ...current, ...patch });
    await this.redis.set(key(guildId), JSON.stringify(next));
    return this.get(guildId);
  }

  /** Back to the defaults. */
  async reset(guildId: string): Promise<ResolvedSettings> {
    await this.redis.del(key(guildId));
    return this.get(guildId);
  }

  /**
   * Start a member's cooldown if it is not running; returns the seconds left if it is.
   * (SET NX PX makes check-and-start one atomic step.)
   */
  async takeCooldown(guildId: string | null, userId: string, seconds: number): Promise<number> {
    if (seconds <= 0) return 0;
    const k = `tunesmith:cooldown:${guildId ?? 'dm'}:${userId}`;
    if (await this.redis.set(k, '1', 'PX', seconds * 1000, 'NX')) return 0;
    const left = await this.redis.pttl(k);
    return Math.max(1, Math.ceil(left / 1000));
  }

  async clearCooldown(guildId: string | null, userId: string): Promise<void> {
    await this.redis.del(`tunesmith:cooldown:${guildId ?? 'dm'}:${userId}`);
  }
}

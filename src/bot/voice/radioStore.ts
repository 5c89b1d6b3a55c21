/**
 * What the radio keeps in Redis (under its own prefix): each guild's running radio, so a restarted
 * bot resumes it with the same settings, and the guild's taste (how often its listeners' votes and
 * starts led to each style, mood and energy), so the next /radio start begins there.
 */
import type { RedisClient as Redis } from '../../queue/redisConnection.ts';
import { z } from 'zod';
import { RADIO_PREFIX } from '../../queue/radioJobs.ts';
import type { RadioState } from '../../core/radioPlan.ts';
import type { Energy } from '../../core/catalog/index.ts';

export const RadioRecordSchema = z.object({
  guildId: z.string(),
  voiceChannelId: z.string(),
  textChannelId: z.string(),
  panelMessageId: z.string().nullable(),
  startedBy: z.string(),
  /** The planner's state as of the section playing (src/core/radioPlan.ts). */
  state: z.custom<RadioState>((v) => !!v && typeof v === 'object' && 'style' in (v as object) && 'beatUnits' in (v as object)),
});
export type RadioRecord = z.infer<typeof RadioRecordSchema>;

const recordKey = (guildId: string) => `${RADIO_PREFIX}state:${guildId}`;
const tasteKey = (guildId: string) => `${RADIO_PREFIX}taste:${guildId}`;

export interface Taste {
  style?: string;
  mood?: string;
  energy?: Energy;
}

export class RadioStore {
  constructor(private readonly redis: Redis) {}

  async save(record: RadioRecord): Promise<void> {
    await this.redis.set(recordKey(record.guildId), JSON.stringify(record));
  }

  async drop(guildId: string): Promise<void> {
    await this.redis.del(recordKey(guildId));
  }

  /** Every radio that was on when the bot stopped. */
  async all(): Promise<RadioRecord[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${RADIO_PREFIX}state:*`, 'COUNT', 100);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const records: RadioRecord[] = [];
    for (const key of keys) {
      const parsed = RadioRecordSchema.safeParse(JSON.parse((await this.redis.get(key)) ?? 'null'));
      if (parsed.success) records.push(parsed.data);
    }
    return records;
  }

  /** Count a choice the room made (or a start's options): style, mood and energy it led to. */
  async remember(guildId: string, what: Taste): Promise<void> {
    const multi = this.redis.multi();
    for (const [field, value] of Object.entries(what)) if (value) multi.hincrby(tasteKey(guildId), `${field}:${value}`, 1);
    await multi.exec();
  }

  /** The most frequent style, mood and energy (ties: the one counted first). */
  async taste(guildId: string): Promise<Taste> {
    const counts = await this.redis.hgetall(tasteKey(guildId));
    const best: Record<string, { value: string; n: number }> = {};
    for (const [k, v] of Object.entries(counts)) {
      const [field, value] = k.split(':') as [string, string];
      const n = Number(v);
      if (!best[field] || n > best[field].n) best[field] = { value, n };
    }
    return { style: best.style?.value, mood: best.mood?.value, energy: best.energy?.value as Energy | undefined };
  }
}

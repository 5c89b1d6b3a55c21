/**
 * What a conversation about a piece needs to remember, in Redis: for each result made by an edit,
 * the change that made it and the piece it came from ("even more" repeats that change), kept as
 * long as the result itself (RESULT_TTL_SEC). After that the piece is rebuilt from the MIDI file
 * posted with it (src/bot/components/source.ts) and only the last change is forgotten.
 *
 * And the flood guard: at most N addressed messages per user per minute, and one short notice per
 * window for everything refused (cooldown, queue limits, the flood itself), never one per message.
 */
import type { RedisClient } from '../../queue/redisConnection.ts';
import { z } from 'zod';
import { EditChangeSchema, type EditChange } from '../../core/edit.ts';

const ConversationSchema = z.object({ change: EditChangeSchema, parent: z.string().regex(/^[0-9a-f]{32}$/) });
export type Conversation = z.infer<typeof ConversationSchema>;

const convKey = (resultId: string) => `tunesmith:chat:result:${resultId}`;
const countKey = (userId: string) => `tunesmith:chat:count:${userId}`;
const noticeKey = (userId: string) => `tunesmith:chat:notice:${userId}`;

export class ChatState {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSec: number,
  ) {}

  async remember(resultId: string, conversation: { change: EditChange; parent: string }): Promise<void> {
    await this.redis.set(convKey(resultId), JSON.stringify(ConversationSchema.parse(conversation)), 'EX', this.ttlSec);
  }

  async recall(resultId: string): Promise<Conversation | null> {
    const raw = await this.redis.get(convKey(resultId));
    if (!raw) return null;
    try {
      const parsed = ConversationSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Counts an addressed message; false once the user sent more than `perMinute` in the last minute. */
  async allowMessage(userId: string, perMinute: number): Promise<boolean> {
    const [[, count]] = ((await this.redis.multi().incr(countKey(userId)).expire(countKey(userId), 60, 'NX').exec()) ?? [[null, 0]]) as [[unknown, number]];
    return Number(count) <= perMinute;
  }

  /** True for the first refusal in a window of `seconds`: only that one gets a notice. */
  async firstNotice(userId: string, seconds: number): Promise<boolean> {
    return (await this.redis.set(noticeKey(userId), '1', 'EX', Math.max(1, Math.ceil(seconds)), 'NX')) === 'OK';
  }
}

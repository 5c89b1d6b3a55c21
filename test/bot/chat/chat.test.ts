/**
 * The pieces of talking to Tunesmith that need no Discord: which messages are for the bot, the
 * prompt text of a message, the answer to an edit nothing was understood of, and what a
 * conversation keeps in Redis (a real redis-server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editNotUnderstoodMessage, isAddressed } from '../../../src/bot/chat/index.ts';
import { ChatState } from '../../../src/bot/chat/state.ts';
import { stripDiscordMarkup } from '../../../src/bot/chat/text.ts';
import { startTestRedis } from '../../support/redis.ts';

const BOT = '111';
const msg = (o: { bot?: boolean; id?: string; webhookId?: string | null; system?: boolean; guild?: boolean; mentions?: string[] }) => ({
  author: { bot: o.bot ?? false, id: o.id ?? '222' },
  webhookId: o.webhookId ?? null,
  system: o.system ?? false,
  mentions: { users: new Map((o.mentions ?? []).map((id) => [id, {}])) },
  inGuild: () => o.guild ?? true,
});

describe('which messages are for the bot', () => {
  it('a DM or a mention from a person; never a bot, itself, a webhook or a system message', () => {
    expect(isAddressed(msg({ guild: false }) as never, BOT)).toBe(true);
    expect(isAddressed(msg({ mentions: [BOT] }) as never, BOT)).toBe(true);
    expect(isAddressed(msg({}) as never, BOT)).toBe(false);
    expect(isAddressed(msg({ bot: true, mentions: [BOT] }) as never, BOT)).toBe(false);
    expect(isAddressed(msg({ bot: true, id: BOT, guild: false }) as never, BOT)).toBe(false);
    expect(isAddressed(msg({ webhookId: '9', mentions: [BOT] }) as never, BOT)).toBe(false);
    expect(isAddressed(msg({ system: true, guild: false }) as never, BOT)).toBe(false);
  });

  it('reads the prompt without mentions, channels, roles or custom emoji', () => {
    expect(stripDiscordMarkup('<@111> sad piano <#5> for <@!42> and <@&7> <:blob:123>  60s')).toBe('sad piano for and 60s');
  });
});

describe('an edit nothing was understood of', () => {
  it('names the words, shows edits that work and the nearest words the bot knows', () => {
    const text = editNotUnderstoodMessage(['slowwerish', 'zzq']);
    expect(text).toMatch(/^🤔 I didn't understand “slowwerish” or “zzq” as a change/);
    expect(text.match(/^• `[^`]+`$/gm)).toHaveLength(3);
    expect(text).toMatch(/Nearest words I know: \*\*slower\*\*/);
  });
});

describe('ChatState', () => {
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.cleanup();
  });

  it('remembers the change that made a result, for as long as the result is kept', async () => {
    const client = redis.client();
    const state = new ChatState(client, 120);
    const id = 'a'.repeat(32);
    await state.remember(id, { change: { tempo: { scale: 0.85 } }, parent: 'b'.repeat(32) });
    expect(await state.recall(id)).toEqual({ change: { tempo: { scale: 0.85 } }, parent: 'b'.repeat(32) });
    const ttl = await client.ttl(`tunesmith:chat:result:${id}`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    await client.set(`tunesmith:chat:result:${id}`, '{"change":{"tempo":"fast"}}');
    expect(await state.recall(id)).toBeNull();
  });

  it('lets N messages a minute through, and gives one notice per window', async () => {
    const state = new ChatState(redis.client(), 120);
    const allowed = [];
    for (let i = 0; i < 5; i++) allowed.push(await state.allowMessage('u1', 3));
    expect(allowed).toEqual([true, true, true, false, false]);
    expect(await state.firstNotice('u1', 30)).toBe(true);
    expect(await state.firstNotice('u1', 30)).toBe(false);
    expect(await state.firstNotice('u2', 30)).toBe(true);
  });
});

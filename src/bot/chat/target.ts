/**
 * Which piece a message is about: the Tunesmith result it replies to, or the result a thread was
 * started from. A result is recognised by its buttons, whose custom ids carry the result id
 * (`ts:var:<id>`), so this works after restarts and for results of any age.
 */
import type { Message } from 'discord.js';
import { CUSTOM_ID, parseCustomId } from '../messages.ts';

const VARIATION_PREFIX = CUSTOM_ID.variation('').replace(/:$/, '');

/** The result id of a Tunesmith result message, or null. */
export function resultIdOf(message: Message, botId: string): string | null {
  if (message.author.id !== botId) return null;
  for (const row of message.components) {
    if (!('components' in row)) continue;
    for (const c of row.components) {
      const id = 'customId' in c ? c.customId : null;
      if (!id?.startsWith(VARIATION_PREFIX)) continue;
      const parsed = parseCustomId(id);
      if (parsed && /^[0-9a-f]{32}$/.test(parsed.resultId)) return parsed.resultId;
    }
  }
  return null;
}

export interface Target {
  resultId: string;
  message: Message;
}

/** The result a message replies to, or the one its thread hangs off; null for a new request. */
export async function targetOf(message: Message, botId: string): Promise<Target | null> {
  if (message.reference?.messageId) {
    // From Discord, not the cache: the cached copy of our reply can predate its final edit (the
    // one that adds the result's buttons), and a reply sent right after the result would miss it.
    const referenced = await message.channel.messages.fetch({ message: message.reference.messageId, force: true }).catch(() => null);
    const resultId = referenced && resultIdOf(referenced, botId);
    return resultId && referenced ? { resultId, message: referenced } : null;
  }
  if (message.channel.isThread()) {
    // Forced for the same reason: a thread opened on a result right after it was posted.
    const starter = await message.channel.fetchStarterMessage({ force: true }).catch(() => null);
    const resultId = starter && resultIdOf(starter, botId);
    return resultId && starter ? { resultId, message: starter } : null;
  }
  return null;
}

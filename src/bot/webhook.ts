/**
 * Editing an interaction's reply through Discord's webhook REST routes: needs only the
 * application id and the interaction token (no gateway), so any bot process can do it.
 */
import { Routes, type APIEmbed, type REST } from 'discord.js';
import type { ActionRowBuilder, AttachmentBuilder, ButtonBuilder } from 'discord.js';
import type { Delivery } from '../queue/jobs.ts';

export interface ReplyBody {
  content?: string;
  embeds?: APIEmbed[];
  components?: ActionRowBuilder<ButtonBuilder>[];
  files?: AttachmentBuilder[];
}

function toRaw(body: ReplyBody) {
  const files = (body.files ?? []).map((f, i) => ({ key: `files[${i}]`, name: f.name ?? `file${i}`, data: f.attachment as Buffer }));
  return {
    body: {
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: (body.components ?? []).map((c) => c.toJSON()),
      // v10: on an edit, the attachments listed are the ones the message keeps or gets.
      attachments: files.map((f, i) => ({ id: i, filename: f.name })),
      allowed_mentions: { parse: [] as string[], users: [] as string[] },
    },
    files,
  };
}

/** Interaction tokens are valid for 15 minutes; leave a margin for the upload. */
export const TOKEN_LIFETIME_MS = 14 * 60 * 1000;

export function tokenAlive(delivery: Delivery, now = Date.now()): boolean {
  return delivery.interactionToken !== undefined && now - delivery.interactionAt < TOKEN_LIFETIME_MS;
}

function tokenOf(delivery: Delivery): string {
  if (!delivery.interactionToken) throw new Error('this delivery has no interaction token');
  return delivery.interactionToken;
}

export async function editOriginal(rest: REST, delivery: Delivery, body: ReplyBody): Promise<void> {
  const { body: json, files } = toRaw(body);
  await rest.patch(Routes.webhookMessage(delivery.applicationId, tokenOf(delivery), '@original'), { body: json, files, auth: false });
}

export async function followUp(rest: REST, delivery: Delivery, body: ReplyBody & { ephemeral?: boolean }): Promise<void> {
  const { body: json, files } = toRaw(body);
  await rest.post(Routes.webhook(delivery.applicationId, tokenOf(delivery)), { body: { ...json, flags: body.ephemeral ? 64 : 0 }, files, auth: false });
}

/** A piece asked for in a message: edit the bot's own reply in the channel (no token, no expiry). */
export async function editReplyMessage(rest: REST, delivery: Delivery, body: ReplyBody): Promise<void> {
  if (!delivery.replyMessageId) throw new Error('this delivery has no reply message');
  const { body: json, files } = toRaw(body);
  await rest.patch(Routes.channelMessage(delivery.channelId, delivery.replyMessageId), { body: json, files });
}

/** Progress or a result, wherever this delivery's reply lives. */
export async function editReply(rest: REST, delivery: Delivery, body: ReplyBody): Promise<void> {
  if (delivery.replyMessageId) return editReplyMessage(rest, delivery, body);
  return editOriginal(rest, delivery, body);
}

/** After the token expired: a plain channel message from the bot, mentioning the member. */
/**
 * The member's DM with the bot, for a result whose interaction expired where the bot cannot post
 * (a group DM, a server without the bot): Discord lets an app open a DM with a user who installed it.
 */
export async function postToUserDm(rest: REST, delivery: Delivery, body: ReplyBody): Promise<void> {
  const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: delivery.userId } })) as { id: string };
  const { body: json, files } = toRaw(body);
  await rest.post(Routes.channelMessages(dm.id), { body: json, files });
}

export async function postToChannel(rest: REST, delivery: Delivery, body: ReplyBody): Promise<void> {
  const { body: json, files } = toRaw(body);
  await rest.post(Routes.channelMessages(delivery.channelId), {
    body: { ...json, content: `<@${delivery.userId}> ${json.content}`.trim(), allowed_mentions: { users: [delivery.userId] } },
    files,
  });
}

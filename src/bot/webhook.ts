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
  return now - delivery.interactionAt < TOKEN_LIFETIME_MS;
}

export async function editOriginal(rest: REST, delivery: Delivery, body: ReplyBody): Promise<void> {
  const { body: json, files } = toRaw(body);
  await rest.patch(Routes.webhookMessage(delivery.applicationId, delivery.interactionToken, '@original'), { body: json, files, auth: false });
}

export async function followUp(rest: REST, delivery: Delivery, body: ReplyBody & { ephemeral?: boolean }): Promise<void> {
  const { body: json, files } = toRaw(body);
  await rest.post(Routes.webhook(delivery.applicationId, delivery.interactionToken), { body: { ...json, flags: body.ephemeral ? 64 : 0 }, files, auth: false });
}

/** After the token expired: a plain channel message from the bot, mentioning the member. */
export async function postToChannel(rest: REST, delivery: Delivery, body: ReplyBody): Promise<void> {
  const { body: json, files } = toRaw(body);
  await rest.post(Routes.channelMessages(delivery.channelId), {
    body: { ...json, content: `<@${delivery.userId}> ${json.content}`.trim(), allowed_mentions: { users: [delivery.userId] } },
    files,
  });
}

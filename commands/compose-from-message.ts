/**
 * "Compose from this message" — a message context-menu command (Apps → Compose from this message):
 * the message's text is the prompt, with the same pipeline, limits and result as /compose. Works
 * wherever the app is installed, including DMs and group DMs of a user-installed app.
 */
import { ApplicationCommandType, ContextMenuCommandBuilder, MessageFlags, type MessageContextMenuCommandInteraction } from 'discord.js';
import { buildRequest } from '../src/core/buildRequest.ts';
import { notUnderstood } from '../src/core/notUnderstood.ts';
import { RequestError } from '../src/core/request.ts';
import type { BotContext } from '../src/bot/context.ts';
import { notUnderstoodMessage, problemsMessage } from '../src/bot/messages.ts';
import { submitCompose } from '../src/bot/submit.ts';
import { stripDiscordMarkup } from '../src/bot/chat/text.ts';

export const data = new ContextMenuCommandBuilder().setName('Compose from this message').setType(ApplicationCommandType.Message);

export async function execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void> {
  const prompt = stripDiscordMarkup(interaction.targetMessage.content ?? '');
  if (!prompt) {
    await interaction.reply({ content: 'That message has no text to compose from. Try it on a message that describes a piece, e.g. “calm lofi intro, 15 seconds”.', flags: MessageFlags.Ephemeral });
    return;
  }
  const input = { prompt };
  let built;
  try {
    built = buildRequest(input);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    await interaction.reply({ content: problemsMessage(error.problems), flags: MessageFlags.Ephemeral });
    return;
  }
  const unknown = notUnderstood(input, built);
  if (unknown) {
    await interaction.reply({ content: notUnderstoodMessage(unknown), flags: MessageFlags.Ephemeral });
    return;
  }
  await submitCompose(interaction, ctx, { request: built.request, understood: built.understood, ignored: built.ignored });
}

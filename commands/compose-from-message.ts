/**
 * "Compose from this message" — a message context-menu command (Apps → Compose from this message):
 * the message's text is the prompt, with the same pipeline, limits and result as /compose. Works
 * wherever the app is installed, including DMs and group DMs of a user-installed app.
 */
import { ApplicationCommandType, ContextMenuCommandBuilder, MessageFlags, type MessageContextMenuCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/bot/context.ts';
import { requestOrExplain, submitCompose } from '../src/bot/submit.ts';
import { stripDiscordMarkup } from '../src/bot/chat/text.ts';

export const data = new ContextMenuCommandBuilder().setName('Compose from this message').setType(ApplicationCommandType.Message);

export async function execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void> {
  const prompt = stripDiscordMarkup(interaction.targetMessage.content ?? '');
  if (!prompt) {
    await interaction.reply({ content: 'That message has no text to compose from. Try it on a message that describes a piece, e.g. “calm lofi intro, 15 seconds”.', flags: MessageFlags.Ephemeral });
    return;
  }
  const input = { prompt };
  const built = await requestOrExplain(interaction, input);
  if (!built) return;
  await submitCompose(interaction, ctx, { request: built.request, understood: built.understood, ignored: built.ignored });
}

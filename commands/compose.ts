/**
 * /compose — describe a piece (free text and/or options); the bot queues it, edits its reply as
 * the job moves, and posts the audio, the MIDI and a piano roll.
 */
import { MessageFlags, SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { buildRequest } from '../src/core/buildRequest.ts';
import { RequestError, type AudioFormat } from '../src/core/request.ts';
import { addComposeOptions, composeAutocomplete, inputFrom } from '../src/bot/composeOptions.ts';
import type { BotContext } from '../src/bot/context.ts';
import { submitCompose } from '../src/bot/submit.ts';
import { notUnderstoodMessage, problemsMessage } from '../src/bot/messages.ts';
import { notUnderstood } from '../src/core/notUnderstood.ts';

export { inputFrom };

export const data = addComposeOptions(new SlashCommandBuilder().setName('compose').setDescription('Compose a piece of music from a description'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const input = inputFrom(interaction);
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
  const format = (interaction.options.getString('format') ?? undefined) as AudioFormat | undefined;
  await submitCompose(interaction, ctx, { request: built.request, understood: built.understood, ignored: built.ignored, format });
}

export async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
  await composeAutocomplete(interaction);
}

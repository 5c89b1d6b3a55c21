/**
 * /compose — describe a piece (free text and/or options); the bot queues it, edits its reply as
 * the job moves, and posts the audio, the MIDI and a piano roll.
 */
import { MessageFlags, SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { AudioFormat } from '../src/core/request.ts';
import { addComposeOptions, composeAutocomplete, inputFrom } from '../src/bot/composeOptions.ts';
import type { BotContext } from '../src/bot/context.ts';
import { requestOrExplain, submitCompose } from '../src/bot/submit.ts';

export { inputFrom };

export const data = addComposeOptions(new SlashCommandBuilder().setName('compose').setDescription('Compose a piece of music from a description'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const input = inputFrom(interaction);
  const built = await requestOrExplain(interaction, input);
  if (!built) return;
  const format = (interaction.options.getString('format') ?? undefined) as AudioFormat | undefined;
  await submitCompose(interaction, ctx, { request: built.request, understood: built.understood, ignored: built.ignored, format });
}

export async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
  await composeAutocomplete(interaction);
}

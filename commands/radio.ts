/**
 * /radio start · /radio stop — endless new music in your voice channel, steered by the listeners
 * from its panel (src/bot/voice/radio.ts). Sections are rendered by the workers.
 */
import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { moodChoices, styleChoices } from '../src/bot/choices.ts';
import type { BotContext } from '../src/bot/context.ts';
import { radioStart, radioStop } from '../src/bot/voice/radio.ts';
import { ENERGIES } from '../src/core/request.ts';

export const data = new SlashCommandBuilder()
  .setName('radio')
  .setDescription('Endless new music in your voice channel, steered by the listeners')
  .addSubcommand((s) =>
    s
      .setName('start')
      .setDescription('Start the radio in your voice channel')
      .addStringOption((o) => o.setName('style').setDescription('Style, e.g. lofi, jazz, ambient (default: what this server likes most)').setAutocomplete(true))
      .addStringOption((o) => o.setName('mood').setDescription('Mood, e.g. calm, happy, dark').setAutocomplete(true))
      .addStringOption((o) => o.setName('energy').setDescription('How busy and fast to begin').addChoices(...ENERGIES.map((e) => ({ name: e, value: e })))),
  )
  .addSubcommand((s) => s.setName('stop').setDescription('Stop the radio and leave voice'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (interaction.options.getSubcommand(true) === 'stop') await radioStop(interaction, ctx);
  else await radioStart(interaction, ctx);
}

export async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
  const focused = interaction.options.getFocused(true);
  await interaction.respond(focused.name === 'style' ? styleChoices(focused.value) : focused.name === 'mood' ? moodChoices(focused.value) : []);
}

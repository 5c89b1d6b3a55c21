/**
 * /play — compose a piece (the same options as /compose) and play it into your voice channel
 * while it renders, or replay a piece already composed (same options and seed).
 */
import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { addComposeOptions, composeAutocomplete } from '../src/bot/composeOptions.ts';
import type { BotContext } from '../src/bot/context.ts';
import { playCommand } from '../src/bot/voice/play.ts';

export const data = addComposeOptions(new SlashCommandBuilder().setName('play').setDescription('Compose a piece and play it in your voice channel'), { format: false });

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await playCommand(interaction, ctx);
}

export async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
  await composeAutocomplete(interaction);
}

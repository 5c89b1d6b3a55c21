/**
 * The options of a composition request, shared by /compose and /play so both accept exactly the
 * same things: the builder options, reading them back from an interaction, and autocomplete.
 */
import type { AutocompleteInteraction, ChatInputCommandInteraction, SlashCommandBuilder } from 'discord.js';
import { ENERGIES, FORMATS, LIMITS, METERS, type RequestInput } from '../core/request.ts';
import { keyChoices, moodChoices, styleChoices } from './choices.ts';

/**
 * Adds prompt, style, mood, duration, tempo, key, meter, instruments, energy, loop and seed, and
 * the audio format unless `format: false` (voice playback has one format of its own).
 */
export function addComposeOptions(builder: SlashCommandBuilder, opts: { format?: boolean } = {}): SlashCommandBuilder {
  builder
    .addStringOption((o) => o.setName('prompt').setDescription('What you want, e.g. "calm lofi intro for my stream, 15 seconds"').setMaxLength(LIMITS.promptLength))
    .addStringOption((o) => o.setName('style').setDescription('Style, e.g. lofi, synthwave, jazz').setAutocomplete(true))
    .addStringOption((o) => o.setName('mood').setDescription('Mood, e.g. calm, epic, sad').setAutocomplete(true))
    .addStringOption((o) => o.setName('duration').setDescription('Length: 15, 90s, 1:30, 2 min (1–300 seconds)').setMaxLength(20))
    .addIntegerOption((o) => o.setName('tempo').setDescription('Beats per minute (40–240)').setMinValue(LIMITS.tempo.min).setMaxValue(LIMITS.tempo.max))
    .addStringOption((o) => o.setName('key').setDescription('Key, e.g. A minor, Eb major, D dorian').setAutocomplete(true))
    .addStringOption((o) => o.setName('meter').setDescription('Time signature').addChoices(...METERS.map((m) => ({ name: m, value: m }))))
    .addStringOption((o) => o.setName('instruments').setDescription('Up to 4, e.g. "flute, strings, upright bass"').setMaxLength(200))
    .addStringOption((o) => o.setName('energy').setDescription('How busy and loud').addChoices(...ENERGIES.map((e) => ({ name: e, value: e }))))
    .addBooleanOption((o) => o.setName('loop').setDescription('A seamless loop instead of an ending'))
    .addIntegerOption((o) => o.setName('seed').setDescription('Repeat an earlier piece exactly').setMinValue(LIMITS.seed.min).setMaxValue(LIMITS.seed.max));
  if (opts.format !== false) {
    builder.addStringOption((o) => o.setName('format').setDescription('Audio format (default: the server setting, Ogg Opus)').addChoices(...FORMATS.map((f) => ({ name: f, value: f }))));
  }
  return builder;
}

/** The request fields as typed (validation is buildRequest's job). */
export function inputFrom(interaction: ChatInputCommandInteraction): RequestInput {
  const o = interaction.options;
  const value = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  return {
    prompt: value(o.getString('prompt')),
    style: value(o.getString('style')),
    mood: value(o.getString('mood')),
    duration: value(o.getString('duration')),
    tempo: value(o.getInteger('tempo')),
    key: value(o.getString('key')),
    meter: value(o.getString('meter')),
    instruments: value(o.getString('instruments')),
    energy: value(o.getString('energy')),
    loop: value(o.getBoolean('loop')),
    seed: value(o.getInteger('seed')),
  };
}

/** Suggestions for style, mood and key as the member types. */
export async function composeAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const choices = focused.name === 'style' ? styleChoices(focused.value) : focused.name === 'mood' ? moodChoices(focused.value) : focused.name === 'key' ? keyChoices(focused.value) : [];
  await interaction.respond(choices);
}

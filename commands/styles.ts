/** /styles — the catalog: each style with a short description and an example prompt, and the moods. */
import { EmbedBuilder, MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { StyleCatalog } from '../src/core/catalog/index.ts';

export const data = new SlashCommandBuilder().setName('styles').setDescription('List the styles and moods I can compose in');

export function stylesEmbed(): EmbedBuilder {
  const embed = new EmbedBuilder().setTitle('Styles and moods').setColor(0x5865f2);
  for (const s of StyleCatalog.styles) {
    embed.addFields({ name: `${s.name} (\`${s.id}\`)`, value: `${s.description}\n*e.g.* \`/compose prompt:"${s.examplePrompt}"\``.slice(0, 1024) });
  }
  embed.setDescription(`**Moods:** ${StyleCatalog.moods.map((m) => `\`${m.id}\``).join(' · ')}\nCombine any style with any mood, or just describe what you want.`);
  return embed;
}

export async function execute(interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.reply({ embeds: [stylesEmbed()], flags: MessageFlags.Ephemeral });
}

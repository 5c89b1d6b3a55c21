/** /license — what people may do with what Tunesmith makes (the full text is LICENSE-OUTPUT.md). */
import { EmbedBuilder, MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';

export const data = new SlashCommandBuilder().setName('license').setDescription('What you may do with the music Tunesmith makes, and the credit asked');

export const LICENSE_FIELDS = [
  { name: 'The music', value: 'Use it for anything: streams, videos, games, commercially; edit, loop and remix it. Tunesmith’s authors claim no rights in it. Please say it is AI-generated.' },
  { name: 'The program', value: 'Tunesmith is MIT-licensed; that covers the code, not the music it makes.' },
  { name: 'The SoundFont', value: 'FluidR3_GM by Frank Wen, MIT (the default): no conditions on music rendered with it. A server may choose another; /about names the one in use.' },
  {
    name: 'The training data',
    value: 'POP909 (Music X Lab, MIT) for the melody and accompaniment models. Groove MIDI (Google Magenta, CC BY 4.0) for the drum grooves: CC BY asks for credit when you share music using them.',
  },
  { name: 'Credit asked', value: '“Music: Tunesmith (AI-generated) · drum patterns from the Groove MIDI Dataset by Google Magenta (CC BY 4.0)”' },
  { name: 'Copyright', value: 'AI-generated music may not be protected by copyright in some countries, and anyone with the same request and seed gets the same notes. This is not legal advice.' },
];

export async function execute(interaction: ChatInputCommandInteraction): Promise<void> {
  const embed = new EmbedBuilder()
    .setTitle('What you may do with Tunesmith’s music')
    .setColor(0x5865f2)
    .addFields(LICENSE_FIELDS)
    .setFooter({ text: 'Full text: LICENSE-OUTPUT.md in the Tunesmith repository · check a file with /verify' });
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
}

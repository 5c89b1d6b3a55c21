/**
 * /verify — attach a file: is it what this Tunesmith instance made, unmodified? The size is
 * checked from the attachment's metadata before anything is downloaded, the download is capped
 * as it streams, and every outcome (not audio, too large, truncated, damaged, re-encoded, from
 * elsewhere, modified, unmodified) is one plain answer. The work is in src/provenance/verify.ts.
 */
import { EmbedBuilder, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { recomposeMidi } from '../src/pipeline.ts';
import { instanceKey } from '../src/provenance/keys.ts';
import { MAX_VERIFY_BYTES, verifyFile, type VerdictStatus } from '../src/provenance/verify.ts';

export const data = new SlashCommandBuilder()
  .setName('verify')
  .setDescription('Check whether a file was made by this Tunesmith and is unmodified')
  .addAttachmentOption((o) => o.setName('file').setDescription('An Ogg, MP3, WAV or MIDI file Tunesmith posted').setRequired(true));

const COLOURS: Record<VerdictStatus, number> = { unmodified: 0x2ecc71, modified: 0xe67e22, 'not-signed': 0x95a5a6, unreadable: 0x95a5a6 };
const TITLES: Record<VerdictStatus, string> = { unmodified: '✅ Made here, unmodified', modified: '⚠️ Modified after it was made', 'not-signed': '❔ Not signed by this Tunesmith', unreadable: '❔ Cannot check this file' };

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** The attachment's bytes, at most `max` of them (a larger body is refused as it arrives). */
async function download(url: string, max: number): Promise<Buffer | string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok || !response.body) return `Discord did not hand over the file (HTTP ${response.status}). Try again.`;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > max) return `The file is too large to check (over ${mib(max)}).`;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export async function execute(interaction: ChatInputCommandInteraction): Promise<void> {
  const attachment = interaction.options.getAttachment('file', true);
  if (attachment.size > MAX_VERIFY_BYTES) {
    await interaction.reply({ content: `❔ **${attachment.name}** is too large to check (${mib(attachment.size)}; at most ${mib(MAX_VERIFY_BYTES)}).` });
    return;
  }
  // Composing the piece again to compare its MIDI takes a moment.
  await interaction.deferReply();
  const bytes = await download(attachment.url, MAX_VERIFY_BYTES).catch(() => 'The file could not be downloaded from Discord. Try again.');
  if (typeof bytes === 'string') {
    await interaction.editReply({ content: `❔ ${bytes}` });
    return;
  }
  const key = await instanceKey();
  const verdict = await verifyFile(bytes, { key, recompose: (recipe) => recomposeMidi(recipe) });
  const embed = new EmbedBuilder()
    .setTitle(TITLES[verdict.status])
    .setColor(COLOURS[verdict.status])
    .setDescription(`**${attachment.name}**\n${verdict.message}`.slice(0, 4000))
    .setFooter({ text: `Instance key ${key.fingerprint} · a re-encoded file loses its tags and cannot be checked — see /about` });
  if (verdict.checks.length) embed.addFields({ name: 'Checked', value: verdict.checks.join('\n').slice(0, 1024) });
  await interaction.editReply({ embeds: [embed] });
}

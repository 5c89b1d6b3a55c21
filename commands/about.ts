/** /about — version, the model in use, and the licences of its training data and the SoundFont. */
import { readFile } from 'node:fs/promises';
import { EmbedBuilder, MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { COMPOSER_VERSION } from '../src/core/compose.ts';
import { instanceKey } from '../src/provenance/keys.ts';

export const data = new SlashCommandBuilder().setName('about').setDescription('Version, model and licences');

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The first heading and the data-and-licences table of the model card, if the model is present. */
async function modelSummary(): Promise<string> {
  try {
    const card = await readFile(new URL('../models/melody/MODEL_CARD.md', import.meta.url), 'utf8');
    const title = /^# (.+)$/m.exec(card)?.[1] ?? 'melody model';
    const rows = card.split('\n').filter((l) => /^\| (POP909|Groove|JSB|free-midi)/.test(l));
    const data = rows.map((r) => r.split('|').map((c) => c.trim())).map((c) => `• ${c[1]} — ${c[3]}`);
    return [title, ...data].join('\n');
  } catch {
    return 'The neural model is not installed on this server: melodies come from the rule-based composer.';
  }
}

/** What /verify can and cannot tell, said plainly. */
export const VERIFY_LIMITS =
  'Every file I post carries a manifest signed with this key: request, seed, date, versions and the SHA-256 of its MIDI and audio. /verify checks it. ' +
  'It cannot prove anything about a file whose tags are gone: re-encoding, converting or most uploads elsewhere drop them, and such a file reads as "not signed". ' +
  'A signature shows this instance made the file, not who asked for it; and anyone can strip it.';

export async function execute(interaction: ChatInputCommandInteraction): Promise<void> {
  const key = await instanceKey();
  const embed = new EmbedBuilder()
    .setTitle(`Tunesmith ${pkg.version}`)
    .setColor(0x5865f2)
    .setDescription('An open-source Discord bot that composes music on request. Everything it posts is AI-generated.')
    .addFields(
      { name: 'Composer', value: COMPOSER_VERSION, inline: true },
      { name: 'Model and training data', value: (await modelSummary()).slice(0, 1024) },
      { name: 'SoundFont', value: 'FluidR3_GM by Frank Wen — MIT licence (Debian fluid-soundfont-gm). Servers may configure another.' },
      { name: 'Licence', value: 'Tunesmith is MIT-licensed. What you may do with the music: /license.' },
      { name: 'Signing key (Ed25519)', value: `\`${key.publicKeyBase64}\`\nfingerprint ${key.fingerprint}` },
      { name: 'What /verify can and cannot prove', value: VERIFY_LIMITS },
    );
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
}

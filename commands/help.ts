/** /help — how to use the bot, in a few lines. */
import { EmbedBuilder, MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';

export const data = new SlashCommandBuilder().setName('help').setDescription('How to use Tunesmith');

export async function execute(interaction: ChatInputCommandInteraction): Promise<void> {
  const embed = new EmbedBuilder()
    .setTitle('Tunesmith — music on request')
    .setColor(0x5865f2)
    .setDescription(
      [
        '**/compose** `prompt:"calm lofi intro for my stream, 15 seconds"` — or pick style, mood, duration, tempo, key, instruments, energy, loop, seed, format. You get the audio, the MIDI and a piano roll.',
        'Under each result: **Variation** (same request, new seed), **Extend** (a longer version), **Play in voice**, **Re-render** (change tempo, key, instruments or SoundFont without composing again), **MIDI**, **Stems** (each instrument as its own WAV, in a zip).',
        '**/kit** `name:"My Stream"` — a streamer kit: intro, outro, “be right back” and “starting soon” loops and a stinger, in one key, tempo and sound, sharing one theme, as one zip.',
        '**/verify** with a file — was it made here, unmodified? · **/license** — what you may do with the music.',
        '**/play** composes or replays into your voice channel; **/queue**, **/skip**, **/stop**, **/nowplaying**, **/volume** control it.',
        'Or just talk: mention **@Tunesmith** with a prompt (or DM it), and reply to a result to change it — `slower`, `make it darker`, `add strings`, `no drums`, `twice as long`, `as mp3`, `another like this but happier`. **Apps → Compose from this message** composes from any message.',
        '**/styles** lists styles and moods · **/about** shows versions and licences · **/settings show** shows this server’s defaults and limits (changing them needs Manage Server).',
        'Lengths are exact (for stream intros and outros): pieces end on a final chord inside the time you ask for, or loop seamlessly with `loop:true`. The same request and seed always give the same piece.',
      ].join('\n\n'),
    );
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
}

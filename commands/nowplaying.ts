/** /nowplaying — the piece playing in voice, with a progress bar (only you see the answer). */
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/bot/context.ts';
import { tell, voiceOf } from '../src/bot/voice/play.ts';
import { nowPlayingText, say } from '../src/bot/voice/text.ts';

export const data = new SlashCommandBuilder().setName('nowplaying').setDescription('Show the piece playing in voice, with its progress');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return tell(interaction, say.guildOnly);
  const manager = voiceOf(ctx);
  const session = manager.get(interaction.guildId);
  const now = session?.nowPlaying();
  if (!session || !now) return tell(interaction, say.nothingPlaying);
  const content = nowPlayingText(now.track.info, now.positionSec, {
    paused: now.paused,
    volumePercent: manager.volumePercent(interaction.guildId),
    channelId: session.channelId,
    upNext: session.queue[0]?.info,
  });
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

/** /queue — what is playing in voice and what comes next (only you see the answer). */
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/bot/context.ts';
import { tell, voiceOf } from '../src/bot/voice/play.ts';
import { queueText, say } from '../src/bot/voice/text.ts';

export const data = new SlashCommandBuilder().setName('queue').setDescription('Show what is playing in voice and what comes next');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return tell(interaction, say.guildOnly);
  const manager = voiceOf(ctx);
  const session = manager.get(interaction.guildId);
  const now = session?.nowPlaying() ?? null;
  if (!session || !now) return tell(interaction, say.nothingPlaying);
  const content = queueText({ track: now.track.info, positionSec: now.positionSec }, session.queue.map((t) => t.info), { volumePercent: manager.volumePercent(interaction.guildId), channelId: session.channelId });
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

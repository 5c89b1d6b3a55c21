/** /stop — stop playing, clear the queue and leave the voice channel. */
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/bot/context.ts';
import { allRequesters, mayControl } from '../src/bot/voice/control.ts';
import { tell, voiceOf } from '../src/bot/voice/play.ts';
import { say } from '../src/bot/voice/text.ts';

export const data = new SlashCommandBuilder().setName('stop').setDescription('Stop playing, clear the queue and leave voice');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return tell(interaction, say.guildOnly);
  const session = voiceOf(ctx).get(interaction.guildId);
  if (!session) return tell(interaction, say.notConnected);
  if (!(await mayControl(interaction, ctx, session, allRequesters(session), 'stop'))) return;
  const cleared = session.queue.length;
  const channelId = session.channelId;
  session.close('stopped');
  ctx.logger.child({ requestId: interaction.id }).info({ guild: interaction.guildId, cleared }, 'stopped voice');
  await interaction.reply({
    content: `⏹️ <@${interaction.user.id}> stopped the music${cleared ? ` and cleared ${cleared} queued piece${cleared > 1 ? 's' : ''}` : ''}. I left <#${channelId}>.`,
    allowedMentions: { parse: [] },
  });
}

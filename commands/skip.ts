/** /skip — end the current piece; the next one in the queue starts. */
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/bot/context.ts';
import { mayControl } from '../src/bot/voice/control.ts';
import { tell, voiceOf } from '../src/bot/voice/play.ts';
import { say } from '../src/bot/voice/text.ts';

export const data = new SlashCommandBuilder().setName('skip').setDescription('Skip the piece playing in voice');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return tell(interaction, say.guildOnly);
  const session = voiceOf(ctx).get(interaction.guildId);
  const now = session?.nowPlaying();
  if (!session || !now) return tell(interaction, say.nothingPlaying);
  if (!(await mayControl(interaction, ctx, session, [now.track.info.requestedBy], 'skip'))) return;
  const next = session.queue[0];
  session.skip();
  ctx.logger.child({ requestId: interaction.id }).info({ guild: interaction.guildId, track: now.track.info.title }, 'skipped');
  await interaction.reply({
    content: `⏭️ <@${interaction.user.id}> skipped **${now.track.info.title}**.${next ? ` Next: **${next.info.title}**.` : ' The queue is empty.'}`,
    allowedMentions: { parse: [] },
  });
}

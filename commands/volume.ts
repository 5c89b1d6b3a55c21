/**
 * /volume — the voice volume for this server, 1–150 % (100 % = as rendered). It applies at once
 * (the current piece restarts from where it is at the new level) and to every piece after.
 */
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/bot/context.ts';
import { allRequesters, mayControl } from '../src/bot/voice/control.ts';
import { VOLUME } from '../src/bot/voice/manager.ts';
import { tell, voiceOf } from '../src/bot/voice/play.ts';
import { say } from '../src/bot/voice/text.ts';

export const data = new SlashCommandBuilder()
  .setName('volume')
  .setDescription('Show or set the voice volume for this server')
  .addIntegerOption((o) => o.setName('percent').setDescription(`${VOLUME.min}–${VOLUME.max} (100 = normal)`).setMinValue(VOLUME.min).setMaxValue(VOLUME.max));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return tell(interaction, say.guildOnly);
  const manager = voiceOf(ctx);
  const percent = interaction.options.getInteger('percent');
  const current = await manager.loadVolume(interaction.guildId);
  if (percent === null) {
    await interaction.reply({ content: `🔊 The volume is ${current}%. Change it with /volume percent:<${VOLUME.min}–${VOLUME.max}>.`, flags: MessageFlags.Ephemeral });
    return;
  }
  const session = manager.get(interaction.guildId);
  if (!(await mayControl(interaction, ctx, session, allRequesters(session), 'change the volume of'))) return;
  await manager.setVolume(interaction.guildId, percent);
  ctx.logger.child({ requestId: interaction.id }).info({ guild: interaction.guildId, from: current, to: percent }, 'volume');
  await interaction.reply({ content: `${percent < current ? '🔉' : '🔊'} <@${interaction.user.id}> set the volume to ${percent}%.`, allowedMentions: { parse: [] } });
}

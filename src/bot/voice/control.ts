/**
 * /skip, /stop and /volume share one permission check (the DJ rules in rules.ts): it answers
 * the member with an ephemeral explanation and returns false when they may not.
 */
import { PermissionFlagsBits } from 'discord.js';
import type { ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../context.ts';
import { tell } from './play.ts';
import { canControl } from './rules.ts';
import type { GuildSession } from './session.ts';
import { say } from './text.ts';

export type ControlAction = 'skip' | 'stop' | 'change the volume of';

/** Who asked for the current and queued tracks. */
export function allRequesters(session: GuildSession | undefined): string[] {
  if (!session) return [];
  return [session.current?.track.info.requestedBy, ...session.queue.map((t) => t.info.requestedBy)].filter((id): id is string => !!id);
}

export async function mayControl(
  interaction: ChatInputCommandInteraction<'cached'>,
  ctx: BotContext,
  session: GuildSession | undefined,
  affectedRequesters: string[],
  action: ControlAction,
): Promise<boolean> {
  const settings = await ctx.settings.get(interaction.guildId);
  const memberChannel = interaction.guild.voiceStates.cache.get(interaction.user.id)?.channelId ?? null;
  const decision = canControl({
    userId: interaction.user.id,
    isManager: interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild),
    roleIds: [...interaction.member.roles.cache.keys()],
    djRoleId: settings.djRoleId,
    // With no session there is no channel to be in; the action only touches what plays later.
    inBotChannel: !session || memberChannel === session.channelId,
    affectedRequesters,
  });
  if (decision.ok) return true;
  if (decision.reason === 'not-in-channel') await tell(interaction, say.notInBotChannel(session!.channelId));
  else await tell(interaction, say.djRequired(settings.djRoleId!, action));
  return false;
}

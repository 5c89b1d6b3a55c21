import { PermissionFlagsBits } from 'discord.js';

export const P = PermissionFlagsBits;
export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);

/** What a fresh guild's @everyone role may do (close to Discord's defaults for a new server). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  P.ViewChannel | P.SendMessages | P.SendMessagesInThreads | P.EmbedLinks | P.AttachFiles |
  P.ReadMessageHistory | P.AddReactions | P.UseApplicationCommands | P.UseExternalEmojis |
  P.Connect | P.Speak | P.UseVAD | P.Stream | P.CreateInstantInvite | P.ChangeNickname;

export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member (Discord's encoding). */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

/**
 * Discord's documented permission algorithm: base = OR of @everyone and member roles
 * (owner/Administrator = everything), then channel overwrites in the order
 * @everyone, roles (deny then allow, aggregated), member. No ViewChannel means nothing.
 */
export function computePermissions(input: {
  isOwner: boolean;
  everyoneRoleId: string;
  rolePermissions: Map<string, bigint>;
  memberRoleIds: string[];
  memberId: string;
  overwrites?: Overwrite[];
}): bigint {
  if (input.isOwner) return ALL_PERMISSIONS;
  let perms = input.rolePermissions.get(input.everyoneRoleId) ?? 0n;
  for (const id of input.memberRoleIds) perms |= input.rolePermissions.get(id) ?? 0n;
  if (perms & P.Administrator) return ALL_PERMISSIONS;
  if (!input.overwrites) return perms;

  const everyone = input.overwrites.find((o) => o.id === input.everyoneRoleId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of input.overwrites) {
    if (o.type === 0 && input.memberRoleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const member = input.overwrites.find((o) => o.type === 1 && o.id === input.memberId);
  if (member) perms = (perms & ~member.deny) | member.allow;
  if (!(perms & P.ViewChannel)) return 0n;
  return perms;
}

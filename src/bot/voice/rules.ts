/**
 * Who may do what with voice, as pure functions (unit-tested in test/bot/voice.rules.test.ts).
 *
 * The bot needs View Channel, Connect and Speak in the member's voice channel (and room in it,
 * unless it may Move Members, which lets it past a user limit).
 *
 * DJ rules for /skip, /stop and /volume:
 *  - Manage Server, or the server's DJ role (/settings djRoleId), may always act, from anywhere.
 *  - Everyone else must be in the bot's voice channel (you control what you are listening to).
 *  - With no DJ role set, anyone there may act on any track.
 *  - With a DJ role set, members may act only when every track affected is their own: /skip the
 *    current track, /stop and /volume the current and queued tracks (the volume is the guild's
 *    and carries over to the next tracks, so it affects those too).
 */
import { PermissionFlagsBits } from 'discord.js';

export const VOICE_PERMISSIONS = [
  { flag: PermissionFlagsBits.ViewChannel, name: 'View Channel' },
  { flag: PermissionFlagsBits.Connect, name: 'Connect' },
  { flag: PermissionFlagsBits.Speak, name: 'Speak' },
] as const;

/** Names of the voice permissions the bot lacks, given its permission bits in the channel. */
export function missingVoicePermissions(bits: bigint): string[] {
  return VOICE_PERMISSIONS.filter((p) => (bits & p.flag) !== p.flag).map((p) => p.name);
}

/** A channel at its user limit keeps the bot out unless it may Move Members. */
export function isFullFor(channel: { userLimit: number; members: number }, botBits: bigint): boolean {
  return channel.userLimit > 0 && channel.members >= channel.userLimit && (botBits & PermissionFlagsBits.MoveMembers) === 0n;
}

export interface ControlRequest {
  userId: string;
  /** Manage Server. */
  isManager: boolean;
  roleIds: readonly string[];
  djRoleId: string | null;
  /** Whether the member is in the bot's voice channel. */
  inBotChannel: boolean;
  /** Who asked for each track the action affects. */
  affectedRequesters: readonly string[];
}

export type ControlDecision = { ok: true } | { ok: false; reason: 'not-in-channel' | 'dj-required' };

export function canControl(r: ControlRequest): ControlDecision {
  const isDj = r.djRoleId !== null && r.roleIds.includes(r.djRoleId);
  if (r.isManager || isDj) return { ok: true };
  if (!r.inBotChannel) return { ok: false, reason: 'not-in-channel' };
  if (r.djRoleId === null || r.affectedRequesters.every((id) => id === r.userId)) return { ok: true };
  return { ok: false, reason: 'dj-required' };
}

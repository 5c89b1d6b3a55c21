/**
 * Everything voice playback says to people, kept apart from Discord calls so it can be
 * unit-tested: errors a non-programmer understands, now-playing lines with a progress bar, the
 * queue.
 */
import type { TrackInfo } from './track.ts';

export const mmss = (sec: number): string => {
  const s = Math.max(0, Math.floor(sec));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** `▬▬▬▬🔘▬▬▬▬▬` 0:12 / 0:30 */
export function progressBar(positionSec: number, durationSec: number, width = 16): string {
  const f = durationSec > 0 ? Math.min(1, Math.max(0, positionSec / durationSec)) : 0;
  const knob = Math.min(width - 1, Math.floor(f * width));
  return `\`${'▬'.repeat(knob)}🔘${'▬'.repeat(width - 1 - knob)}\` ${mmss(positionSec)} / ${mmss(durationSec)}`;
}

export function describeTrack(t: TrackInfo): string {
  return `**${t.title}** — ${t.style} · ${t.mood} · ${t.key} · ${mmss(t.durationSec)}${t.loop ? ' (loop)' : ''} · seed ${t.seed}`;
}

export const say = {
  guildOnly: 'Voice playback works only in servers that added Tunesmith: here it runs as your own app (a DM, a group DM, or a server without the bot), so it can post pieces but cannot join a voice channel.',
  notInVoice: 'Join a voice channel first, then try again: I play into the voice channel you are in.',
  missingPermissions: (channelId: string, names: string[]) =>
    `I can't play in <#${channelId}>: I'm missing the ${andList(names.map((n) => `**${n}**`))} permission${names.length > 1 ? 's' : ''} there. A server admin can allow ${names.length > 1 ? 'them' : 'it'} for me in the channel's settings → Permissions.`,
  channelFull: (channelId: string, limit: number) => `<#${channelId}> is full (${limit} of ${limit} people), so I can't join. Make room, or ask an admin to raise the limit.`,
  busyElsewhere: (channelId: string) => `I'm already playing in <#${channelId}>. Join that channel to add to the queue, or wait until it has finished.`,
  joinFailed: (channelId: string) =>
    `I couldn't connect to <#${channelId}>: Discord didn't let me in. Check that I may **Connect** there and that the channel isn't full, then try again.`,
  queueFull: (max: number) => `The queue is full (${max} pieces). Wait for some to finish, or /skip a few.`,
  expired: 'That piece is no longer stored (old results are cleared after a while), and its MIDI file is not on this message. Compose it again with /play or /compose and its seed.',
  filesRefused: (reason: string, seed: number) => `I couldn't queue the files of this piece: ${reason} /compose with seed:${seed} and the same options gives them.`,
  nothingPlaying: 'Nothing is playing right now. Use /play to start something.',
  notConnected: "I'm not in a voice channel here. Use /play to start something.",
  notInBotChannel: (channelId: string) => `You need to be in <#${channelId}>, where I'm playing, to control the music.`,
  djRequired: (roleId: string, action: string) =>
    `Only members with the <@&${roleId}> role (or Manage Server) can ${action} pieces other people asked for. This is a server setting (/settings).`,
  renderFailed: "Something went wrong while preparing that piece for voice. It has been logged; please try again.",
};

function andList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const ORIGIN_NOTE: Record<TrackInfo['origin'], string> = {
  new: ' · the files follow below once it has rendered',
  stored: '',
  rebuilt: ' · rebuilt from its MIDI (the stored audio had expired)',
};

/** Said until the first audio packet has gone out (joining and rendering take a moment). */
export function startingNow(t: TrackInfo, channelId: string): string {
  return `⏳ Starting in <#${channelId}>: ${describeTrack(t)}\n-# Asked for by <@${t.requestedBy}>${ORIGIN_NOTE[t.origin]}`;
}

export function playingNow(t: TrackInfo, channelId: string): string {
  return `▶️ Now playing in <#${channelId}>: ${describeTrack(t)}\n-# Asked for by <@${t.requestedBy}>${ORIGIN_NOTE[t.origin]}`;
}

export function queuedAt(t: TrackInfo, place: number, startsInSec: number): string {
  return `➕ Queued #${place}: ${describeTrack(t)}\n-# Asked for by <@${t.requestedBy}> · starts in about ${mmss(startsInSec)}`;
}

export function nowPlayingText(t: TrackInfo, positionSec: number, opts: { paused: boolean; volumePercent: number; channelId: string; upNext?: TrackInfo }): string {
  return [
    `${opts.paused ? '⏸️ Paused (nobody is listening)' : '▶️ Now playing'} in <#${opts.channelId}>: ${describeTrack(t)}`,
    progressBar(positionSec, t.durationSec),
    `-# Asked for by <@${t.requestedBy}> · volume ${opts.volumePercent}%${opts.upNext ? ` · next: ${opts.upNext.title}` : ''}`,
  ].join('\n');
}

const MAX_QUEUE_LINES = 15;
/** Room under Discord's 2000 characters for the "…and N more" line. */
const QUEUE_TEXT_BUDGET = 1900;

export function queueText(now: { track: TrackInfo; positionSec: number } | null, queued: TrackInfo[], opts: { volumePercent: number; channelId: string }): string {
  if (!now) return say.nothingPlaying;
  const left = now.track.durationSec - now.positionSec + queued.reduce((sum, t) => sum + t.durationSec, 0);
  const footer = `-# In <#${opts.channelId}> · ${queued.length} queued · ${mmss(left)} left in all · volume ${opts.volumePercent}%`;
  const lines = [`▶️ ${describeTrack(now.track)} — ${mmss(now.positionSec)} / ${mmss(now.track.durationSec)} · <@${now.track.requestedBy}>`];
  let length = lines[0]!.length + footer.length;
  let shown = 0;
  for (const [i, t] of queued.entries()) {
    const line = `${i + 1}. ${describeTrack(t)} · <@${t.requestedBy}>`;
    if (shown === MAX_QUEUE_LINES || length + line.length + 1 > QUEUE_TEXT_BUDGET) break;
    lines.push(line);
    length += line.length + 1;
    shown++;
  }
  if (shown < queued.length) lines.push(`…and ${queued.length - shown} more`);
  lines.push(footer);
  return lines.join('\n');
}

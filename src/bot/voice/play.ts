/**
 * Playing something into the caller's voice channel, for /play and the "Play in voice" button:
 * check the member and the bot can use voice there, find or compose the piece, then join, reply
 * and start playing at the same time, so the first packet leaves as soon as both the voice
 * connection and the audio are ready.
 *
 * /play with a seed whose piece is already in the result store replays the stored audio (any
 * stored format); anything else is composed and stream-rendered by a worker, whose Ogg pages
 * arrive through Redis as they are made (see track.ts and src/queue/voiceStream.ts).
 *
 * The files of a new piece: once its live render has finished and its first packet has gone out
 * (so the two renders never compete for the CPU while the stream is being made, nor delay its
 * start), a normal compose job for the same request and
 * seed is queued, and its result (audio in the server's format, MIDI, piano roll, the usual
 * buttons) is posted as a follow-up under the /play reply, which keeps saying what is playing.
 * The files are what /compose would give (the same MIDI bytes, the normalised and tagged audio),
 * no one has to ask for them, and the stored result makes a later /play of the seed instant.
 *
 * The reply says "Starting…" until the track's first audio packet has really gone out, then
 * "Now playing" (a queued piece's reply changes to "Now playing" when its turn comes).
 */
import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type Guild, type StringSelectMenuInteraction, type VoiceBasedChannel } from 'discord.js';
import type { Logger } from 'pino';
import { buildRequest } from '../../core/buildRequest.ts';
import { FORMATS, RequestError, type CompositionRequest } from '../../core/request.ts';
import { resultIdFor } from '../../queue/jobs.ts';
import type { StoredPiece } from '../../queue/resultStore.ts';
import { inputFrom } from '../composeOptions.ts';
import type { BotContext } from '../context.ts';
import { notUnderstoodMessage, problemsMessage } from '../messages.ts';
import { notUnderstood } from '../../core/notUnderstood.ts';
import { VoiceJoinError, type VoiceManager } from './manager.ts';
import { isFullFor, missingVoicePermissions } from './rules.ts';
import { MAX_QUEUE, type GuildSession } from './session.ts';
import { playingNow, queuedAt, say, startingNow } from './text.ts';
import { newTrack, rebuiltTrack, storedTrack, type Track } from './track.ts';
import { loadSource } from '../components/source.ts';
import { deliveryFor } from '../submit.ts';
import { QueueRejection } from '../../queue/producer.ts';
import type { ComposeJobInput } from '../../queue/jobs.ts';
import type { VoiceStreams } from '../../queue/voiceStream.ts';

export type VoiceInteraction = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction;

export function voiceOf(ctx: BotContext): VoiceManager {
  const manager = ctx.services.voice as VoiceManager | undefined;
  if (!manager) throw new Error('voice playback is not registered (registerVoice was not called)');
  return manager;
}

/** An ephemeral answer, whether or not the interaction was answered already. */
export async function tell(interaction: VoiceInteraction, content: string): Promise<void> {
  if (interaction.replied || interaction.deferred) {
    await interaction.deleteReply().catch(() => {});
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  }
}

interface Target {
  guild: Guild;
  channel: VoiceBasedChannel;
  manager: VoiceManager;
}

/** Everything that can be checked before any work: says why not (ephemeral) and returns null. */
async function voiceTarget(interaction: VoiceInteraction, ctx: BotContext): Promise<Target | null> {
  if (!interaction.inCachedGuild()) {
    await tell(interaction, say.guildOnly);
    return null;
  }
  const guild = interaction.guild;
  const channel = guild.voiceStates.cache.get(interaction.user.id)?.channel;
  if (!channel) {
    await tell(interaction, say.notInVoice);
    return null;
  }
  const me = guild.members.me;
  const bits = (me && channel.permissionsFor(me)?.bitfield) || 0n;
  const missing = missingVoicePermissions(bits);
  if (missing.length) {
    await tell(interaction, say.missingPermissions(channel.id, missing));
    return null;
  }
  const manager = voiceOf(ctx);
  const session = manager.get(guild.id);
  if (session && session.channelId !== channel.id) {
    if (session.busy) {
      await tell(interaction, say.busyElsewhere(session.channelId));
      return null;
    }
  }
  if (session?.channelId !== channel.id && isFullFor({ userLimit: channel.userLimit, members: channel.members.filter((m) => m.id !== me?.id).size }, bits)) {
    await tell(interaction, say.channelFull(channel.id, channel.userLimit));
    return null;
  }
  if (session && session.queue.length >= MAX_QUEUE) {
    await tell(interaction, say.queueFull(MAX_QUEUE));
    return null;
  }
  return { guild, channel, manager };
}

/** A stored result for exactly this request (seed included), in any stored format. */
async function findStored(ctx: BotContext, request: CompositionRequest): Promise<{ resultId: string; piece: StoredPiece } | null> {
  for (const format of FORMATS) {
    const resultId = resultIdFor({ request, render: { format } });
    const piece = await ctx.results.get(resultId);
    if (piece) return { resultId, piece };
  }
  return null;
}

/** /play */
export async function playCommand(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const log = ctx.logger.child({ requestId: interaction.id, user: interaction.user.id, guild: interaction.guildId });
  const input = inputFrom(interaction);
  let built;
  try {
    built = buildRequest(input);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    await tell(interaction, problemsMessage(error.problems));
    return;
  }
  const unknown = notUnderstood(input, built);
  if (unknown) {
    await tell(interaction, notUnderstoodMessage(unknown));
    return;
  }
  const target = await voiceTarget(interaction, ctx);
  if (!target) return;

  const stored = built.seedWasRandom ? null : await findStored(ctx, built.request);
  let track: Track;
  if (stored) {
    track = storedTrack(stored.resultId, stored.piece, interaction.user.id);
  } else {
    // A new piece costs a render, so the server's compose limits apply as for /compose.
    const settings = await ctx.settings.get(interaction.guildId);
    if (settings.allowedChannelIds.length && !settings.allowedChannelIds.includes(interaction.channelId)) {
      await tell(interaction, `I only compose in ${settings.allowedChannelIds.map((id) => `<#${id}>`).join(', ')} on this server (a server setting). Try one of those channels.`);
      return;
    }
    if (built.request.durationSec > settings.maxDurationSec) {
      await tell(interaction, `This server allows pieces up to ${settings.maxDurationSec} s; you asked for ${built.request.durationSec} s. Try duration:${settings.maxDurationSec}.`);
      return;
    }
    const left = await ctx.settings.takeCooldown(interaction.guildId, interaction.user.id, settings.cooldownSec);
    if (left > 0) {
      await tell(interaction, `Easy there! You can compose again in ${left} s (this server's cooldown is ${settings.cooldownSec} s).`);
      return;
    }
    const made = await whenDescribed(interaction, newTrack(streamsOf(ctx), built.request, interaction.user.id), log);
    if (!made) return;
    track = made;
    const request = built.request;
    const files: ComposeJobInput = {
      requestId: `${interaction.id}-files`,
      request,
      render: { format: settings.defaultFormat },
      delivery: { ...deliveryFor(interaction), post: 'followUp' },
      understood: built.understood,
      ignored: built.ignored,
      enqueuedAt: Date.now(),
    };
    // After the render is done and the first packet is out, so the second render (and the compose
    // on this process's worker) never delays the start of playback.
    track.onComplete(() => void track.audible.then(() => queueFiles(interaction, ctx, files, log)));
  }
  log.info({ origin: track.info.origin, resultId: track.info.resultId, seed: track.info.seed, durationSec: track.info.durationSec }, 'voice play');
  await startPlaying(interaction, target, track, log);
}

function streamsOf(ctx: BotContext): VoiceStreams {
  const streams = ctx.services.voiceStreams as VoiceStreams | undefined;
  if (!streams) throw new Error('voice streams are not registered (registerVoice was not called)');
  return streams;
}

/** Until when (after the interaction was created) the reply waits for the worker's description before deferring. */
const DESCRIBE_DEADLINE_MS = 1200;

/**
 * A worker-rendered track once the worker has said what it is (a few tens of ms with an idle
 * worker). If that takes longer, the interaction is deferred so Discord's 3 s window is kept;
 * if it fails (no worker took it in time, or every attempt failed), the member is told.
 */
async function whenDescribed(interaction: VoiceInteraction, pending: Promise<Track>, log: Logger): Promise<Track | null> {
  const settled = pending.then(
    (track) => ({ track }),
    (error: Error) => ({ error }),
  );
  const waitMs = Math.max(0, interaction.createdTimestamp + DESCRIBE_DEADLINE_MS - Date.now());
  let outcome = await Promise.race([settled, new Promise<null>((resolve) => setTimeout(resolve, waitMs, null).unref())]);
  if (!outcome) {
    log.info({ ageMs: Date.now() - interaction.createdTimestamp }, 'the worker has not described the piece yet: deferring the reply');
    await interaction.deferReply();
    outcome = await settled;
  }
  if ('error' in outcome) {
    log.error({ err: outcome.error.message }, 'voice stream could not start');
    await tell(interaction, say.renderFailed);
    return null;
  }
  return outcome.track;
}

/** Queue the compose job whose result is posted under the /play reply (see the file comment). */
async function queueFiles(interaction: VoiceInteraction, ctx: BotContext, job: ComposeJobInput, log: Logger): Promise<void> {
  try {
    const result = await ctx.producer.submit({ ...job, enqueuedAt: Date.now() });
    log.info({ status: result.status, resultId: result.resultId }, 'files of the voice piece queued');
  } catch (error) {
    const reason = error instanceof QueueRejection ? error.message : 'something went wrong on my side.';
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not queue the files of the voice piece');
    await interaction.followUp({ content: say.filesRefused(reason, job.request.seed), flags: MessageFlags.Ephemeral }).catch(() => {});
  }
}

/** The "Play in voice" button under a result (custom id ts:play:<resultId>). */
export async function playButton(interaction: VoiceInteraction, ctx: BotContext, resultId: string): Promise<void> {
  const log = ctx.logger.child({ requestId: interaction.id, user: interaction.user.id, guild: interaction.guildId, resultId });
  const target = await voiceTarget(interaction, ctx);
  if (!target) return;
  const piece = await ctx.results.get(resultId);
  if (piece) {
    log.info({ origin: 'stored' }, 'voice play (button)');
    await startPlaying(interaction, target, storedTrack(resultId, piece, interaction.user.id), log);
    return;
  }
  // The stored audio has expired: render it again from the MIDI (the store's, else the file on the message).
  const source = interaction.isMessageComponent() ? await loadSource(interaction, ctx, resultId, { keep: false }) : null;
  if (!source) {
    await tell(interaction, say.expired);
    return;
  }
  log.info({ origin: 'rebuilt' }, 'voice play (button): the stored audio expired, rebuilding it from the MIDI');
  const track = await whenDescribed(interaction, rebuiltTrack(streamsOf(ctx), resultId, source.midi, interaction.user.id, { soundfont: source.render.soundfont }), log);
  if (track) await startPlaying(interaction, target, track, log);
}

/**
 * Join, reply and start at once. The reply is written before the join settles (it must come
 * within Discord's 3 s, and a join can take longer when Discord is slow); if the join then
 * fails, the reply is replaced by an ephemeral explanation.
 */
async function startPlaying(interaction: VoiceInteraction, target: Target, track: Track, log: Logger): Promise<void> {
  const before = target.manager.get(target.guild.id);
  // Start rendering now if it plays now or next (in parallel with the join and the reply);
  // further back in the queue it waits its turn, so a long queue is not rendered all at once.
  if (!before?.busy || before.queue.length === 0) track.prepare();
  const guess = before?.busy ? before.queue.length + 1 : 0;
  const aheadSec = before?.busy ? secondsAhead(before) : 0;
  let place = guess;
  const started = target.manager.join(target.channel, log).then((session) => {
    place = session.enqueue(track);
    return session;
  });
  const content = guess === 0 ? startingNow(track.info, target.channel.id) : queuedAt(track.info, guess, aheadSec);
  const answer = interaction.deferred ? interaction.editReply({ content, allowedMentions: { parse: [] } }) : interaction.reply({ content, allowedMentions: { parse: [] } });
  const [play, reply] = await Promise.allSettled([started, answer]);
  if (play.status === 'rejected') {
    track.dispose();
    const error = play.reason;
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not start voice playback');
    if (error instanceof VoiceJoinError) await tell(interaction, say.joinFailed(target.channel.id));
    else if (error instanceof Error && error.name === 'QueueFullError') await tell(interaction, say.queueFull(MAX_QUEUE));
    else throw error;
    return;
  }
  if (reply.status === 'rejected') throw reply.reason;
  // The player skips a piece whose render fails; the member who asked is told why it went quiet.
  track.onFailure((error) => {
    log.error({ err: error.message }, 'voice render failed');
    void interaction.followUp({ content: say.renderFailed, flags: MessageFlags.Ephemeral }).catch(() => {});
  });
  const placed: Promise<unknown> =
    place !== guess
      ? interaction.editReply({ content: place === 0 ? startingNow(track.info, target.channel.id) : queuedAt(track.info, place, secondsAhead(play.value, track)), allowedMentions: { parse: [] } })
      : Promise.resolve();
  // "Now playing" only once the first packet has gone out; after any edit above, never before it.
  void track.audible
    .then(() => placed)
    .then(() => interaction.editReply({ content: playingNow(track.info, target.channel.id), allowedMentions: { parse: [] } }))
    .catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not say "now playing"'));
  await placed;
}

/** Seconds until a track added now (or `track`, already queued) would start. */
function secondsAhead(session: GuildSession, track?: Track): number {
  const now = session.nowPlaying();
  let sec = now ? Math.max(0, now.track.info.durationSec - now.positionSec) : 0;
  for (const queued of session.queue) {
    if (queued === track) break;
    sec += queued.info.durationSec;
  }
  return sec;
}

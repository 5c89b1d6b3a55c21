/**
 * One guild's voice session: the connection, its audio player, the queue, the volume, and the
 * rules for leaving. Created by the VoiceManager when someone plays something; closed on /stop,
 * when nobody listens or nothing plays for VOICE_IDLE_SEC, when the bot is kicked, or when the
 * connection cannot be brought back.
 *
 * Connection loss, as @discordjs/voice reports it:
 *  - a resumable voice-socket close (4015, < 4000) is resumed by the library itself;
 *  - any other close makes the library ask Discord to rejoin (Signalling); we give that
 *    RECOVER_MS to reach Ready again, else close;
 *  - 4014 means kicked or moved: a move is followed by a new voice server within seconds, a kick
 *    is not. We wait MOVE_GRACE_MS, then close. (A kick is also seen at once in the bot's own
 *    VOICE_STATE_UPDATE, which the manager turns into close('kicked'.)
 *  - other Disconnected reasons: rejoin up to MAX_REJOINS times, with a growing pause.
 * While the connection is not Ready the player auto-pauses (NoSubscriberBehavior.Pause), so
 * nothing is lost: the track carries on from where it stopped.
 */
import {
  AudioPlayerStatus,
  NoSubscriberBehavior,
  StreamType,
  VoiceConnectionDisconnectReason,
  VoiceConnectionStatus,
  createAudioPlayer,
  createAudioResource,
  joinVoiceChannel,
  type AudioPlayer,
  type AudioPlayerState,
  type AudioResource,
  type VoiceConnection,
  type VoiceConnectionState,
} from '@discordjs/voice';
import type { Guild } from 'discord.js';
import type { Logger } from 'pino';
import type { Track } from './track.ts';

export const MAX_QUEUE = 20;
const JOIN_TIMEOUT_MS = 10_000;
const RECOVER_MS = 20_000;
const MOVE_GRACE_MS = 5_000;
const MAX_REJOINS = 5;
/** A live render may fall behind on a busy machine: by default allow 5 s of underrun before giving up a track. */
const DEFAULT_MAX_UNDERRUN_MS = 5_000;

export type CloseReason = 'stopped' | 'idle' | 'empty' | 'kicked' | 'disconnected' | 'shutdown' | 'join-failed';

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export interface SessionOptions {
  guild: Guild;
  channelId: string;
  idleMs: number;
  logger: Logger;
  /** The guild's volume (linear, 1 = as rendered); kept by the manager across sessions. */
  volume: () => number;
  onClosed: (session: GuildSession, reason: CloseReason) => void;
  /**
   * How long the player waits (sending silence) for audio that is late before it gives up a track:
   * long enough for a worker's render to be taken over by another worker after a crash.
   */
  maxUnderrunMs?: number;
}

export interface NowPlaying {
  track: Track;
  positionSec: number;
  paused: boolean;
}

/** Resolves true once `connection` is in one of `statuses`, false after `ms` or when it is destroyed. */
export function reachesStatus(connection: VoiceConnection, statuses: VoiceConnectionStatus[], ms: number): Promise<boolean> {
  if (statuses.includes(connection.state.status)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      connection.off('stateChange', onChange);
      resolve(ok);
    };
    const onChange = (_old: VoiceConnectionState, next: VoiceConnectionState) => {
      if (statuses.includes(next.status)) done(true);
      else if (next.status === VoiceConnectionStatus.Destroyed) done(false);
    };
    const timer = setTimeout(() => done(false), ms);
    connection.on('stateChange', onChange);
  });
}

export class GuildSession {
  readonly guildId: string;
  /** The channel the bot is in (updated when a moderator moves it). */
  channelId: string;
  readonly connection: VoiceConnection;
  readonly player: AudioPlayer;
  readonly queue: Track[] = [];
  current: { track: Track; resource: AudioResource<Track>; startSec: number } | null = null;
  closed = false;
  closeReason: CloseReason | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private pausedForEmpty = false;
  private readonly log: Logger;

  constructor(private readonly opts: SessionOptions) {
    this.guildId = opts.guild.id;
    this.channelId = opts.channelId;
    this.log = opts.logger.child({ guild: this.guildId });
    this.connection = joinVoiceChannel({ guildId: this.guildId, channelId: opts.channelId, adapterCreator: opts.guild.voiceAdapterCreator, selfDeaf: true });
    const maxMissedFrames = Math.ceil((opts.maxUnderrunMs ?? DEFAULT_MAX_UNDERRUN_MS) / 20);
    this.player = createAudioPlayer({ behaviors: { noSubscriber: NoSubscriberBehavior.Pause, maxMissedFrames } });
    this.connection.subscribe(this.player);
    this.watchDispatch();
    this.connection.on('stateChange', (old, next) => void this.onConnectionState(old, next));
    this.connection.on('error', (error) => this.log.warn({ err: error.message }, 'voice connection error'));
    this.player.on('stateChange', (old, next) => this.onPlayerState(old, next));
    this.player.on('error', (error) => this.log.warn({ err: error.message, track: (error.resource.metadata as Track | undefined)?.info.title }, 'playback error; going on with the queue'));
  }

  /**
   * Tell a track when its first audio packet has really gone out. @discordjs/voice emits nothing
   * per packet, so the connection's dispatchAudio (called every 20 ms with the packet the player
   * prepared the cycle before; true when one was sent over UDP) is wrapped. The resource counts
   * only packets read from the track (silence padding is not counted), so a true dispatch while
   * it has played more than 0 ms is the track's first real packet, not silence and not a packet
   * merely prepared while the connection was still being set up.
   */
  private watchDispatch(): void {
    const connection = this.connection;
    const dispatch = connection.dispatchAudio.bind(connection);
    connection.dispatchAudio = () => {
      const sent = dispatch();
      const c = this.current;
      if (sent && c && c.resource.playbackDuration > 0) c.track.markAudible();
      return sent;
    };
  }

  /** Resolves once the first connection is Ready; false if Discord never let us in. */
  joined(): Promise<boolean> {
    return reachesStatus(this.connection, [VoiceConnectionStatus.Ready], JOIN_TIMEOUT_MS);
  }

  get busy(): boolean {
    return this.current !== null || this.queue.length > 0;
  }

  /** Members (not bots) in the bot's channel. */
  listeners(): number {
    const me = this.opts.guild.client.user.id;
    return this.opts.guild.voiceStates.cache.filter((s) => s.channelId === this.channelId && s.id !== me && !s.member?.user.bot).size;
  }

  /** Plays `track` now if nothing plays, else queues it. Returns its place: 0 = playing now. */
  enqueue(track: Track): number {
    if (this.closed) throw new Error('the voice session is closed');
    if (this.queue.length >= MAX_QUEUE) throw new QueueFullError(`the queue is full (${MAX_QUEUE})`);
    if (!this.current) {
      this.start(track, 0);
      this.refresh();
      return 0;
    }
    this.queue.push(track);
    // The next track's render starts early so it is ready when its turn comes.
    if (this.queue.length === 1) track.prepare();
    this.refresh();
    return this.queue.length;
  }

  nowPlaying(): NowPlaying | null {
    if (!this.current) return null;
    const c = this.current;
    return { track: c.track, positionSec: c.startSec + c.resource.playbackDuration / 1000, paused: this.player.state.status !== AudioPlayerStatus.Playing };
  }

  /** Ends the current track (the next one starts). Returns the skipped track. */
  skip(): Track | null {
    const skipped = this.current?.track ?? null;
    if (skipped) this.player.stop(true); // → Idle → advance()
    return skipped;
  }

  /**
   * The volume changed: restart the current track from where it is at the new volume. The
   * swap costs a few tens of milliseconds of silence while ffmpeg starts.
   */
  volumeChanged(): void {
    const now = this.nowPlaying();
    if (!now || this.closed) return;
    if (now.positionSec >= now.track.info.durationSec - 0.1) return;
    this.start(now.track, now.positionSec);
  }

  /** Move an idle session to the caller's channel (the library rejoins; playback auto-pauses meanwhile). */
  moveTo(channelId: string): void {
    this.channelId = channelId;
    this.connection.rejoin({ channelId, selfDeaf: true, selfMute: false });
    this.refresh();
  }

  /** A moderator moved the bot to another channel: follow it (emptiness is judged there now). */
  moved(channelId: string): void {
    if (channelId === this.channelId) return;
    this.log.info({ from: this.channelId, to: channelId }, 'moved to another voice channel');
    this.channelId = channelId;
    this.refresh();
  }

  /**
   * Re-judge pause and idleness after anything changed (a member came or went, a track started
   * or ended): nobody listening pauses playback; nobody listening or nothing to play for
   * idleMs leaves.
   */
  refresh(): void {
    if (this.closed) return;
    const listeners = this.listeners();
    if (listeners === 0 && this.player.state.status === AudioPlayerStatus.Playing) {
      this.pausedForEmpty = this.player.pause();
    } else if (listeners > 0 && this.pausedForEmpty) {
      this.pausedForEmpty = false;
      this.player.unpause();
    }
    const idle = listeners === 0 || !this.busy;
    if (idle && !this.idleTimer) {
      this.idleTimer = setTimeout(() => this.close(this.listeners() === 0 ? 'empty' : 'idle'), this.opts.idleMs);
    } else if (!idle && this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    clearTimeout(this.idleTimer);
    const tracks = [this.current?.track, ...this.queue];
    this.queue.length = 0;
    this.current = null;
    this.player.stop(true);
    for (const track of tracks) track?.dispose();
    if (this.connection.state.status !== VoiceConnectionStatus.Destroyed) this.connection.destroy();
    this.log.info({ reason }, 'left voice');
    this.opts.onClosed(this, reason);
  }

  private start(track: Track, startSec: number): void {
    track.prepare();
    this.queue[0]?.prepare();
    const volume = this.opts.volume();
    const stream = track.open({ startSec, volume });
    // Ogg Opus is only demuxed (prism-media's OggDemuxer), Opus packets not even that: no Opus codec runs in Node.
    const resource = createAudioResource(stream, { inputType: track.streamType(volume) === 'opus' ? StreamType.Opus : StreamType.OggOpus, metadata: track });
    this.current = { track, resource, startSec };
    this.player.play(resource);
    this.log.info({ track: track.info.title, origin: track.info.origin, startSec: Number(startSec.toFixed(2)), volume: this.opts.volume() }, 'playing');
  }

  private advance(): void {
    if (this.closed) return;
    const finished = this.current;
    this.current = null;
    finished?.track.dispose();
    const next = this.queue.shift();
    if (next) this.start(next, 0);
    this.refresh();
  }

  private onPlayerState(old: AudioPlayerState, next: AudioPlayerState): void {
    if (next.status === AudioPlayerStatus.Idle && old.status !== AudioPlayerStatus.Idle) this.advance();
    // A track that starts while nobody listens waits for them.
    else if (next.status === AudioPlayerStatus.Playing && old.status !== AudioPlayerStatus.Playing) this.refresh();
  }

  private async onConnectionState(old: VoiceConnectionState, next: VoiceConnectionState): Promise<void> {
    if (this.closed) return;
    if (next.status === VoiceConnectionStatus.Destroyed) {
      this.close('disconnected');
    } else if (next.status === VoiceConnectionStatus.Disconnected) {
      if (next.reason === VoiceConnectionDisconnectReason.WebSocketClose && next.closeCode === 4014) {
        const moving = await reachesStatus(this.connection, [VoiceConnectionStatus.Signalling, VoiceConnectionStatus.Connecting], MOVE_GRACE_MS);
        if (!moving) this.close('kicked');
      } else if (this.connection.rejoinAttempts < MAX_REJOINS) {
        this.log.warn({ reason: next.reason, attempt: this.connection.rejoinAttempts + 1 }, 'voice disconnected; rejoining');
        await new Promise((r) => setTimeout(r, (this.connection.rejoinAttempts + 1) * 1000));
        if (!this.closed && this.connection.state.status === VoiceConnectionStatus.Disconnected) this.connection.rejoin();
      } else {
        this.close('disconnected');
      }
    } else if (old.status === VoiceConnectionStatus.Ready && (next.status === VoiceConnectionStatus.Signalling || next.status === VoiceConnectionStatus.Connecting)) {
      this.log.warn({ status: next.status }, 'voice connection lost; reconnecting');
      if (!(await reachesStatus(this.connection, [VoiceConnectionStatus.Ready], RECOVER_MS)) && !this.closed) {
        // Disconnected has its own handling above; anything else stuck this long is given up.
        if (this.connection.state.status !== VoiceConnectionStatus.Disconnected) this.close('disconnected');
      }
    } else if (next.status === VoiceConnectionStatus.Ready && old.status !== VoiceConnectionStatus.Ready) {
      this.log.info('voice connection ready');
    }
  }
}

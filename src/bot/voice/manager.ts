/**
 * Every guild's voice session, one per guild, and the bookkeeping around them: joining (one join
 * at a time per guild, shared by concurrent /play calls), following the bot's own voice state
 * (kicked, moved) and the members' (the channel emptied), the per-guild volume, and the
 * voice-connections gauge, which always equals the number of sessions.
 */
import { VoiceConnectionStatus } from '@discordjs/voice';
import { Events, type Client, type VoiceBasedChannel, type VoiceState } from 'discord.js';
import type { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { GuildSession, type CloseReason } from './session.ts';

export class VoiceJoinError extends Error {
  override name = 'VoiceJoinError';
}

export interface VoiceManagerOptions {
  client: Client;
  logger: Logger;
  idleSec: number;
  gauge: Pick<Gauge, 'set'>;
  /** See SessionOptions.maxUnderrunMs. */
  maxUnderrunMs?: number;
  /** Where each guild's volume is kept across restarts (the settings in Redis); none: memory only. */
  volumeStore?: { load(guildId: string): Promise<number | undefined>; save(guildId: string, percent: number): Promise<void> };
}

/** 100 % is the level pieces are rendered at (−14 LUFS); 150 % is limited, never clipped. */
export const VOLUME = { min: 1, max: 150, default: 100 } as const;

export class VoiceManager {
  private readonly sessions = new Map<string, GuildSession>();
  private readonly joining = new Map<string, Promise<GuildSession>>();
  private readonly volumes = new Map<string, number>();
  private readonly onVoiceState = (old: VoiceState, next: VoiceState) => this.voiceStateChanged(old, next);
  private stopped = false;

  constructor(private readonly opts: VoiceManagerOptions) {
    opts.client.on(Events.VoiceStateUpdate, this.onVoiceState);
    opts.gauge.set(0);
  }

  get(guildId: string): GuildSession | undefined {
    return this.sessions.get(guildId);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Volume in percent, as last loaded or set (see loadVolume). */
  volumePercent(guildId: string): number {
    return this.volumes.get(guildId) ?? VOLUME.default;
  }

  /** Read the guild's stored volume once, so it survives restarts of the bot. */
  async loadVolume(guildId: string): Promise<number> {
    if (!this.volumes.has(guildId) && this.opts.volumeStore) {
      try {
        const stored = await this.opts.volumeStore.load(guildId);
        if (stored !== undefined && !this.volumes.has(guildId)) this.volumes.set(guildId, stored);
      } catch (error) {
        this.opts.logger.warn({ err: error, guild: guildId }, 'could not read the stored volume; using 100%');
      }
    }
    return this.volumePercent(guildId);
  }

  async setVolume(guildId: string, percent: number): Promise<void> {
    const value = Math.min(VOLUME.max, Math.max(VOLUME.min, Math.round(percent)));
    this.volumes.set(guildId, value);
    this.sessions.get(guildId)?.volumeChanged();
    try {
      await this.opts.volumeStore?.save(guildId, value);
    } catch (error) {
      // Playing on at the new volume matters more than remembering it.
      this.opts.logger.warn({ err: error, guild: guildId }, 'could not store the volume');
    }
  }

  /**
   * The guild's session in `channel`, joining (or moving an idle session) if needed. Concurrent
   * calls for one guild share one join. Throws VoiceJoinError when Discord does not let us in.
   */
  async join(channel: VoiceBasedChannel, logger: Logger): Promise<GuildSession> {
    if (this.stopped) throw new VoiceJoinError('shutting down');
    const guildId = channel.guild.id;
    const pending = this.joining.get(guildId);
    if (pending) return pending;
    const existing = this.sessions.get(guildId);
    if (existing) {
      // Callers make sure a busy session is not pulled away from its listeners; an idle one moves.
      if (existing.channelId !== channel.id) existing.moveTo(channel.id);
      return existing;
    }

    await this.loadVolume(guildId);
    const session = new GuildSession({
      guild: channel.guild,
      channelId: channel.id,
      idleMs: this.opts.idleSec * 1000,
      logger: this.opts.logger,
      volume: () => this.volumePercent(guildId) / 100,
      onClosed: (s, reason) => this.closed(s, reason),
      maxUnderrunMs: this.opts.maxUnderrunMs,
    });
    this.sessions.set(guildId, session);
    this.opts.gauge.set(this.sessions.size);
    const joining = session.joined().then((ok) => {
      if (!ok) {
        session.close('join-failed');
        throw new VoiceJoinError(`could not join voice channel ${channel.id}`);
      }
      logger.info({ channel: channel.id }, 'joined voice');
      session.refresh();
      return session;
    });
    this.joining.set(guildId, joining);
    try {
      return await joining;
    } finally {
      this.joining.delete(guildId);
    }
  }

  /** Leave every voice channel now. */
  leaveAll(reason: CloseReason): void {
    for (const session of [...this.sessions.values()]) session.close(reason);
  }

  /** Bot shutdown: leave everywhere and stop listening. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.opts.client.off(Events.VoiceStateUpdate, this.onVoiceState);
    this.leaveAll('shutdown');
    await Promise.allSettled([...this.joining.values()]);
  }

  private closed(session: GuildSession, reason: CloseReason): void {
    if (this.sessions.get(session.guildId) === session) this.sessions.delete(session.guildId);
    this.opts.gauge.set(this.sessions.size);
    this.opts.logger.info({ guild: session.guildId, reason, sessions: this.sessions.size }, 'voice session closed');
  }

  private voiceStateChanged(old: VoiceState, next: VoiceState): void {
    const session = this.sessions.get(next.guild.id);
    if (!session) return;
    if (next.id === this.opts.client.user?.id) {
      // Our own state: no channel while we did not leave means a moderator disconnected us. Only
      // an established session counts: a new one may still see the "left" of the session before.
      if (!next.channelId) {
        if (session.connection.state.status === VoiceConnectionStatus.Ready) session.close('kicked');
      } else session.moved(next.channelId);
      return;
    }
    if (old.channelId === session.channelId || next.channelId === session.channelId) session.refresh();
  }
}

/**
 * One guild's radio while it plays: plans sections (src/core/radioPlan.ts) two ahead of what is
 * being played, asks the workers for them (the radio queue), picks their packets up from Redis
 * for the feed (radioFeed.ts), counts the room's votes per window, keeps the panel up to date and
 * the radio's record in Redis (so a restarted bot resumes it).
 *
 * Vote windows: one per section heard; it closes VOTE_LEAD_SEC before that section ends, and the
 * winning choice re-plans every section not yet handed to the player (the one after is rendered
 * afresh with the choice applied, so it is heard in the first section that starts after the
 * window closed: at most one section, ≤ 30 s, after the press).
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Guild } from 'discord.js';
import type { RedisClient as Redis } from '../../queue/redisConnection.ts';
import type { Logger } from 'pino';
import { nextSection, tally, type RadioChoice, type RadioState, type SectionSpec } from '../../core/radioPlan.ts';
import { sectionJobId, sectionKey, unpackSection, type RadioJob } from '../../queue/radioJobs.ts';
import { RadioFeed, RadioTrack, type FeedSection } from './radioFeed.ts';
import { panelMessage, type PanelView } from './radioPanel.ts';
import type { RadioStore } from './radioStore.ts';
import type { GuildSession } from './session.ts';

/** Sections planned and asked for beyond the one being handed to the player. */
export const SECTIONS_AHEAD = 2;
const VOTE_LEAD_SEC = 8;
/** How often rendered sections are looked for and what is heard is followed (the feed reads ~1 s ahead). */
const TICK_MS = 500;
/** A section not there this long after it was asked for is asked for again (at most twice). */
const HEDGE_AFTER_MS = 8_000;
const PANEL_MIN_INTERVAL_MS = 1_500;

interface Planned {
  spec: SectionSpec;
  previous: SectionSpec | null;
  /** The planner's state after this section. */
  after: RadioState;
  key: string;
  requestedAt: number;
  hedges: number;
  section: FeedSection | null;
}

export interface StationOptions {
  guild: Guild;
  session: GuildSession;
  textChannelId: string;
  panelMessageId: string | null;
  startedBy: string;
  /** The planner's state before the first section. */
  state: RadioState;
  queue: Queue<RadioJob>;
  redis: Redis;
  store: RadioStore;
  logger: Logger;
  soundfont?: string;
  /** Called once, when the radio stops for any reason. */
  onStopped: (station: RadioStation, reason: string) => void;
}

export class RadioStation {
  readonly runId = randomUUID().replace(/-/g, '').slice(0, 12);
  readonly guildId: string;
  readonly feed: RadioFeed;
  readonly track: RadioTrack;
  private readonly planned: Planned[] = [];
  private readonly votes = new Map<string, RadioChoice>();
  /** The section whose vote window is open (-1: none yet) and whether it has closed. */
  private windowSection = -1;
  private windowClosed = false;
  private pendingChoice: RadioChoice | null = null;
  private lastResult: PanelView['result'] = null;
  private heard: { index: number; hold: boolean; since: number } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private panelMessageId: string | null;
  private panelShown = '';
  private panelAt = 0;
  private panelBusy = false;
  /** Something the panel shows changed since it was last drawn. */
  private panelDirty = true;
  stopped = false;
  /** Vote → heard: when each window with a winner closed, and the section that carries it. */
  readonly choices: { choice: RadioChoice; closedAt: number; index: number; heardAt?: number }[] = [];
  private readonly log: Logger;

  constructor(private readonly opts: StationOptions) {
    this.guildId = opts.guild.id;
    this.panelMessageId = opts.panelMessageId;
    this.log = opts.logger.child({ guild: this.guildId, radio: this.runId });
    this.feed = new RadioFeed((index) => this.following(index));
    this.track = new RadioTrack(
      { title: '📻 Radio', style: opts.state.style, mood: opts.state.mood, key: `${opts.state.key.tonic} ${opts.state.key.mode}`, bpm: 3000 / opts.state.beatUnits, durationSec: Number.MAX_SAFE_INTEGER, seed: opts.state.seed, loop: false, requestedBy: opts.startedBy, origin: 'new' },
      this.feed,
      () => this.stop(opts.session.closeReason ?? 'ended'),
    );
  }

  get channelId(): string {
    return this.opts.session.channelId;
  }

  /** Plan and ask for the first sections, and put the radio in the session (it plays once section 0 is there). */
  start(): void {
    this.ensurePlanned();
    this.opts.session.enqueue(this.track);
    this.timer = setInterval(() => void this.tick().catch((e: Error) => this.log.warn({ err: e.message }, 'radio tick failed')), TICK_MS);
    this.log.info({ style: this.opts.state.style, mood: this.opts.state.mood, channel: this.channelId }, 'radio started');
  }

  /** What a listener's button press does; returns the answer for them. */
  vote(userId: string, choice: RadioChoice): { ok: boolean; counts: Partial<Record<RadioChoice, number>> } {
    const listening = this.opts.guild.voiceStates.cache.get(userId)?.channelId === this.channelId;
    if (!listening) return { ok: false, counts: {} };
    if (this.votes.has(userId)) return { ok: false, counts: tally(this.votes.values()).counts };
    this.votes.set(userId, choice);
    this.panelDirty = true;
    void this.updatePanel(true);
    return { ok: true, counts: tally(this.votes.values()).counts };
  }

  hasVoted(userId: string): boolean {
    return this.votes.has(userId);
  }

  /** The section heard now and the planner's view of it. */
  nowHeard(): { spec: SectionSpec; hold: boolean } | null {
    if (!this.heard) return null;
    const p = this.planned.find((x) => x.spec.index === this.heard!.index);
    return p ? { spec: p.spec, hold: this.heard.hold } : null;
  }

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const p of this.planned) if (!p.section) void this.opts.queue.remove(sectionJobId({ runId: this.runId, spec: p.spec, previous: p.previous })).catch(() => {});
    this.log.info({ reason, packets: this.feed.packets, heldPackets: this.feed.heldPackets }, 'radio stopped');
    // A bot shutting down keeps the record: the next start resumes the radio.
    if (reason !== 'shutdown') void this.opts.store.drop(this.guildId).catch(() => {});
    void this.showPanel(panelMessage({ ...this.view(), off: reason }), true);
    this.opts.onStopped(this, reason);
  }

  /** Feed packets heard so far (the audio resource counts what the player has sent). */
  heardPacket(): number {
    const current = this.opts.session.current;
    if (!current || current.track !== this.track) return this.track.openedAt;
    return this.track.openedAt + Math.floor(current.resource.playbackDuration / 20);
  }

  /** The section after `index` if it is there (-1: the first this station plays, which after a restart is not 0). */
  private following(index: number): FeedSection | null {
    const next = index < 0 ? this.planned[0] : this.planned.find((p) => p.spec.index === index + 1);
    return next?.section ?? null;
  }

  /** Keep SECTIONS_AHEAD sections planned and asked for beyond the one being fed. */
  private ensurePlanned(): void {
    const feeding = this.feed.feeding;
    // Forget what is long played (an endless radio must not grow).
    while (this.planned.length && this.planned[0]!.spec.index < feeding - 1 && this.planned[0]!.spec.index < (this.heard?.index ?? 0) - 1) this.planned.shift();
    while ((this.planned.at(-1)?.spec.index ?? -1) < Math.max(feeding, 0) + SECTIONS_AHEAD) {
      const last = this.planned.at(-1);
      const before = last ? last.after : this.opts.state;
      const { spec, state } = nextSection(before, this.pendingChoice);
      this.pendingChoice = null;
      const previous = last?.spec ?? null;
      const job: RadioJob = { runId: this.runId, guildId: this.guildId, spec, previous, ...(this.opts.soundfont ? { soundfont: this.opts.soundfont } : {}) };
      const planned: Planned = { spec, previous, after: state, key: sectionKey(job), requestedAt: Date.now(), hedges: 0, section: null };
      this.planned.push(planned);
      void this.request(job, 0);
    }
  }

  private async request(job: RadioJob, attempt: number): Promise<void> {
    try {
      await this.opts.queue.add('section', job, { jobId: sectionJobId(job, attempt), attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } });
    } catch (error) {
      this.log.warn({ err: error instanceof Error ? error.message : String(error), section: job.spec.index }, 'could not ask for a radio section');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    // Pick up rendered sections.
    for (const p of this.planned) {
      if (p.section) continue;
      const bytes = await this.opts.redis.getBuffer(p.key);
      if (!bytes || this.stopped) continue;
      const stored = unpackSection(bytes);
      p.section = { index: p.spec.index, main: stored.main, hold: stored.hold };
      this.log.info({ section: p.spec.index, waitedMs: Date.now() - p.requestedAt }, 'radio section ready');
      if (!this.feed.started) this.track.kick();
    }
    // Ask again for a late one (its worker may have died; the first to finish stores it).
    const wanted = this.planned.find((p) => p.spec.index === this.feed.feeding + 1 && !p.section);
    if (wanted && wanted.hedges < 2 && Date.now() - wanted.requestedAt > HEDGE_AFTER_MS * (wanted.hedges + 1)) {
      wanted.hedges++;
      this.log.warn({ section: wanted.spec.index, hedge: wanted.hedges }, 'radio section late: asking again');
      await this.request({ runId: this.runId, guildId: this.guildId, spec: wanted.spec, previous: wanted.previous, ...(this.opts.soundfont ? { soundfont: this.opts.soundfont } : {}) }, wanted.hedges);
    }
    this.followHearing();
    this.ensurePlanned();
    await this.updatePanel(false);
  }

  /** What is heard now: a new section opens a vote window; a window closing applies the room's choice. */
  private followHearing(): void {
    const at = this.heardPacket();
    const mark = this.feed.markAt(at);
    if (!mark) return;
    if (!this.heard || this.heard.index !== mark.index || this.heard.hold !== mark.hold) {
      const isNew = this.heard?.index !== mark.index;
      this.panelDirty = true;
      this.heard = { index: mark.index, hold: mark.hold, since: mark.packet };
      if (mark.hold) this.log.warn({ section: mark.index, packet: mark.packet }, 'radio holding: the next section is late');
      const p = this.planned.find((x) => x.spec.index === mark.index);
      if (isNew && p) {
        this.log.info({ section: p.spec.index, packet: mark.packet, kind: p.spec.kind, key: p.spec.key, bpm: Number(p.spec.bpm.toFixed(2)), mood: p.spec.mood, energy: p.spec.energy }, 'radio section playing');
        for (const c of this.choices) if (c.index === p.spec.index && c.heardAt === undefined) c.heardAt = Date.now();
        this.windowSection = p.spec.index;
        this.windowClosed = false;
        void this.opts.store.save({ guildId: this.guildId, voiceChannelId: this.channelId, textChannelId: this.opts.textChannelId, panelMessageId: this.panelMessageId, startedBy: this.opts.startedBy, state: p.after }).catch(() => {});
      }
    }
    const p = this.planned.find((x) => x.spec.index === this.windowSection);
    if (!p || this.windowClosed || mark.hold) return;
    const packets = p.spec.lengthSamples / 960;
    const lead = Math.min(VOTE_LEAD_SEC * 50, Math.floor(packets / 2));
    if (at - this.heard.since >= packets - lead) this.closeWindow();
  }

  private closeWindow(): void {
    this.windowClosed = true;
    const voters = this.votes.size;
    const { choice, counts } = tally(this.votes.values());
    this.votes.clear();
    if (!voters) return;
    this.panelDirty = true;
    if (!choice) {
      this.lastResult = { choice: null, counts, voters, from: null };
      return;
    }
    // Re-plan everything not yet handed to the player, starting with the choice.
    const feeding = this.feed.feeding;
    const dropped = this.planned.filter((p) => p.spec.index > feeding);
    for (const p of dropped) if (!p.section) void this.opts.queue.remove(sectionJobId({ runId: this.runId, spec: p.spec, previous: p.previous })).catch(() => {});
    this.planned.splice(this.planned.length - dropped.length, dropped.length);
    this.pendingChoice = choice;
    this.ensurePlanned();
    const carrying = this.planned.find((p) => p.spec.index === feeding + 1)!;
    this.choices.push({ choice, closedAt: Date.now(), index: carrying.spec.index });
    if (this.choices.length > 50) this.choices.shift();
    this.lastResult = { choice, counts, voters, from: carrying.spec.index };
    this.log.info({ choice, counts, voters, section: carrying.spec.index, note: carrying.spec.note }, 'radio vote closed');
    void this.opts.store.remember(this.guildId, { mood: carrying.spec.mood, energy: carrying.spec.energy }).catch(() => {});
  }

  private view(): PanelView {
    const heard = this.nowHeard();
    const spec = heard?.spec ?? this.planned[0]?.spec ?? null;
    return {
      voiceChannelId: this.channelId,
      guildId: this.guildId,
      startedBy: this.opts.startedBy,
      spec,
      holding: heard?.hold ?? false,
      votes: tally(this.votes.values()).counts,
      voters: this.votes.size,
      result: this.lastResult,
      off: null,
    };
  }

  private async updatePanel(force: boolean): Promise<void> {
    if (this.stopped || !this.panelDirty) return;
    if (!force && Date.now() - this.panelAt < PANEL_MIN_INTERVAL_MS) return;
    this.panelDirty = false;
    await this.showPanel(panelMessage(this.view()), false);
  }

  private async showPanel(message: ReturnType<typeof panelMessage>, final: boolean): Promise<void> {
    const shown = JSON.stringify(message);
    if (shown === this.panelShown) return;
    if (this.panelBusy && !final) {
      this.panelDirty = true;
      return;
    }
    this.panelBusy = true;
    this.panelAt = Date.now();
    try {
      const channel = await this.opts.guild.channels.fetch(this.opts.textChannelId);
      if (!channel?.isTextBased()) return;
      if (this.panelMessageId) {
        await channel.messages.edit(this.panelMessageId, message);
      } else {
        const sent = await channel.send(message);
        this.panelMessageId = sent.id;
      }
      this.panelShown = shown;
    } catch (error) {
      this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not update the radio panel');
      this.panelDirty = true;
      // A deleted panel is posted again next time.
      if (/Unknown Message/i.test(String(error))) this.panelMessageId = null;
    } finally {
      this.panelBusy = false;
    }
  }

  get panelId(): string | null {
    return this.panelMessageId;
  }
}

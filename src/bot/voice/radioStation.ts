/**
 * One guild's radio while it plays: plans sections (src/core/radioPlan.ts) two ahead of what is
 * being played, asks the workers for them (the radio queue), picks their packets up from Redis
 * for the feed (radioFeed.ts), counts the room's votes per window, keeps the panel up to date and
 * the radio's record in Redis (so a restarted bot resumes it).
 *
 * Vote windows (src/core/radioSteer.ts): a window opens with its first vote and closes a few
 * seconds later, or once the next section to start can still be rendered afresh. The winning
 * choice re-plans every section not yet handed to the player; the one after the section being fed
 * carries it, rendered afresh and asked for ahead of the rest, and the section being fed is cut
 * at a bar line when its end is further than the render needs. Press → heard ≤ 30 s.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Guild } from 'discord.js';
import type { RedisClient as Redis } from '../../queue/redisConnection.ts';
import type { Logger } from 'pino';
import { barSamples, nextSection, tally, type RadioChoice, type RadioState, type SectionSpec } from '../../core/radioPlan.ts';
import { RENDER_BUDGET_SEC, steer, VOTE_WINDOW_SEC } from '../../core/radioSteer.ts';
import { sectionJobId, sectionKey, unpackSection, type RadioJob } from '../../queue/radioJobs.ts';
import { RadioFeed, RadioTrack, type FeedSection } from './radioFeed.ts';
import { panelMessage, type PanelView } from './radioPanel.ts';
import type { RadioStore } from './radioStore.ts';
import type { GuildSession } from './session.ts';

/** Sections planned and asked for beyond the one being handed to the player. */
export const SECTIONS_AHEAD = 2;
/** How often rendered sections are looked for and what is heard is followed (the feed reads ~1 s ahead). */
const TICK_MS = 500;
/** A section not there this long after it was asked for is asked for again (at most twice). */
const HEDGE_AFTER_MS = 8_000;
const PANEL_MIN_INTERVAL_MS = 1_500;

interface Planned {
  spec: SectionSpec;
  job: RadioJob;
  /** The room's choices this section carries (windows that closed before it started). */
  choices: RadioChoice[];
  /** Bars it plays when cut short to bring a choice in sooner (null: all its bars). */
  cutBars: number | null;
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
  /** When the open window's first vote came (null: no window open). */
  private windowOpenedAt: number | null = null;
  /** The window could have closed but the next section starts too soon to carry its choice. */
  private windowWaiting = false;
  private pendingChoices: RadioChoice[] = [];
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
  /** Vote → heard: each window with a winner (its first vote, when it closed), the section that carries it, when that was heard. */
  readonly choices: { choice: RadioChoice; openedAt: number; closedAt: number; index: number; cutPackets: number | null; heardAt?: number }[] = [];
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
    this.windowOpenedAt ??= Date.now();
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
    for (const p of this.planned) if (!p.section) void this.opts.queue.remove(sectionJobId(p.job)).catch(() => {});
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

  /** Keep SECTIONS_AHEAD sections planned and asked for beyond the one being fed (`urgent`: the first one new goes ahead of the queue). */
  private ensurePlanned(urgent = false): void {
    const feeding = this.feed.feeding;
    // Forget what is long played (an endless radio must not grow).
    while (this.planned.length && this.planned[0]!.spec.index < feeding - 1 && this.planned[0]!.spec.index < (this.heard?.index ?? 0) - 1) this.planned.shift();
    while ((this.planned.at(-1)?.spec.index ?? -1) < Math.max(feeding, 0) + SECTIONS_AHEAD) {
      const last = this.planned.at(-1);
      const before = last ? last.after : this.opts.state;
      const choices = this.pendingChoices;
      const { spec, state } = nextSection(before, choices);
      this.pendingChoices = [];
      const previous = last?.spec ?? null;
      const job: RadioJob = { runId: this.runId, guildId: this.guildId, spec, previous, ...(last?.cutBars ? { previousBars: last.cutBars } : {}), ...(this.opts.soundfont ? { soundfont: this.opts.soundfont } : {}) };
      const planned: Planned = { spec, job, choices, cutBars: null, after: state, key: sectionKey(job), requestedAt: Date.now(), hedges: 0, section: null };
      this.planned.push(planned);
      void this.request(job, 0, urgent);
      urgent = false;
    }
  }

  private async request(job: RadioJob, attempt: number, urgent = false): Promise<void> {
    try {
      // lifo: a section carrying the room's choice is rendered before the ones planned after it.
      await this.opts.queue.add('section', job, { jobId: sectionJobId(job, attempt), lifo: urgent, attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } });
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
      await this.request(wanted.job, wanted.hedges, true);
    }
    this.followHearing();
    if (this.windowOpenedAt !== null && Date.now() - this.windowOpenedAt >= VOTE_WINDOW_SEC * 1000) this.closeWindow();
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
        this.log.info({ section: p.spec.index, packet: mark.packet, aheadPackets: this.feed.packets - at, kind: p.spec.kind, key: p.spec.key, bpm: Number(p.spec.bpm.toFixed(2)), mood: p.spec.mood, energy: p.spec.energy }, 'radio section playing');
        for (const c of this.choices) if (c.index === p.spec.index && c.heardAt === undefined) c.heardAt = Date.now();
        void this.opts.store.save({ guildId: this.guildId, voiceChannelId: this.channelId, textChannelId: this.opts.textChannelId, panelMessageId: this.panelMessageId, startedBy: this.opts.startedBy, state: p.after }).catch(() => {});
      }
    }
  }

  /** The window's time is up: apply the room's choice, unless the next section starts too soon to carry it (then the window stays open). */
  private closeWindow(): void {
    const place = this.feed.place;
    const fed = place && this.planned.find((p) => p.spec.index === place.index);
    if (!place || !fed?.section) return;
    const voters = this.votes.size;
    const { choice, counts } = tally(this.votes.values());
    if (choice) {
      const decision = steer(place, RENDER_BUDGET_SEC * 50);
      if (decision.kind === 'wait') {
        if (!this.windowWaiting) this.log.info({ section: place.index, startsInMs: decision.startsIn * 20 }, 'radio vote window kept open: the next section starts too soon to carry the choice');
        this.windowWaiting = true;
        return;
      }
      const openedAt = this.windowOpenedAt!;
      this.closeVotes();
      if (decision.cutPackets !== null) {
        fed.section.cut = decision.cutPackets;
        fed.cutBars = decision.cutPackets / place.barPackets;
        fed.after = { ...fed.after, startSample: fed.spec.startSample + fed.cutBars * barSamples(fed.spec.beatUnits, fed.spec.meter) };
      }
      // Re-plan everything not yet handed to the player; the next section carries this choice and any it carried already.
      const dropped = this.planned.filter((p) => p.spec.index > place.index);
      for (const p of dropped) if (!p.section) void this.opts.queue.remove(sectionJobId(p.job)).catch(() => {});
      this.planned.splice(this.planned.length - dropped.length, dropped.length);
      this.pendingChoices = [...(dropped[0]?.choices ?? []), choice];
      this.ensurePlanned(true);
      const carrying = this.planned.find((p) => p.spec.index === place.index + 1)!;
      this.choices.push({ choice, openedAt, closedAt: Date.now(), index: carrying.spec.index, cutPackets: decision.cutPackets });
      if (this.choices.length > 50) this.choices.shift();
      this.lastResult = { choice, counts, voters, from: carrying.spec.index };
      this.log.info({ choice, counts, voters, openedAt, section: carrying.spec.index, carries: carrying.choices, cutAfterBars: fed.cutBars, cutSection: decision.cutPackets === null ? null : place.index, joinInMs: decision.joinIn * 20, note: carrying.spec.note }, 'radio vote closed');
      void this.opts.store.remember(this.guildId, { mood: carrying.spec.mood, energy: carrying.spec.energy }).catch(() => {});
      return;
    }
    this.closeVotes();
    if (voters) this.lastResult = { choice: null, counts, voters, from: null };
  }

  private closeVotes(): void {
    this.votes.clear();
    this.windowOpenedAt = null;
    this.windowWaiting = false;
    this.panelDirty = true;
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

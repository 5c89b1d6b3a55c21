/**
 * Turns queue events into reply edits: queued (position N) → composing → rendering → uploading.
 * Edits are throttled per reply (Discord allows about 5 edits per 5 s per token) and coalesced,
 * so only the newest state is sent; once a reply is finished no progress edit can overwrite it.
 */
import { QueueEvents } from 'bullmq';
import type { REST } from 'discord.js';
import type { RedisClient } from '../queue/redisConnection.ts';
import type { Logger } from 'pino';
import { QUEUE_NAMES, QUEUE_PREFIX, type Delivery } from '../queue/jobs.ts';
import type { JobProducer } from '../queue/producer.ts';
import { logRedisErrors } from '../queue/redisErrors.ts';
import { kitProgressContent, progressContent, type KitPartState, type ProgressStage } from './messages.ts';
import type { KitPart } from '../core/kit.ts';
import { editReply, tokenAlive } from './webhook.ts';

/** Within a stage, percentage updates are spaced this far apart. */
const MIN_EDIT_INTERVAL_MS = 1200;
/** A new stage is shown almost at once (a job has at most four stages: well inside the limits). */
const MIN_STAGE_INTERVAL_MS = 250;
const POSITION_POLL_MS = 4000;

interface Tracked {
  delivery: Delivery;
  stage?: ProgressStage;
  what: string;
  lastSent?: string;
  lastAt: number;
  pending?: string;
  /** The pending content starts a new stage (sent after MIN_STAGE_INTERVAL_MS, not MIN_EDIT_INTERVAL_MS). */
  pendingNewStage?: boolean;
  timer?: NodeJS.Timeout;
  inFlight?: Promise<void>;
  finished: boolean;
  waiting: boolean;
}

export class ProgressTracker {
  private readonly events: QueueEvents;
  /** QueueEvents blocks on its connection, so it gets its own; BullMQ leaves closing it to us. */
  private readonly eventsConnection: RedisClient;
  private readonly tracked = new Map<string, Tracked>();
  private readonly poll: NodeJS.Timeout;
  /** Kit part job id → its kit's job id and part (see trackKit). */
  private readonly kitOf = new Map<string, { parent: string; part: KitPart }>();
  private readonly kits = new Map<string, { name: string; parts: Record<KitPart, KitPartState> }>();
  /** Edits sent, for tests and metrics. */
  editsSent = 0;

  constructor(
    private readonly rest: REST,
    connection: RedisClient,
    private readonly producer: JobProducer,
    private readonly logger: Logger,
  ) {
    // duplicate() copies the options, not the listeners: this connection needs its own.
    this.eventsConnection = logRedisErrors(connection.duplicate(), { client: 'queue events connection', logger });
    this.events = logRedisErrors(new QueueEvents(QUEUE_NAMES.compose, { connection: this.eventsConnection, prefix: QUEUE_PREFIX }), { client: 'queue events', logger });
    this.events.on('active', ({ jobId }) => (this.kitOf.has(jobId) ? this.onKitPart(jobId, 'working', 0) : this.onStage(jobId, 'composing', 0.05)));
    this.events.on('completed', ({ jobId }) => void (this.kitOf.has(jobId) && this.onKitPart(jobId, 'done', 1)));
    this.events.on('progress', ({ jobId, data }) => {
      const p = data as { stage?: string; fraction?: number };
      if (this.kitOf.has(jobId)) return this.onKitPart(jobId, 'working', p.fraction ?? 0);
      const stage: ProgressStage = p.stage === 'rendering' ? 'rendering' : 'composing';
      if (p.stage === 'done') return;
      this.onStage(jobId, stage, p.fraction ?? 0);
    });
    this.poll = setInterval(() => void this.updatePositions(), POSITION_POLL_MS);
    this.poll.unref();
  }

  async ready(): Promise<void> {
    await this.events.waitUntilReady();
  }

  /** Start tracking a job this process enqueued; `what` is a short line shown under the bar. */
  track(jobId: string, delivery: Delivery, what: string, position: number): void {
    this.tracked.set(jobId, { delivery, what, lastAt: 0, finished: false, waiting: position > 0, stage: position > 0 ? 'queued' : 'composing' });
    this.push(jobId, position > 0 ? progressContent('queued', 0, { position, what }) : progressContent('composing', 0, { what }), true);
  }

  /**
   * Start tracking a streamer kit (a BullMQ flow, src/queue/kitFlow.ts): its reply shows every
   * part's own progress as its child job moves, and is finished by the kit's delivery as usual.
   */
  trackKit(jobId: string, delivery: Delivery, name: string, children: Record<KitPart, string>): void {
    const parts = Object.fromEntries(Object.keys(children).map((p) => [p, { stage: 'queued', fraction: 0 }])) as Record<KitPart, KitPartState>;
    this.kits.set(jobId, { name, parts });
    for (const [part, child] of Object.entries(children)) this.kitOf.set(child, { parent: jobId, part: part as KitPart });
    this.tracked.set(jobId, { delivery, what: name, lastAt: 0, finished: false, waiting: false, stage: 'composing' });
    this.push(jobId, kitProgressContent(name, parts), true);
  }

  private onKitPart(childId: string, stage: KitPartState['stage'], fraction: number): void {
    const ref = this.kitOf.get(childId);
    const kit = ref && this.kits.get(ref.parent);
    if (!ref || !kit) return;
    const before = kit.parts[ref.part];
    if (before.stage === 'done') return;
    kit.parts[ref.part] = { stage, fraction };
    if (Object.values(kit.parts).every((p) => p.stage === 'done')) for (const [id, r] of this.kitOf) if (r.parent === ref.parent) this.kitOf.delete(id);
    this.push(ref.parent, kitProgressContent(kit.name, kit.parts), before.stage !== stage);
  }

  /** Show a stage for a job and wait until that edit is sent (the delivery step's "uploading"). */
  async stage(jobId: string, stage: ProgressStage, fraction: number): Promise<void> {
    this.onStage(jobId, stage, fraction);
    const t = this.tracked.get(jobId);
    for (let i = 0; t && (t.timer || t.inFlight) && i < 100; i++) {
      await (t.inFlight ?? new Promise((r) => setTimeout(r, 20)));
    }
  }

  /** No more progress edits for this job: wait for one in flight, drop any pending. */
  async finish(jobId: string): Promise<void> {
    const t = this.tracked.get(jobId);
    if (!t) return;
    t.finished = true;
    clearTimeout(t.timer);
    await t.inFlight;
    this.tracked.delete(jobId);
    this.kits.delete(jobId);
    for (const [id, r] of this.kitOf) if (r.parent === jobId) this.kitOf.delete(id);
  }

  private onStage(jobId: string, stage: ProgressStage, fraction: number): void {
    const t = this.tracked.get(jobId);
    if (!t || t.finished) return;
    t.waiting = false;
    const newStage = t.stage !== stage;
    t.stage = stage;
    this.push(jobId, progressContent(stage, fraction, { what: t.what }), newStage);
  }

  private push(jobId: string, content: string, newStage = false): void {
    const t = this.tracked.get(jobId);
    if (!t || t.finished || content === t.lastSent) return;
    t.pending = content;
    t.pendingNewStage = newStage || (t.pendingNewStage ?? false);
    const wait = Math.max(0, t.lastAt + (newStage ? MIN_STAGE_INTERVAL_MS : MIN_EDIT_INTERVAL_MS) - Date.now());
    if (t.inFlight) return; // sent when the edit in flight finishes
    if (t.timer) {
      if (!newStage) return;
      clearTimeout(t.timer); // a new stage may go sooner than a queued percentage update
    }
    t.timer = setTimeout(() => void this.flush(jobId), wait);
  }

  private async flush(jobId: string): Promise<void> {
    const t = this.tracked.get(jobId);
    if (!t) return;
    t.timer = undefined;
    const content = t.pending;
    t.pending = undefined;
    t.pendingNewStage = false;
    if (!content || t.finished || (!t.delivery.replyMessageId && !tokenAlive(t.delivery))) return;
    t.lastSent = content;
    t.lastAt = Date.now();
    t.inFlight = editReply(this.rest, t.delivery, { content })
      .then(() => void this.editsSent++)
      .catch((error: Error) => this.logger.warn({ jobId, err: error.message }, 'progress edit failed'))
      .finally(() => {
        t.inFlight = undefined;
        // A stage change that arrived during the edit keeps its shorter spacing.
        if (t.pending && !t.finished) this.push(jobId, t.pending, t.pendingNewStage);
      });
    await t.inFlight;
  }

  private async updatePositions(): Promise<void> {
    const waiting = [...this.tracked].filter(([, t]) => t.waiting && !t.finished);
    if (waiting.length === 0) return;
    const positions = await this.producer.positions(waiting.map(([jobId]) => jobId)).catch(() => new Map<string, number>());
    for (const [jobId, t] of waiting) {
      const position = positions.get(jobId);
      if (position !== undefined && !t.finished) this.push(jobId, progressContent('queued', 0, { position, what: t.what }));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    for (const t of this.tracked.values()) clearTimeout(t.timer);
    await this.events.close();
    this.eventsConnection.disconnect();
  }
}

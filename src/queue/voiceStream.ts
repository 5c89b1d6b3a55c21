/**
 * Voice pieces rendered by the workers: /play of a new piece, or "Play in voice" of a stored piece
 * whose audio expired (from its MIDI). The bot queues a job on `tunesmith-voice`; a worker composes
 * the piece (or reads the MIDI back into a score), writes what it is (`meta`) and stream-renders
 * it, handing each Ogg page over through an audio stream (audioStream.ts) as ffmpeg writes it.
 * The bot reads the pages and only demuxes them; it composes and renders nothing.
 *
 * A worker killed mid-piece: BullMQ notices the lost lock (JOB_LOCK_MS, JOB_STALLED_CHECK_MS) and
 * another worker renders the piece again from the start, with a new render id; the bot's reader
 * joins the two renders into one Ogg stream (src/render/oggRelay.ts), so playback goes on from
 * where the first render's pages stopped (after a pause if the player caught up with them).
 *
 * The voice queue is separate from the compose queue so a voice stream never waits behind a
 * /compose or a files job; every process that runs compose workers serves it too.
 */
import { Readable } from 'node:stream';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient as Redis } from './redisConnection.ts';
import type { Logger } from 'pino';
import { z } from 'zod';
import { compose } from '../core/compose.ts';
import type { MelodyGenerator } from '../core/generator.ts';
import { CompositionRequestSchema, type CompositionRequest } from '../core/request.ts';
import type { Score } from '../core/score.ts';
import { scoreSummaryFields } from './composeWorker.ts';
import { midiToScore } from '../midi/transformSource.ts';
import { scoreToMidi } from '../midi/scoreToMidi.ts';
import { defaultMelodyGenerator } from '../neural/defaultGenerator.ts';
import { OggPageSplitter, OggRelay } from '../render/oggRelay.ts';
import { renderOggOpusStream } from '../render/index.ts';
import { AudioStreamWriter, cancelAudioStream, dropAudioStream, readAudioStream } from './audioStream.ts';
import { logRedisErrors } from './redisErrors.ts';
import { QUEUE_PREFIX } from './jobs.ts';
import { bullWorkerOptions } from './workerSettings.ts';

export const VOICE_QUEUE = 'tunesmith-voice';

export const VoiceStreamJobSchema = z
  .object({
    streamId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    /** A new piece: compose this request. */
    request: CompositionRequestSchema.optional(),
    /** A stored piece's MIDI (base64), rendered again without composing. */
    midi: z.string().max(4_000_000).optional(),
    soundfont: z.string().max(200).optional(),
  })
  .refine((j) => (j.request === undefined) !== (j.midi === undefined), { message: 'a voice stream job needs a request or a MIDI file, not both' });
export type VoiceStreamJob = z.infer<typeof VoiceStreamJobSchema>;

/** What the piece is, sent before its audio (the bot's reply and /queue say it). */
export interface VoiceStreamInfo {
  title: string;
  style: string;
  mood: string;
  key: string;
  bpm: number;
  durationSec: number;
  seed: number;
  loop: boolean;
}

export function infoOf(score: Score): VoiceStreamInfo {
  // The same fields a result's summary has (composeWorker.ts), less what a voice track does not show.
  const { title, style, mood, key, bpm, durationSec, seed, loop } = scoreSummaryFields(score);
  return { title, style, mood, key, bpm, durationSec, seed, loop };
}

export interface VoiceStreamWorkerOptions {
  connection: Redis;
  logger: Logger;
  concurrency?: number;
  lockMs?: number;
  stalledCheckMs?: number;
  generator?: MelodyGenerator;
}

/** The worker side: compose or read the MIDI, then stream-render page by page into Redis. */
export function startVoiceStreamWorker(opts: VoiceStreamWorkerOptions): { worker: Worker; close(): Promise<void> } {
  const processor = async (job: Job<VoiceStreamJob>, _token?: string, signal?: AbortSignal) => {
    const parsed = VoiceStreamJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid voice stream job: ${parsed.error.message}`);
    const data = parsed.data;
    const writer = new AudioStreamWriter(opts.connection, data.streamId);
    const log = opts.logger.child({ streamId: data.streamId, renderId: writer.renderId, attempt: job.attemptsMade + 1 });
    const started = Date.now();
    try {
      const score = data.request ? (await compose(data.request, opts.generator ?? (await defaultMelodyGenerator()))).score : midiToScore(Buffer.from(data.midi!, 'base64'));
      if (!(await writer.meta(infoOf(score)))) return { pages: 0, cancelled: true };
      log.info({ origin: data.request ? 'new' : 'rebuilt', durationSec: score.durationSec }, 'voice stream started');
      // A loop is rendered with a copy of its last bars first and that pre-roll cut, as renderAudio does.
      const midi = scoreToMidi(score, { loopPreRoll: score.meta.loop });
      const audio = renderOggOpusStream({ midi: midi.bytes, trimStartSec: midi.trimStartSec, durationSec: score.durationSec, loop: score.meta.loop, soundfont: data.soundfont, signal });
      const splitter = new OggPageSplitter();
      let pages = 0;
      for await (const chunk of audio as AsyncIterable<Buffer>) {
        const whole = splitter.push(chunk);
        if (!whole.length) continue;
        pages += whole.length;
        if (!(await writer.write(whole.length === 1 ? whole[0]! : Buffer.concat(whole)))) {
          // The bot skipped or stopped the piece: stop rendering it (destroying kills fluidsynth and ffmpeg).
          audio.destroy();
          log.info({ ms: Date.now() - started, pages }, 'voice stream cancelled by the bot');
          return { pages, cancelled: true };
        }
      }
      await writer.end();
      log.info({ ms: Date.now() - started, pages }, 'voice stream rendered');
      return { pages };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ err: message, final }, 'voice stream attempt failed');
      if (final) await writer.fail(message).catch(() => {});
      throw error;
    }
  };
  const worker = new Worker<VoiceStreamJob>(VOICE_QUEUE, processor, bullWorkerOptions({ connection: opts.connection, concurrency: opts.concurrency ?? 2, lockMs: opts.lockMs, stalledCheckMs: opts.stalledCheckMs, maxStalledCount: 2 }));
  logRedisErrors(worker, { client: 'voice stream worker', logger: opts.logger });
  return { worker, close: () => worker.close() };
}

export class VoiceStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VoiceStreamError';
  }
}

/** A piece being rendered by a worker, as the bot sees it: what it is, then its Ogg Opus bytes. */
export interface RemoteVoiceStream {
  streamId: string;
  /** The piece's description, from the worker's first entry. Rejects with VoiceStreamError. */
  info: Promise<VoiceStreamInfo>;
  /** Its Ogg Opus, one continuous stream across renders; destroyed with the worker's error if it gave up. */
  audio: Readable;
  /** Renders that replaced an earlier one (a worker died). */
  restarts(): number;
  /** Stop reading (a skipped or stopped track). */
  cancel(): void;
}

export interface VoiceStreamsOptions {
  /** Give up when nothing arrives for this long: long enough for a dead worker's job to be retaken. */
  idleTimeoutMs: number;
  attempts?: number;
  logger?: Logger;
}

/** The bot side: queue a voice stream job and read what the workers hand over. */
export class VoiceStreams {
  readonly queue: Queue<VoiceStreamJob>;

  constructor(
    private readonly redis: Redis,
    private readonly opts: VoiceStreamsOptions,
  ) {
    this.queue = logRedisErrors(new Queue<VoiceStreamJob>(VOICE_QUEUE, { connection: redis, prefix: QUEUE_PREFIX }), { client: 'voice queue', logger: opts.logger });
  }

  start(job: { request: CompositionRequest; soundfont?: string } | { midi: Buffer; soundfont?: string }): RemoteVoiceStream {
    const streamId = `vs-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const data: VoiceStreamJob = 'request' in job ? { streamId, request: job.request, soundfont: job.soundfont } : { streamId, midi: job.midi.toString('base64'), soundfont: job.soundfont };
    const controller = new AbortController();
    const relay = new OggRelay();
    const audio = new Readable({ read() {}, destroy: (error, callback) => (controller.abort(), callback(error)) });
    let resolveInfo!: (info: VoiceStreamInfo) => void;
    let rejectInfo!: (error: Error) => void;
    const info = new Promise<VoiceStreamInfo>((resolve, reject) => ((resolveInfo = resolve), (rejectInfo = reject)));
    info.catch(() => {}); // a caller that stopped waiting must not leave an unhandled rejection

    const started = Date.now();
    let entries = 0;
    const run = async () => {
      await this.queue.add('stream', data, { jobId: streamId, attempts: this.opts.attempts ?? 3, backoff: { type: 'fixed', delay: 200 }, removeOnComplete: { age: 600 }, removeOnFail: { age: 3600 } });
      for await (const entry of readAudioStream(this.redis, streamId, { idleTimeoutMs: this.opts.idleTimeoutMs, signal: controller.signal })) {
        entries++;
        if (entry.type === 'meta') resolveInfo(entry.info as VoiceStreamInfo);
        else if (entry.type === 'data') audio.push(relay.push(entry.renderId, entry.data));
        else if (entry.type === 'error') throw new VoiceStreamError(`the worker could not render it: ${entry.message}`);
        else if (entry.type === 'end') {
          if (relay.restarts) this.opts.logger?.info({ streamId, restarts: relay.restarts, skippedPages: relay.skippedPages }, 'voice stream carried on from another render');
          this.opts.logger?.debug({ streamId, entries, ms: Date.now() - started }, 'voice stream received in full');
          audio.push(null);
        }
      }
    };
    run()
      .catch((error: Error) => {
        if (controller.signal.aborted) return;
        const failure = error instanceof VoiceStreamError ? error : new VoiceStreamError(error.message);
        rejectInfo(failure);
        audio.destroy(failure);
      })
      .finally(() => void dropAudioStream(this.redis, streamId).catch(() => {}));
    let done = false;
    const cancel = () => {
      if (!audio.destroyed) audio.destroy();
      if (!done) void cancelAudioStream(this.redis, streamId).catch(() => {});
    };
    audio.once('end', () => (done = true));
    return { streamId, info, audio, restarts: () => relay.restarts, cancel };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

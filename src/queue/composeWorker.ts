/**
 * The compose worker: takes jobs from the compose queue, runs the pipeline, stores the result and
 * hands a delivery job to whoever talks to Discord. Besides composing it runs the two derived
 * kinds (see jobs.ts): `rerender` and `extend` read the source piece's MIDI from the store,
 * transform it (src/midi/transformPiece.ts) and render the result. Any number of these run on any machines that
 * share the Redis. A job is retried with backoff on transient failures, has a hard timeout, is
 * recovered by another worker if this one dies (BullMQ stalled-job check), and is handed back
 * to the queue on a graceful shutdown.
 */
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { RedisClient } from './redisConnection.ts';
import type { Logger } from 'pino';
import { formatKey } from '../core/keys.ts';
import type { Score } from '../core/score.ts';
import { RequestError } from '../core/request.ts';
import type { MelodyGenerator } from '../core/generator.ts';
import { DerivedPieceError, derivePiece } from '../midi/transformPiece.ts';
import { midiToScore, readTunesmithText } from '../midi/transformSource.ts';
import type { Recipe } from '../provenance/manifest.ts';
import { renderStems, stemsZip } from '../stems.ts';
import { KIT_LENGTHS, planKit } from '../core/kit.ts';
import { createKitPart, kitSlug, kitZip } from '../kit.ts';
import { dropKitParts, getKitParts, putKitPart } from './kitFlow.ts';
import { createPiece, type Piece } from '../pipeline.ts';
import { MissingToolError } from '../render/errors.ts';
import { UnknownSoundFontError } from '../render/soundfont.ts';
import { ComposeJobSchema, QUEUE_NAMES, QUEUE_PREFIX, resultIdFor, type ComposeJob, type DeliverJob, type PieceSummary } from './jobs.ts';
import { bullWorkerOptions } from './workerSettings.ts';
import type { QueueMetrics } from './metrics.ts';
import { logRedisErrors } from './redisErrors.ts';
import { ResultStore, type StoredPiece } from './resultStore.ts';
import { startVoiceStreamWorker } from './voiceStream.ts';

export interface ComposeWorkerOptions {
  connection: RedisClient;
  logger: Logger;
  resultTtlSec: number;
  /** Budget of the audio cache (RESULT_CACHE_MB); default 512 MiB. */
  resultCacheBytes?: number;
  /** Jobs processed at once by this process (1 per core is right: rendering is CPU-bound). */
  concurrency?: number;
  /** Hard limit for one attempt of one job. */
  jobTimeoutMs: number;
  generator?: MelodyGenerator;
  metrics?: QueueMetrics;
  /** How long a job's lock lasts without renewal: a dead worker's job is retaken after about this. */
  lockMs?: number;
  stalledCheckMs?: number;
  /** How long a shutdown waits for running jobs before handing them back. */
  shutdownGraceMs?: number;
  /** Test hook: runs at the start of every attempt (e.g. to fail or stall on purpose). */
  beforeAttempt?: (job: Job<ComposeJob>) => Promise<void> | void;
}

export interface ComposeWorkerHandle {
  worker: Worker;
  /** The same process's worker for voice streams (voiceStream.ts). */
  voiceWorker: Worker;
  close(): Promise<void>;
}

const SHUTDOWN = 'tunesmith: shutting down';

/** The parts of a piece's summary that the score alone decides. */
export function scoreSummaryFields(score: Score) {
  return {
    title: score.meta.title,
    style: score.meta.style,
    mood: score.meta.mood,
    key: formatKey(score.key),
    bpm: Number(score.bpm.toFixed(2)),
    meter: `${score.meter.numerator}/${score.meter.denominator}`,
    durationSec: score.durationSec,
    loop: score.meta.loop,
    seed: score.meta.seed,
    generator: score.meta.generator,
    sections: score.sections.map((s) => s.name),
  };
}

export function summarize(piece: Pick<Piece, 'score' | 'audio' | 'timings'>, audioFile: string, derivation?: string): PieceSummary {
  return {
    ...scoreSummaryFields(piece.score),
    format: piece.audio!.format,
    audioFile,
    loudnessLufs: Number(piece.audio!.loudnessLufs.toFixed(2)),
    timingsMs: Object.fromEntries(Object.entries(piece.timings).map(([k, v]) => [k, Math.round(v)])),
    ...(derivation ? { derivation } : {}),
  };
}

/** A failure message a person understands, for the final reply. */
export function userMessageFor(error: unknown): string {
  if (error instanceof RequestError) return `I couldn't compose that: ${error.problems.map((p) => p.message).join(' ')}`;
  if (error instanceof DerivedPieceError || error instanceof UnknownSoundFontError) return error.message;
  if (error instanceof MissingToolError) return 'The music renderer is not set up on the server that took this job (a missing audio tool). The bot owner has been told in the logs.';
  if (error instanceof Error && error.name === 'TimeoutError') return 'Composing took too long and was stopped. Please try again, perhaps with a shorter piece.';
  return 'Something went wrong while composing, and retrying did not help. Please try again in a moment.';
}

export function startComposeWorker(opts: ComposeWorkerOptions): ComposeWorkerHandle {
  const store = new ResultStore(opts.connection, opts.resultTtlSec, { cacheBytes: opts.resultCacheBytes });
  const deliverQueue = logRedisErrors(new Queue<DeliverJob>(QUEUE_NAMES.deliver, { connection: opts.connection, prefix: QUEUE_PREFIX }), { client: 'delivery queue', logger: opts.logger });
  let shuttingDown = false;

  const enqueueDelivery = (job: Job, data: DeliverJob) =>
    // The id makes delivery exactly-once per compose job, even if the job itself runs twice.
    deliverQueue.add('deliver', data, {
      jobId: `deliver-${job.id}`,
      attempts: 6,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });

  type Made = { piece: StoredPiece; timings: Record<string, number> };
  type OnProgress = (p: { stage: string; fraction: number }) => void;

  const composeNew = async (data: Extract<ComposeJob, { kind: 'compose' }>, signal: AbortSignal, onProgress: OnProgress): Promise<Made> => {
    const piece = await createPiece(data.request, { format: data.render.format, soundfont: data.render.soundfont, generator: opts.generator, signal, onProgress });
    const audioFile = `tunesmith-${data.request.style}-${data.request.mood}-${data.request.seed}.${piece.audio!.extension}`;
    return {
      piece: { summary: summarize(piece, audioFile), request: data.request, render: data.render, audio: piece.audio!.data, midi: Buffer.from(piece.midi), png: piece.png },
      timings: piece.timings,
    };
  };

  const deriveNew = async (data: Extract<ComposeJob, { kind: 'rerender' | 'extend' }>, resultId: string, signal: AbortSignal, onProgress: OnProgress): Promise<Made> => {
    const source = await store.getSource(data.source.resultId);
    if (!source) throw new DerivedPieceError('The piece to build on is no longer stored (pieces are kept for a limited time). Press 🎲 Variation or use /compose with its seed to make it again.');
    const spec = data.kind === 'rerender' ? { kind: 'rerender' as const, transform: data.transform } : { kind: 'extend' as const, durationSec: data.request.durationSec };
    const made = await derivePiece(source, spec, { format: data.render.format, soundfont: data.render.soundfont, generator: opts.generator, signal, onProgress });
    const r = made.request;
    const audioFile = `tunesmith-${r.style}-${r.mood}-${r.seed}-${data.kind === 'extend' ? 'extended' : 'rerender'}-${resultId.slice(0, 6)}.${made.audio.extension}`;
    return {
      piece: { summary: summarize(made, audioFile, made.derivation), request: r, render: data.render, audio: made.audio.data, midi: Buffer.from(made.midi), png: made.png },
      timings: made.timings,
    };
  };

  /** Stems of a stored piece: rendered, zipped and kept as a bundle; delivered as one file. */
  const stemsOf = async (data: Extract<ComposeJob, { kind: 'stems' }>, resultId: string, signal: AbortSignal, onProgress: OnProgress): Promise<Record<string, number>> => {
    const source = await store.getSource(data.source.resultId);
    if (!source) throw new DerivedPieceError('The piece is no longer stored (pieces are kept for a limited time), so its stems cannot be made. Use /compose with its seed to make it again.');
    const started = performance.now();
    const score = midiToScore(source.midi);
    const text = readTunesmithText(source.midi);
    const recipe: Recipe = source.summary.derivation || !text ? { kind: 'derived', request: source.request, derivation: (source.summary.derivation ?? 'stems of a stored piece').slice(0, 500) } : { kind: 'compose', request: text.request };
    const set = await renderStems(score, { recipe, soundfont: source.render.soundfont, signal, onProgress: (done, total) => onProgress({ stage: 'rendering', fraction: done / total }) });
    const base = source.summary.audioFile.replace(/\.[a-z0-9]+$/, '');
    const zip = stemsZip(set, base);
    const text2 = `🎚️ **Stems** of “${source.summary.title}”: ${set.stems.map((s) => s.name).join(', ')}. WAV, each with the mix's gain and exact length: line them up at 0:00 and they add up to the mix (their sum is ${set.residualDb.toFixed(1)} dB from it). The mix and the MIDI are in the zip too; every file is signed (/verify).`;
    await store.putBundle(resultId, { zip, info: { fileName: `${base}-stems.zip`, title: source.summary.title, text: text2, durationSec: set.durationSec, what: `The stems of “${source.summary.title}”` } });
    return { rendering: performance.now() - started };
  };

  const processor = async (job: Job<ComposeJob>, token?: string, signal?: AbortSignal) => {
    const parsed = ComposeJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
    const data = parsed.data;
    const log = opts.logger.child({ requestId: data.requestId, jobId: job.id, attempt: job.attemptsMade + 1 });
    const resultId = resultIdFor(data);
    const started = Date.now();
    const timeout = AbortSignal.timeout(opts.jobTimeoutMs);
    try {
      await opts.beforeAttempt?.(job);
      if (data.kind === 'kit-part') {
        // One part of a kit flow (kitFlow.ts): its files wait in Redis for the parent; no delivery of its own.
        const onProgress = (p: { stage: string; fraction: number }) => void job.updateProgress({ stage: p.stage, fraction: p.fraction }).catch(() => {});
        onProgress({ stage: 'composing', fraction: 0.05 });
        const files = await createKitPart(planKit(data.kit), data.part, { format: data.render.format, soundfont: data.render.soundfont, generator: opts.generator, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, onProgress: (fraction) => onProgress({ stage: 'rendering', fraction }) });
        if (timeout.aborted) throw Object.assign(new Error('job timed out'), { name: 'TimeoutError' });
        await putKitPart(opts.connection, data.group, files, opts.resultTtlSec);
        log.info({ ms: Date.now() - started, kind: data.kind, part: data.part }, 'kit part made');
        return { part: data.part };
      }
      if (data.kind === 'kit') {
        const parts = await getKitParts(opts.connection, data.group);
        if (!parts) throw new DerivedPieceError('The parts of this kit expired before they could be put together. Please ask again.');
        const plan = planKit(data.kit);
        const zip = kitZip(plan, parts);
        const length = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}` : `${s} s`);
        const text =
          `🎬 **Streamer kit “${plan.kit.name}”** — ${plan.kit.style}, ${plan.kit.mood}, ${plan.key}, ${plan.bpm} bpm, seed ${plan.kit.seed}.\n` +
          parts.map((p) => `• ${KIT_LENGTHS[p.part].label}: ${length(p.durationSec)}${p.loop ? ' — seamless, loop points in the file and kit.json' : ''}`).join('\n') +
          `\nEvery part shares the theme, key, tempo and instruments. Audio, MIDI and kit.json are in the zip; every file is signed (/verify). What you may do with it: /license.`;
        await store.putBundle(resultId, {
          zip,
          info: {
            fileName: `${kitSlug(plan.kit.name)}-kit.zip`,
            title: plan.kit.name,
            text,
            durationSec: parts.reduce((a, p) => a + p.durationSec, 0),
            what: `The streamer kit “${plan.kit.name}”`,
            instead: `Ask for it with format: ogg (the smallest), or make it on your own machine with \`npm run kit -- "${plan.kit.name}" --style ${plan.kit.style} --mood ${plan.kit.mood} --seed ${plan.kit.seed}\`.`,
          },
        });
        await dropKitParts(opts.connection, data.group);
        log.info({ ms: Date.now() - started, kind: data.kind, bytes: zip.length }, 'kit made');
        await enqueueDelivery(job, { outcome: 'bundle', requestId: data.requestId, delivery: data.delivery, resultId });
        return { resultId };
      }
      if (data.kind === 'stems') {
        const onProgress = (p: { stage: string; fraction: number }) => void job.updateProgress({ stage: p.stage, fraction: p.fraction }).catch(() => {});
        const timings = await stemsOf(data, resultId, signal ? AbortSignal.any([signal, timeout]) : timeout, onProgress);
        if (timeout.aborted) throw Object.assign(new Error('job timed out'), { name: 'TimeoutError' });
        log.info({ ms: Date.now() - started, kind: data.kind, timings }, 'stems made');
        await enqueueDelivery(job, { outcome: 'bundle', requestId: data.requestId, delivery: data.delivery, resultId });
        return { resultId };
      }
      if (!(await store.has(resultId))) {
        const onProgress = (p: { stage: string; fraction: number }) => void job.updateProgress({ stage: p.stage, fraction: p.fraction }).catch(() => {});
        const jobSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
        const stored = data.kind === 'compose' ? await composeNew(data, jobSignal, onProgress) : await deriveNew(data, resultId, jobSignal, onProgress);
        if (timeout.aborted) throw Object.assign(new Error('job timed out'), { name: 'TimeoutError' });
        await store.put(resultId, stored.piece);
        for (const [stage, ms] of Object.entries(stored.timings)) opts.metrics?.stageSeconds.observe({ stage }, ms / 1000);
        log.info({ ms: Date.now() - started, kind: data.kind, timings: stored.timings }, data.kind === 'compose' ? 'composed' : `derived (${data.kind})`);
      } else {
        log.info('identical request already composed: serving the stored result');
        opts.metrics?.cacheHits.inc();
      }
      await enqueueDelivery(job, { outcome: 'success', requestId: data.requestId, delivery: data.delivery, resultId, cached: false, understood: data.understood, ignored: data.ignored });
      return { resultId };
    } catch (error) {
      if (shuttingDown && signal?.aborted && token) {
        // Graceful shutdown: hand the job back untouched so another worker starts it at once.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const timedOut = timeout.aborted;
      const permanent = error instanceof RequestError || error instanceof MissingToolError || error instanceof UnknownSoundFontError || error instanceof DerivedPieceError || error instanceof UnrecoverableError;
      const finalAttempt = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ err: error instanceof Error ? error.message : String(error), timedOut, finalAttempt }, 'compose attempt failed');
      if (finalAttempt) {
        opts.metrics?.failures.inc({ reason: timedOut ? 'timeout' : permanent ? 'permanent' : 'error' });
        const message = userMessageFor(timedOut ? Object.assign(new Error('timeout'), { name: 'TimeoutError' }) : error);
        await enqueueDelivery(job, { outcome: 'failure', requestId: data.requestId, delivery: data.delivery, message });
      }
      if (permanent) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };

  // A dead worker's job is noticed within ~30 s and restarted elsewhere (twice at most).
  const worker = new Worker<ComposeJob>(QUEUE_NAMES.compose, processor, bullWorkerOptions({ connection: opts.connection, concurrency: opts.concurrency ?? 1, lockMs: opts.lockMs, stalledCheckMs: opts.stalledCheckMs, maxStalledCount: 2 }));
  logRedisErrors(worker, { client: 'compose worker', logger: opts.logger });
  // Every process that composes also renders voice streams (/play), on a queue of their own.
  const voice = startVoiceStreamWorker({ connection: opts.connection, logger: opts.logger.child({ queue: 'voice' }), lockMs: opts.lockMs, stalledCheckMs: opts.stalledCheckMs, generator: opts.generator });

  return {
    worker,
    voiceWorker: voice.worker,
    async close() {
      shuttingDown = true;
      const grace = opts.shutdownGraceMs ?? 20_000;
      const closing = Promise.all([worker.close(), voice.close()]);
      const timer = setTimeout(() => {
        worker.cancelAllJobs(SHUTDOWN);
        voice.worker.cancelAllJobs(SHUTDOWN);
      }, grace);
      await closing.finally(() => clearTimeout(timer));
      await deliverQueue.close();
    },
  };
}

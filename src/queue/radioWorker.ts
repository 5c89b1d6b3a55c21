/**
 * The radio worker: renders radio sections (src/core/radioSection.ts, src/render/radioRender.ts)
 * and stores their packets in Redis (radioJobs.ts). Runs next to the compose worker in every
 * worker process, on its own queue, so a long compose never holds a section back. A dead worker's
 * section is retaken by another after the lock expires; the bot also asks again (a hedge job)
 * when a section is late, and whichever finishes first stores it.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient as Redis } from './redisConnection.ts';
import type { Logger } from 'pino';
import type { MelodyGenerator } from '../core/generator.ts';
import type { SectionSpec } from '../core/radioPlan.ts';
import type { Score } from '../core/score.ts';
import { composeSection, cutSection, planSectionRender } from '../core/radioSection.ts';
import { renderSection } from '../render/radioRender.ts';
import { packSection, RADIO_QUEUE, RADIO_SECTION_TTL_SEC, RadioJobSchema, sectionKey, type RadioJob } from './radioJobs.ts';
import { logRedisErrors } from './redisErrors.ts';
import { bullWorkerOptions } from './workerSettings.ts';

export interface RadioWorkerOptions {
  connection: Redis;
  logger: Logger;
  generator?: MelodyGenerator;
  concurrency?: number;
  lockMs?: number;
  stalledCheckMs?: number;
}

/** Sections composed lately: a section's job composes the one before it again, which this worker most likely composed for its own job. */
const COMPOSED_KEPT = 8;

export function startRadioWorker(opts: RadioWorkerOptions): { worker: Worker; close(): Promise<void> } {
  const composed = new Map<string, Promise<Score>>();
  // Composition is deterministic (spec and seed): the same spec gives the same notes.
  const composeOnce = (spec: SectionSpec): Promise<Score> => {
    const key = JSON.stringify(spec);
    let score = composed.get(key);
    if (!score) {
      score = composeSection(spec, opts.generator);
      score.catch(() => composed.delete(key));
      composed.set(key, score);
      if (composed.size > COMPOSED_KEPT) composed.delete(composed.keys().next().value!);
    }
    return score;
  };
  const processor = async (job: Job<RadioJob>) => {
    const parsed = RadioJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid radio job: ${parsed.error.message}`);
    const data = parsed.data;
    const key = sectionKey(data);
    if (await opts.connection.exists(key)) return { key, cached: true };
    const log = opts.logger.child({ radio: data.runId, section: data.spec.index, jobId: job.id });
    const started = performance.now();
    log.info({ pid: process.pid }, 'radio section started');
    const score = await composeOnce(data.spec);
    const previous = data.previous ? { spec: data.previous, score: cutSection(data.previous, await composeOnce(data.previous), data.previousBars) } : null;
    const composedMs = performance.now() - started;
    const audio = await renderSection(planSectionRender(data.spec, score, previous), { soundfont: data.soundfont });
    await opts.connection.set(key, packSection(audio), 'EX', RADIO_SECTION_TTL_SEC);
    log.info({ ms: Math.round(performance.now() - started), composeMs: Math.round(composedMs), synthMs: Math.round(audio.timings.synthMs), encodeMs: Math.round(audio.timings.encodeMs), packets: audio.main.length }, 'radio section rendered');
    return { key, cached: false };
  };
  const worker = new Worker<RadioJob>(RADIO_QUEUE, processor, bullWorkerOptions({ connection: opts.connection, concurrency: opts.concurrency ?? 1, lockMs: opts.lockMs, stalledCheckMs: opts.stalledCheckMs, maxStalledCount: 3 }));
  logRedisErrors(worker, { client: 'radio worker', logger: opts.logger });
  return { worker, close: () => worker.close() };
}

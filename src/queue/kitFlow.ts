/**
 * A streamer kit as one BullMQ job group (a flow): one `kit-part` child per part on the compose
 * queue, taken by any worker (so the parts render in parallel across workers), and a `kit` parent
 * that BullMQ starts only when every child has completed. Each child keeps its part's files in
 * Redis (with the results' TTL); the parent reads them, zips them with kit.json, keeps the zip as a
 * bundle and hands one delivery job to the bot. A child that fails for good fails the parent
 * (failParentOnFailure) and its own failure delivery tells the member.
 */
import { FlowProducer, type Job } from 'bullmq';
import type { RedisClient } from './redisConnection.ts';
import { KIT_PARTS, planKit, type KitPart, type KitRequest } from '../core/kit.ts';
import type { KitPartFiles } from '../kit.ts';
import { ComposeJobSchema, composeJobIdFor, QUEUE_NAMES, QUEUE_PREFIX, type ComposeJobInput, type Delivery, type RenderSpec } from './jobs.ts';
import { priorityFor } from './producer.ts';

/** A kit's parts share a hash tag (its group), so deleting them together stays in one cluster slot. */
const partKey = (group: string, part: KitPart) => `tunesmith:kitpart:{${group}}:${part}`;

export async function putKitPart(redis: RedisClient, group: string, files: KitPartFiles, ttlSec: number): Promise<void> {
  const { audio, midi, ...meta } = files;
  await redis.multi().hset(partKey(group, files.part), { meta: JSON.stringify(meta), audio, midi }).expire(partKey(group, files.part), ttlSec).exec();
}

export async function getKitParts(redis: RedisClient, group: string): Promise<KitPartFiles[] | null> {
  const parts: KitPartFiles[] = [];
  for (const part of KIT_PARTS) {
    const [meta, audio, midi] = await redis.hmgetBuffer(partKey(group, part), 'meta', 'audio', 'midi');
    if (!meta || !audio || !midi) return null;
    parts.push({ ...(JSON.parse(meta.toString('utf8')) as Omit<KitPartFiles, 'audio' | 'midi'>), audio, midi });
  }
  return parts;
}

export async function dropKitParts(redis: RedisClient, group: string): Promise<void> {
  await redis.del(...KIT_PARTS.map((p) => partKey(group, p)));
}

export interface KitSubmission {
  requestId: string;
  kit: KitRequest;
  render: RenderSpec;
  delivery: Delivery | null;
}

/** Child job ids: `<requestId>-<part>` (the progress tracker maps them back to the kit's reply). */
export const kitPartJobId = (requestId: string, part: KitPart) => `${requestId}-${part}`;

export async function submitKitFlow(redis: RedisClient, sub: KitSubmission, opts: { attempts: number; backoffMs: number }): Promise<{ jobId: string; children: Record<KitPart, string> }> {
  const plan = planKit(sub.kit);
  const flow = new FlowProducer({ connection: redis, prefix: QUEUE_PREFIX });
  const common = { requestId: sub.requestId, kit: plan.kit, render: sub.render, delivery: sub.delivery, understood: [], ignored: [], enqueuedAt: Date.now(), group: sub.requestId };
  const parent: ComposeJobInput = ComposeJobSchema.parse({ kind: 'kit', ...common, request: plan.parts.brb });
  const children = Object.fromEntries(KIT_PARTS.map((p) => [p, kitPartJobId(sub.requestId, p)])) as Record<KitPart, string>;
  try {
    await flow.add({
      name: 'kit',
      queueName: QUEUE_NAMES.compose,
      data: parent,
      opts: { jobId: composeJobIdFor(sub.requestId), attempts: opts.attempts, backoff: { type: 'exponential', delay: opts.backoffMs }, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600 } },
      children: KIT_PARTS.map((part) => ({
        name: 'kit-part',
        queueName: QUEUE_NAMES.compose,
        data: ComposeJobSchema.parse({ kind: 'kit-part', ...common, request: plan.parts[part], part }),
        opts: {
          jobId: children[part],
          // Short parts first, like any piece: the stinger and intro are ready long before the 2-minute loop.
          priority: priorityFor(plan.parts[part].durationSec),
          attempts: opts.attempts,
          backoff: { type: 'exponential', delay: opts.backoffMs },
          failParentOnFailure: true,
          removeOnComplete: { age: 3600, count: 1000 },
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    });
  } finally {
    await flow.close();
  }
  return { jobId: composeJobIdFor(sub.requestId), children };
}

export type KitJob = Job<Extract<import('./jobs.ts').ComposeJob, { kind: 'kit' | 'kit-part' }>>;

/**
 * What travels through the queues: a validated composition request, how to render it, and where
 * to deliver the result (the Discord interaction it answers). Validated on both sides with zod.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { COMPOSER_VERSION } from '../core/compose.ts';
import { CompositionRequestSchema, FORMATS } from '../core/request.ts';

export const QUEUE_NAMES = { compose: 'tunesmith-compose', deliver: 'tunesmith-deliver' } as const;

export const DeliverySchema = z.object({
  applicationId: z.string().min(1),
  /** Interaction token: lets anyone holding it edit the reply for 15 minutes. Never logged. */
  interactionToken: z.string().min(1),
  channelId: z.string().min(1),
  guildId: z.string().nullable(),
  userId: z.string().min(1),
  /** When the interaction arrived (ms since epoch); its token expires 15 minutes later. */
  interactionAt: z.number(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const RenderSpecSchema = z.object({
  format: z.enum(FORMATS),
  soundfont: z.string().max(200).optional(),
});
export type RenderSpec = z.infer<typeof RenderSpecSchema>;

export const ComposeJobSchema = z.object({
  /** Follows one request from interaction to reply in every log line. */
  requestId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/),
  request: CompositionRequestSchema,
  render: RenderSpecSchema,
  delivery: DeliverySchema.nullable(),
  /** What the prompt parser understood, for the reply. */
  understood: z.array(z.string()).default([]),
  enqueuedAt: z.number(),
});
export type ComposeJob = z.infer<typeof ComposeJobSchema>;
export type ComposeJobInput = z.input<typeof ComposeJobSchema>;

/** A finished piece's description (the audio, MIDI and picture bytes live in the result store). */
export const PieceSummarySchema = z.object({
  title: z.string(),
  style: z.string(),
  mood: z.string(),
  key: z.string(),
  bpm: z.number(),
  meter: z.string(),
  durationSec: z.number(),
  loop: z.boolean(),
  seed: z.number(),
  generator: z.string(),
  sections: z.array(z.string()),
  format: z.enum(FORMATS),
  audioFile: z.string(),
  loudnessLufs: z.number(),
  timingsMs: z.record(z.string(), z.number()),
});
export type PieceSummary = z.infer<typeof PieceSummarySchema>;

export const DeliverJobSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('success'), requestId: z.string(), delivery: DeliverySchema.nullable(), resultId: z.string(), cached: z.boolean(), understood: z.array(z.string()) }),
  z.object({ outcome: z.literal('failure'), requestId: z.string(), delivery: DeliverySchema.nullable(), message: z.string() }),
]);
export type DeliverJob = z.infer<typeof DeliverJobSchema>;

/**
 * Content address of a result: the same normalised request (seed included), render settings and
 * composer version always produce the same bytes, so they can share one stored result.
 */
export function resultIdFor(job: Pick<ComposeJob, 'request' | 'render'>): string {
  const canonical = JSON.stringify({
    v: COMPOSER_VERSION,
    request: sortKeys(job.request),
    render: { format: job.render.format, soundfont: job.render.soundfont ?? null },
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

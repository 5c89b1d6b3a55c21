/**
 * What travels through the queues: a validated composition request, how to render it, and where
 * to deliver the result (the Discord interaction it answers). Validated on both sides with zod.
 *
 * A job is one of three kinds: `compose` (the default, so jobs written before kinds existed
 * still parse), `rerender` (the same notes of a stored piece with tempo, key, instruments or
 * SoundFont changed: nothing is composed again) and `extend` (a stored piece continued to a
 * longer length). Every kind carries `request`: for derived kinds it is the request the new
 * piece answers (its real tempo, key and length), so priorities, fairness limits, progress lines
 * and the Variation button work the same for every result.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { COMPOSER_VERSION } from '../core/compose.ts';
import { KIT_PARTS, KitRequestSchema } from '../core/kit.ts';
import { CompositionRequestSchema, FORMATS, formatProblem } from '../core/request.ts';
import { soundFontChoiceProblem } from '../render/soundfont.ts';
import type { Role } from '../core/score.ts';

const ROLES = ['lead', 'harmony', 'bass', 'pad', 'arp', 'perc', 'drums'] as const satisfies readonly Role[];
const PITCHED_ROLES = ['lead', 'harmony', 'bass', 'pad', 'arp'] as const satisfies readonly Role[];

export const QUEUE_NAMES = { compose: 'tunesmith-compose', deliver: 'tunesmith-deliver' } as const;

/**
 * BullMQ's key prefix for every queue, flow and event stream. The braces are a Redis Cluster hash
 * tag: all queue keys hash to one slot, as BullMQ's multi-key scripts (and flows, which span a
 * parent and its children) require on a cluster. The same prefix is used on a single server.
 */
export const QUEUE_PREFIX = '{tunesmith}';

/**
 * The compose queue's job id for a request. Not the request id itself: BullMQ refuses a custom id
 * that reads back unchanged through parseInt ("Custom Id cannot be integers"), and a Discord
 * snowflake is all digits: one in 256 of today's 19-digit snowflakes does (0.39 % of 2 million
 * random ones), and those requests failed at submit.
 */
export function composeJobIdFor(requestId: string): string {
  return `r${requestId}`;
}

export const DeliverySchema = z.object({
  applicationId: z.string().min(1),
  /**
   * Interaction token: lets anyone holding it edit the reply for 15 minutes. Never logged.
   * Absent for a piece asked for in a message (a mention, a DM, a reply): see `replyMessageId`.
   */
  interactionToken: z.string().min(1).optional(),
  /**
   * For a piece asked for in a message: the bot's own reply (in `channelId`) that progress and the
   * result edit. Channel messages do not expire as interaction tokens do.
   */
  replyMessageId: z.string().regex(/^\d{1,20}$/).optional(),
  /** A line shown above the result: what an edit changed and kept ("tempo 82 → 70 bpm; key and melody kept"). */
  note: z.string().max(1000).optional(),
  channelId: z.string().min(1),
  guildId: z.string().nullable(),
  userId: z.string().min(1),
  /** When the interaction arrived (ms since epoch); its token expires 15 minutes later. */
  interactionAt: z.number(),
  /**
   * The largest attachment Discord accepts here (the interaction's attachment_size_limit), when
   * the bot knew it at enqueue time. Absent: the delivery works it out (see src/bot/delivery.ts).
   */
  uploadLimitBytes: z.number().int().positive().optional(),
  /**
   * How the result is posted: by editing the interaction's reply (default), or as a follow-up
   * message under it (/play, whose reply keeps saying what is playing). A follow-up is not
   * idempotent: a redelivery after a crash mid-post could post it twice.
   */
  post: z.enum(['edit', 'followUp']).optional(),
  /**
   * False where only the interaction can post: a group DM, or a server that never added the bot
   * (a user-installed app). After the token's 15 minutes the result goes to the member's DM.
   */
  botCanPost: z.boolean().optional(),
}).refine((d) => d.interactionToken !== undefined || d.replyMessageId !== undefined, { message: 'a delivery needs an interaction token or a reply message id' });
export type Delivery = z.infer<typeof DeliverySchema>;

export const RenderSpecSchema = z.object({
  format: z.enum(FORMATS),
  soundfont: z
    .string()
    .max(200)
    .superRefine((choice, ctx) => {
      const problem = soundFontChoiceProblem(choice);
      if (problem) ctx.addIssue({ code: 'custom', message: formatProblem(problem) });
    })
    .optional(),
});
export type RenderSpec = z.infer<typeof RenderSpecSchema>;

const JobBase = {
  /** Follows one request from interaction to reply in every log line. */
  requestId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/),
  request: CompositionRequestSchema,
  render: RenderSpecSchema,
  delivery: DeliverySchema.nullable(),
  /** What the prompt parser understood, for the reply. */
  understood: z.array(z.string()).default([]),
  /** Prompt words not used, for the reply. */
  ignored: z.array(z.string()).default([]),
  enqueuedAt: z.number(),
};

/** The stored piece a derived job builds on (its result id; the worker reads its MIDI from the store). */
export const SourceSchema = z.object({ resultId: z.string().regex(/^[0-9a-f]{32}$/) });

/** Instrument presets (ids) are defined in src/midi/transform.ts; the schema only bounds the text. */
export const TransformSchema = z.object({
  /** New tempo = old × tempoScale (the length changes by 1/tempoScale). */
  tempoScale: z.number().min(0.25).max(4).default(1),
  /** Semitones, applied to every pitched track (drums untouched). */
  transpose: z.number().int().min(-11).max(11).default(0),
  /** An instrument preset id, or absent to keep the programs. */
  instruments: z.string().regex(/^[a-z0-9-]{1,16}$/).optional(),
  /** GM programs for roles (after the preset): "on guitar", "piano → rhodes". */
  programs: z.partialRecord(z.enum(PITCHED_ROLES), z.number().int().min(0).max(127)).optional(),
  /** Roles left out: "no drums", "no piano". */
  drop: z.array(z.enum(ROLES)).max(ROLES.length).optional(),
  /** New tracks doubling a role's notes on another instrument: "add strings". */
  layers: z.array(z.object({ role: z.enum(PITCHED_ROLES), program: z.number().int().min(0).max(127) })).max(3).optional(),
});
export type Transform = z.infer<typeof TransformSchema>;

export const ComposeJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('compose').default('compose'), ...JobBase }),
  z.object({ kind: z.literal('rerender'), ...JobBase, source: SourceSchema, transform: TransformSchema }),
  /** `request.durationSec` is the target length. */
  z.object({ kind: z.literal('extend'), ...JobBase, source: SourceSchema }),
  /** Every track of a stored piece rendered on its own (src/stems.ts), delivered as a zip (a bundle). */
  z.object({ kind: z.literal('stems'), ...JobBase, source: SourceSchema }),
  /**
   * A streamer kit is one BullMQ flow (src/queue/kitFlow.ts): a `kit-part` child per part, rendered
   * in parallel by the workers, and a `kit` parent that runs once they are all done, zips them and
   * delivers once. `request` is the part's own request (the BRB loop's for the parent).
   */
  z.object({ kind: z.literal('kit-part'), ...JobBase, kit: KitRequestSchema, part: z.enum(KIT_PARTS), group: z.string().min(1).max(80) }),
  z.object({ kind: z.literal('kit'), ...JobBase, kit: KitRequestSchema, group: z.string().min(1).max(80) }),
]);
export type ComposeJob = z.infer<typeof ComposeJobSchema>;
export type ComposeJobInput = z.input<typeof ComposeJobSchema>;
export type JobKind = ComposeJob['kind'];

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
  /** For re-rendered and extended pieces: what was done to which piece, in words. */
  derivation: z.string().max(500).optional(),
});
export type PieceSummary = z.infer<typeof PieceSummarySchema>;

export const DeliverJobSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('success'), requestId: z.string(), delivery: DeliverySchema.nullable(), resultId: z.string(), cached: z.boolean(), understood: z.array(z.string()), ignored: z.array(z.string()).default([]) }),
  z.object({ outcome: z.literal('failure'), requestId: z.string(), delivery: DeliverySchema.nullable(), message: z.string() }),
  /** A zip (stems) in the result store's bundles, posted as one file. */
  z.object({ outcome: z.literal('bundle'), requestId: z.string(), delivery: DeliverySchema.nullable(), resultId: z.string() }),
]);
export type DeliverJob = z.infer<typeof DeliverJobSchema>;

/** What a result id is computed from (a compose job needs only request and render). */
export type ResultIdInput = Pick<ComposeJob, 'request' | 'render'> & {
  kind?: JobKind;
  source?: { resultId: string };
  transform?: Transform;
};

/**
 * Content address of a result: the same normalised request (seed included), render settings and
 * composer version always produce the same bytes, so they can share one stored result. A derived
 * result is addressed by its source's id and what was done to it (plus the target length for an
 * extension), so asking for the same re-render twice is served from the store too. Compose ids
 * are unchanged from before job kinds existed.
 */
export function resultIdFor(job: ResultIdInput): string {
  const render = { format: job.render.format, soundfont: job.render.soundfont ?? null };
  const kind = job.kind ?? 'compose';
  const canonical =
    kind === 'compose'
      ? JSON.stringify({ v: COMPOSER_VERSION, request: sortKeys(job.request), render })
      : JSON.stringify({
          v: COMPOSER_VERSION,
          kind,
          source: job.source?.resultId ?? null,
          ...(kind === 'rerender' ? { transform: sortKeys(TransformSchema.parse(job.transform ?? {})) } : kind === 'stems' ? {} : { durationSec: job.request.durationSec }),
          ...('kit' in job && job.kit ? { kit: sortKeys(job.kit), part: 'part' in job ? job.part : null, group: 'group' in job ? job.group : null } : {}),
          render,
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

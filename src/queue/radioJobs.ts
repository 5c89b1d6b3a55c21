/**
 * Radio sections through Redis: the BullMQ queue the bot asks on, the job (a section's spec and
 * the spec of the section it follows), and the rendered packets, stored under their own prefix
 * (`tunesmith:radio:`) with an expiry. A section is addressed by its radio run, index and a hash
 * of both specs: rendering is deterministic, so a job that runs twice (a dead worker's job
 * retaken, or the bot's hedge for a late one) stores the same bytes under the same key.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ENERGIES, METERS } from '../core/request.ts';
import { MODES } from '../core/keys.ts';
import type { SectionSpec } from '../core/radioPlan.ts';

export const RADIO_QUEUE = 'tunesmith-radio';
export const RADIO_PREFIX = 'tunesmith:radio:';
/** Rendered sections are kept this long (they are played within a minute or two). */
export const RADIO_SECTION_TTL_SEC = 900;

export const SectionSpecSchema = z.object({
  index: z.number().int().min(0),
  kind: z.enum(['open', 'continue', 'develop', 'return', 'new']),
  style: z.string().min(1).max(40),
  mood: z.string().min(1).max(40),
  energy: z.enum(ENERGIES),
  key: z.object({ tonic: z.string().min(1).max(3), mode: z.string().refine((m) => (MODES as readonly string[]).includes(m)) }),
  bpm: z.number().min(20).max(300),
  beatUnits: z.number().int().min(10).max(150),
  meter: z.enum(METERS),
  bars: z.number().int().min(1).max(64),
  startSample: z.number().int().min(0),
  lengthSamples: z.number().int().positive(),
  themeSeed: z.number().int().min(0),
  themePart: z.number().int().min(0).max(16),
  nextKey: z.object({ tonic: z.string().min(1).max(3), mode: z.string().refine((m) => (MODES as readonly string[]).includes(m)) }).optional(),
  note: z.string().max(500),
});

export const RadioJobSchema = z.object({
  /** One radio run (a start, or a resume after a restart): its sections' stream. */
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  guildId: z.string().max(32),
  spec: SectionSpecSchema,
  previous: SectionSpecSchema.nullable(),
  /** Bars of `previous` that play when it was cut short (a room's choice brought in sooner). */
  previousBars: z.number().int().min(1).max(64).optional(),
  soundfont: z.string().max(200).optional(),
});
export type RadioJob = z.infer<typeof RadioJobSchema>;

/** JSON with every object's keys sorted: the bot's spec and the worker's parsed copy (zod orders keys its own way) hash alike. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

export function sectionKey(job: Pick<RadioJob, 'runId' | 'spec' | 'previous' | 'previousBars'>): string {
  const hash = createHash('sha256').update(canonicalJson([job.spec, job.previous, job.previousBars ?? null])).digest('hex').slice(0, 16);
  return `${RADIO_PREFIX}section:${job.runId}:${job.spec.index}:${hash}`;
}

export function sectionJobId(job: Pick<RadioJob, 'runId' | 'spec' | 'previous' | 'previousBars'>, attempt = 0): string {
  return `radio-${sectionKey(job).slice(RADIO_PREFIX.length + 'section:'.length).replace(/:/g, '-')}${attempt ? `-hedge${attempt}` : ''}`;
}

export interface StoredSection {
  main: Buffer[];
  hold: Buffer[];
}

/** main and hold packets as one value: "TSR1", u16 counts, then u16-length-prefixed packets. */
export function packSection(s: StoredSection): Buffer {
  const all = [...s.main, ...s.hold];
  const out = Buffer.alloc(8 + all.reduce((n, p) => n + 2 + p.length, 0));
  out.write('TSR1', 0, 'latin1');
  out.writeUInt16LE(s.main.length, 4);
  out.writeUInt16LE(s.hold.length, 6);
  let at = 8;
  for (const p of all) {
    out.writeUInt16LE(p.length, at);
    p.copy(out, at + 2);
    at += 2 + p.length;
  }
  return out;
}

export function unpackSection(bytes: Buffer): StoredSection {
  if (bytes.toString('latin1', 0, 4) !== 'TSR1') throw new Error('not a stored radio section');
  const mainCount = bytes.readUInt16LE(4);
  const holdCount = bytes.readUInt16LE(6);
  const all: Buffer[] = [];
  let at = 8;
  for (let i = 0; i < mainCount + holdCount; i++) {
    const len = bytes.readUInt16LE(at);
    all.push(bytes.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return { main: all.slice(0, mainCount), hold: all.slice(mainCount) };
}

export type { SectionSpec };

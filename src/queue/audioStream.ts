/**
 * Audio handed from a worker to the bot as it is made, through a Redis stream: the worker XADDs
 * each chunk (Ogg pages) as the encoder writes it, the bot reads with XREAD BLOCK on a connection
 * of its own. Any process that shares the Redis can produce or consume; nothing is kept in
 * either process beyond the entry in hand.
 *
 * One stream per piece, key `tunesmith:audio:<id>`. Entries:
 *  - `meta`: JSON the producer sends first (what the piece is), once per render attempt;
 *  - `data`: bytes;
 *  - `end`: every byte was written;
 *  - `error`: the producer gave up (a message for the log; the listener gets a generic line).
 * Each entry names its render (`r`): when a worker dies mid-piece and another starts the same
 * job over, the new render's entries carry a new id, so a reader can tell the two apart (see
 * src/render/oggRelay.ts for joining Ogg across them).
 *
 * A consumer that no longer wants the audio cancels it (`cancelAudioStream`); the producer's next
 * write resolves false and it stops, so a skipped piece stops costing a worker CPU.
 *
 * Bounded: every XADD trims to `maxLen` entries (approximately, as Redis allows) and renews the
 * key's expiry, so an abandoned stream disappears on its own.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient as Redis } from './redisConnection.ts';

const PREFIX = 'tunesmith:audio:';
/** 300 s of audio at one 20 ms Ogg page per entry is 15 000 entries; room for a restart. */
export const DEFAULT_MAX_LEN = 40_000;
export const DEFAULT_TTL_SEC = 15 * 60;

export const audioStreamKey = (id: string): string => `${PREFIX}${id}`;
/** Set by the consumer when it no longer wants the audio (a skipped track): the producer stops. */
const cancelKey = (id: string): string => `${PREFIX}${id}:cancel`;

export type AudioStreamEntry =
  | { type: 'meta'; renderId: string; info: unknown }
  | { type: 'data'; renderId: string; data: Buffer }
  | { type: 'end'; renderId: string }
  | { type: 'error'; renderId: string; message: string };

export interface AudioStreamOptions {
  maxLen?: number;
  ttlSec?: number;
}

/** The producing side: one writer per render attempt. */
export class AudioStreamWriter {
  readonly renderId = randomUUID().slice(0, 8);
  private readonly key: string;
  private readonly maxLen: number;
  private readonly ttlSec: number;

  constructor(
    private readonly redis: Redis,
    readonly id: string,
    opts: AudioStreamOptions = {},
  ) {
    this.key = audioStreamKey(id);
    this.maxLen = opts.maxLen ?? DEFAULT_MAX_LEN;
    this.ttlSec = opts.ttlSec ?? DEFAULT_TTL_SEC;
  }

  meta(info: unknown): Promise<boolean> {
    return this.add('meta', Buffer.from(JSON.stringify(info)));
  }

  /** Resolves false once the consumer has cancelled the stream: stop producing. */
  write(chunk: Buffer): Promise<boolean> {
    return this.add('data', chunk);
  }

  async end(): Promise<void> {
    await this.add('end', Buffer.alloc(0));
  }

  async fail(message: string): Promise<void> {
    await this.add('error', Buffer.from(message.slice(0, 500)));
  }

  /** Appends an entry; resolves false if the consumer cancelled. */
  private async add(type: AudioStreamEntry['type'], data: Buffer): Promise<boolean> {
    const replies = await this.redis
      .multi()
      .xadd(this.key, 'MAXLEN', '~', String(this.maxLen), '*', 't', type, 'r', this.renderId, 'd', data)
      .expire(this.key, this.ttlSec)
      .exists(cancelKey(this.id))
      .exec();
    return Number(replies?.[2]?.[1] ?? 0) === 0;
  }
}

export interface ReadOptions {
  /** How long one XREAD blocks (ms). */
  blockMs?: number;
  /** Give up when nothing arrives for this long (ms): no worker took the job, or all died. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Start after this entry id ('0' = from the first). */
  after?: string;
}

export class AudioStreamTimeout extends Error {
  constructor(id: string, ms: number) {
    super(`no audio arrived on stream ${id} for ${Math.round(ms / 1000)} s`);
    this.name = 'AudioStreamTimeout';
  }
}

/**
 * The consuming side: every entry from the start (or `after`), as it arrives, until `end` or
 * `error` (which are yielded too). Blocks on a duplicate of `redis`, closed when done.
 */
export async function* readAudioStream(redis: Redis, id: string, opts: ReadOptions = {}): AsyncGenerator<AudioStreamEntry> {
  const key = audioStreamKey(id);
  const blockMs = opts.blockMs ?? 1000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  const conn = redis.duplicate();
  // Failures reach the caller through the command; the connection's own retries stay quiet.
  conn.on('error', () => {});
  const abort = () => conn.disconnect();
  opts.signal?.addEventListener('abort', abort, { once: true });
  let last = opts.after ?? '0';
  let lastArrival = Date.now();
  try {
    while (!opts.signal?.aborted) {
      const reply = (await conn.xreadBuffer('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', key, last).catch((error: Error) => {
        if (opts.signal?.aborted) return null;
        throw error;
      })) as [Buffer, [Buffer, Buffer[]][]][] | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) {
        if (Date.now() - lastArrival > idleTimeoutMs) throw new AudioStreamTimeout(id, idleTimeoutMs);
        continue;
      }
      lastArrival = Date.now();
      for (const [entryId, fields] of entries) {
        last = entryId.toString();
        const entry = parseEntry(fields);
        yield entry;
        if (entry.type === 'end' || entry.type === 'error') return;
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    conn.disconnect();
  }
}

function parseEntry(fields: Buffer[]): AudioStreamEntry {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
  const type = map.get('t')?.toString();
  const renderId = map.get('r')?.toString() ?? '';
  const data = map.get('d') ?? Buffer.alloc(0);
  switch (type) {
    case 'meta':
      return { type, renderId, info: JSON.parse(data.toString()) };
    case 'data':
      return { type, renderId, data };
    case 'end':
      return { type, renderId };
    case 'error':
      return { type, renderId, message: data.toString() };
    default:
      throw new Error(`audio stream: unknown entry type ${type}`);
  }
}

/** Delete a stream (the consumer is done with it). */
export async function dropAudioStream(redis: Redis, id: string): Promise<void> {
  await redis.del(audioStreamKey(id));
}

/** The consumer no longer wants this stream: the producer's next write says so, and it stops. */
export async function cancelAudioStream(redis: Redis, id: string, ttlSec = DEFAULT_TTL_SEC): Promise<void> {
  await redis.multi().set(cancelKey(id), '1', 'EX', ttlSec).del(audioStreamKey(id)).exec();
}

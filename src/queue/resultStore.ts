/**
 * Finished pieces in Redis, addressed by their result id, with a TTL. Workers on any machine
 * write here; whoever delivers reads here; an identical request is served from here (the cache).
 *
 * A piece's request, summary, MIDI and picture are kept (the truth, a few tens of KB); its audio
 * goes to a size-bounded LRU cache (audioCache.ts, RESULT_CACHE_MB) and WAV not even there. When
 * `get` finds no audio it renders it again from the MIDI (storedAudio.ts) and caches it, so a
 * result stays usable (Play, Re-render, buttons, a repeat request) after the cache dropped it.
 *
 * Buttons under a result (Variation, Extend, Re-render, MIDI) need only a piece's *source*: its
 * request, render settings, summary and MIDI — not the audio or the picture. `getSource` reads
 * those fields of a stored result; when the result has expired, the bot rebuilds the source from
 * the MIDI file posted with the message and keeps it with `putSource`, so derived jobs find it.
 */
import type { RedisClient } from './redisConnection.ts';
import { z } from 'zod';
import { CompositionRequestSchema, type CompositionRequest } from '../core/request.ts';
import { AudioCache } from './audioCache.ts';
import { PieceSummarySchema, RenderSpecSchema, type PieceSummary, type RenderSpec } from './jobs.ts';
import { renderStoredAudio, type RenderStoredAudio } from './storedAudio.ts';

/** RESULT_CACHE_MB's default. */
export const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

export interface ResultStoreOptions {
  /** Budget of the audio cache (RESULT_CACHE_MB × 2^20). */
  cacheBytes?: number;
  /** How audio missing from the cache is made again (tests count the calls). */
  renderAudio?: RenderStoredAudio;
}

export interface StoredPiece {
  summary: PieceSummary;
  /** What was asked for, so buttons (variation, extend, re-render) can build on it. */
  request: CompositionRequest;
  render: RenderSpec;
  audio: Buffer;
  midi: Buffer;
  png: Buffer;
}

/** The part of a summary that can also be read back from a posted MIDI file. */
export const SourceSummarySchema = PieceSummarySchema.pick({
  title: true,
  style: true,
  mood: true,
  key: true,
  bpm: true,
  meter: true,
  durationSec: true,
  loop: true,
  seed: true,
  generator: true,
  format: true,
  audioFile: true,
  derivation: true,
});
export type SourceSummary = z.infer<typeof SourceSummarySchema>;

/** What derived jobs and buttons build on. */
export interface PieceSource {
  summary: SourceSummary;
  request: CompositionRequest;
  render: RenderSpec;
  midi: Buffer;
}

const key = (resultId: string) => `tunesmith:result:${resultId}`;
const bundleKey = (resultId: string) => `tunesmith:bundle:${resultId}`;

/** A zip made for a piece (its stems): the file, its name, and what the message says about it. */
export const BundleInfoSchema = z.object({
  fileName: z.string(),
  title: z.string(),
  text: z.string(),
  durationSec: z.number(),
  /** What it is, for the message when it is too large: "The stems of “…”", "The streamer kit “…”". */
  what: z.string().default(''),
  /** What to do instead when it is too large. */
  instead: z.string().default(''),
});
export type BundleInfoInput = z.input<typeof BundleInfoSchema>;
export type BundleInfo = z.infer<typeof BundleInfoSchema>;
export interface StoredBundle {
  info: BundleInfoInput;
  zip: Buffer;
}
const sourceKey = (resultId: string) => `tunesmith:source:${resultId}`;

function parseSource(summary: Buffer, asked: Buffer, midi: Buffer): PieceSource {
  const { request, render } = JSON.parse(asked.toString('utf8'));
  return {
    summary: SourceSummarySchema.parse(JSON.parse(summary.toString('utf8'))),
    request: CompositionRequestSchema.parse(request),
    render: RenderSpecSchema.parse(render),
    midi,
  };
}

export class ResultStore {
  readonly audioCache: AudioCache;
  private readonly renderAudio: RenderStoredAudio;
  /** Pieces whose audio had to be rendered again (a cache miss, or WAV). */
  rerendered = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSec: number,
    opts: ResultStoreOptions = {},
  ) {
    this.audioCache = new AudioCache(redis, opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.renderAudio = opts.renderAudio ?? renderStoredAudio;
  }

  async has(resultId: string): Promise<boolean> {
    return (await this.redis.exists(key(resultId))) === 1;
  }

  async put(resultId: string, piece: StoredPiece): Promise<void> {
    await this.redis
      .multi()
      .hset(key(resultId), { summary: JSON.stringify(piece.summary), request: JSON.stringify({ request: piece.request, render: piece.render }), midi: piece.midi, png: piece.png })
      .expire(key(resultId), this.ttlSec)
      .exec();
    // WAV (about 10 MB a minute) is never kept: it is quick to render again from the MIDI.
    if (piece.summary.format !== 'wav') await this.audioCache.put(resultId, piece.audio);
  }

  async get(resultId: string): Promise<StoredPiece | null> {
    // `audio` in the hash: a result stored before the audio cache existed.
    const [summary, asked, midi, png, legacyAudio] = await this.redis.hmgetBuffer(key(resultId), 'summary', 'request', 'midi', 'png', 'audio');
    if (!summary || !asked || !midi || !png) return null;
    const { request, render } = JSON.parse(asked.toString('utf8'));
    // A cache hit extends the life of a popular piece.
    await this.redis.expire(key(resultId), this.ttlSec);
    const piece = {
      summary: PieceSummarySchema.parse(JSON.parse(summary.toString('utf8'))),
      request: CompositionRequestSchema.parse(request),
      render: RenderSpecSchema.parse(render),
      midi,
      png,
    };
    const audio = legacyAudio ?? (await this.audioCache.get(resultId)) ?? (await this.rerender(resultId, piece));
    return { ...piece, audio };
  }

  private async rerender(resultId: string, piece: Omit<StoredPiece, 'audio'>): Promise<Buffer> {
    this.rerendered++;
    const audio = await this.renderAudio({ summary: SourceSummarySchema.parse(piece.summary), request: piece.request, render: piece.render, midi: piece.midi });
    if (piece.summary.format !== 'wav') await this.audioCache.put(resultId, audio);
    return audio;
  }

  /** A piece's source: from the stored result, else from one rebuilt earlier; null when neither is kept. */
  async getSource(resultId: string): Promise<PieceSource | null> {
    const [summary, asked, midi] = await this.redis.hmgetBuffer(key(resultId), 'summary', 'request', 'midi');
    if (summary && asked && midi) {
      // Someone is building on this piece: keep it a while longer.
      await this.redis.expire(key(resultId), this.ttlSec);
      return parseSource(summary, asked, midi);
    }
    const [s, a, m] = await this.redis.hmgetBuffer(sourceKey(resultId), 'summary', 'request', 'midi');
    if (!s || !a || !m) return null;
    await this.redis.expire(sourceKey(resultId), this.ttlSec);
    return parseSource(s, a, m);
  }

  async putBundle(resultId: string, bundle: StoredBundle): Promise<void> {
    await this.redis.multi().hset(bundleKey(resultId), { info: JSON.stringify(BundleInfoSchema.parse(bundle.info)), zip: bundle.zip }).expire(bundleKey(resultId), this.ttlSec).exec();
  }

  async getBundle(resultId: string): Promise<StoredBundle | null> {
    const [info, zip] = await this.redis.hmgetBuffer(bundleKey(resultId), 'info', 'zip');
    if (!info || !zip) return null;
    return { info: BundleInfoSchema.parse(JSON.parse(info.toString('utf8'))), zip };
  }

  /** Keep a source rebuilt from a posted MIDI file (the result itself had expired). */
  async putSource(resultId: string, source: PieceSource): Promise<void> {
    await this.redis
      .multi()
      .hset(sourceKey(resultId), {
        summary: JSON.stringify(SourceSummarySchema.parse(source.summary)),
        request: JSON.stringify({ request: source.request, render: source.render }),
        midi: source.midi,
      })
      .expire(sourceKey(resultId), this.ttlSec)
      .exec();
  }
}

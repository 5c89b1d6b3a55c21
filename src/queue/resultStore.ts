/**
 * Finished pieces in Redis, addressed by their result id, with a TTL. Workers on any machine
 * write here; whoever delivers reads here; an identical request is served from here (the cache).
 */
import type { Redis } from 'ioredis';
import { CompositionRequestSchema, type CompositionRequest } from '../core/request.ts';
import { PieceSummarySchema, RenderSpecSchema, type PieceSummary, type RenderSpec } from './jobs.ts';

export interface StoredPiece {
  summary: PieceSummary;
  /** What was asked for, so buttons (variation, extend, re-render) can build on it. */
  request: CompositionRequest;
  render: RenderSpec;
  audio: Buffer;
  midi: Buffer;
  png: Buffer;
}

const key = (resultId: string) => `tunesmith:result:${resultId}`;

export class ResultStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSec: number,
  ) {}

  async has(resultId: string): Promise<boolean> {
    return (await this.redis.exists(key(resultId))) === 1;
  }

  async put(resultId: string, piece: StoredPiece): Promise<void> {
    await this.redis
      .multi()
      .hset(key(resultId), { summary: JSON.stringify(piece.summary), request: JSON.stringify({ request: piece.request, render: piece.render }), audio: piece.audio, midi: piece.midi, png: piece.png })
      .expire(key(resultId), this.ttlSec)
      .exec();
  }

  async get(resultId: string): Promise<StoredPiece | null> {
    const [summary, asked, audio, midi, png] = await this.redis.hmgetBuffer(key(resultId), 'summary', 'request', 'audio', 'midi', 'png');
    if (!summary || !asked || !audio || !midi || !png) return null;
    const { request, render } = JSON.parse(asked.toString('utf8'));
    // A cache hit extends the life of a popular piece.
    await this.redis.expire(key(resultId), this.ttlSec);
    return {
      summary: PieceSummarySchema.parse(JSON.parse(summary.toString('utf8'))),
      request: CompositionRequestSchema.parse(request),
      render: RenderSpecSchema.parse(render),
      audio,
      midi,
      png,
    };
  }
}

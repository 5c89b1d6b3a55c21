/**
 * Finished pieces in Redis, addressed by their result id, with a TTL. Workers on any machine
 * write here; whoever delivers reads here; an identical request is served from here (the cache).
 */
import type { Redis } from 'ioredis';
import { PieceSummarySchema, type PieceSummary } from './jobs.ts';

export interface StoredPiece {
  summary: PieceSummary;
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
      .hset(key(resultId), { summary: JSON.stringify(piece.summary), audio: piece.audio, midi: piece.midi, png: piece.png })
      .expire(key(resultId), this.ttlSec)
      .exec();
  }

  async get(resultId: string): Promise<StoredPiece | null> {
    const [summary, audio, midi, png] = await this.redis.hmgetBuffer(key(resultId), 'summary', 'audio', 'midi', 'png');
    if (!summary || !audio || !midi || !png) return null;
    // A cache hit extends the life of a popular piece.
    await this.redis.expire(key(resultId), this.ttlSec);
    return { summary: PieceSummarySchema.parse(JSON.parse(summary.toString('utf8'))), audio, midi, png };
  }
}

/**
 * The audio of finished pieces, kept in Redis as a cache with a byte budget (RESULT_CACHE_MB) and
 * least-recently-used eviction done here, not by Redis's maxmemory policy (which must stay
 * `noeviction` so that queued jobs are never dropped). A piece's MIDI and request are kept
 * elsewhere (resultStore.ts) and are the truth: audio missing here is rendered again from them.
 *
 * Layout: one string per piece plus an index (sorted set: last use in ms), the sizes (hash) and
 * the total (counter). Every key carries the hash tag {audio}, so the store-and-evict script
 * touches one Redis Cluster slot. Storing and evicting is one script, so concurrent writers on
 * many machines can't overshoot the budget or leave the total wrong.
 */
import type { RedisClient } from './redisConnection.ts';

const PREFIX = 'tunesmith:{audio}:';
const LRU = `${PREFIX}lru`;
const SIZES = `${PREFIX}sizes`;
const TOTAL = `${PREFIX}bytes`;
const blobKey = (id: string) => `${PREFIX}file:${id}`;

/**
 * KEYS: lru, sizes, total, blob. ARGV: id, bytes, budget, now, blob prefix.
 * Stores the blob (unless larger than the whole budget), then drops the least recently used
 * others until the total fits. Returns the number of files dropped (-1: not stored, too large).
 */
const PUT = `
local id, data, budget, now, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local size = string.len(data)
local old = redis.call('HGET', KEYS[2], id)
if old then redis.call('DECRBY', KEYS[3], old) end
if size > budget then
  redis.call('DEL', KEYS[4]); redis.call('ZREM', KEYS[1], id); redis.call('HDEL', KEYS[2], id)
  return -1
end
redis.call('SET', KEYS[4], data)
redis.call('ZADD', KEYS[1], now, id)
redis.call('HSET', KEYS[2], id, size)
local total = redis.call('INCRBY', KEYS[3], size)
local dropped = 0
while total > budget do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not oldest or oldest == id then break end
  local bytes = tonumber(redis.call('HGET', KEYS[2], oldest) or '0')
  redis.call('DEL', prefix .. oldest)
  redis.call('ZREM', KEYS[1], oldest)
  redis.call('HDEL', KEYS[2], oldest)
  total = redis.call('DECRBY', KEYS[3], bytes)
  dropped = dropped + 1
end
return dropped
`;

export interface AudioCacheStats {
  files: number;
  bytes: number;
  budgetBytes: number;
}

export class AudioCache {
  constructor(
    private readonly redis: RedisClient,
    readonly budgetBytes: number,
  ) {}

  /** Keep a piece's audio; returns how many older files were dropped to make room (-1: too large to keep). */
  async put(id: string, audio: Buffer): Promise<number> {
    return Number(await this.redis.eval(PUT, 4, LRU, SIZES, TOTAL, blobKey(id), id, audio, this.budgetBytes, Date.now(), `${PREFIX}file:`));
  }

  /** The audio, marked as just used; null when it was never kept or has been dropped. */
  async get(id: string): Promise<Buffer | null> {
    const audio = await this.redis.getBuffer(blobKey(id));
    // Only a file still indexed is touched (XX): one dropped meanwhile stays dropped.
    if (audio) await this.redis.zadd(LRU, 'XX', Date.now(), id);
    return audio;
  }

  async stats(): Promise<AudioCacheStats> {
    const [files, bytes] = await Promise.all([this.redis.zcard(LRU), this.redis.get(TOTAL)]);
    return { files, bytes: Number(bytes ?? 0), budgetBytes: this.budgetBytes };
  }
}

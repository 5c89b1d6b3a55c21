/**
 * How gateway shards are spread over processes (pure). Discord routes a guild to shard
 * (guild_id >> 22) % shard_count; the shard manager (shardManager.ts) starts one process per
 * group of SHARDS_PER_PROCESS consecutive shard ids.
 */

/** Discord's own advice: about 1,000 guilds per shard (required from 2,500). */
export const GUILDS_PER_SHARD = 1000;

/** Consecutive shard ids, `perProcess` to a process: plan(5, 2) = [[0,1],[2,3],[4]]. */
export function planShardProcesses(total: number, perProcess: number): number[][] {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`shard count must be a whole number ≥ 1, not ${total}`);
  if (!Number.isInteger(perProcess) || perProcess < 1) throw new RangeError(`shards per process must be a whole number ≥ 1, not ${perProcess}`);
  const groups: number[][] = [];
  for (let first = 0; first < total; first += perProcess) groups.push(Array.from({ length: Math.min(perProcess, total - first) }, (_, i) => first + i));
  return groups;
}

/** The shard that receives a guild's events. */
export function shardOf(guildId: string, total: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(total));
}

/**
 * Milliseconds between starting two shard processes: Discord allows `maxConcurrency` IDENTIFYs
 * per 5 s (plus a margin, as discord.js's own ShardingManager waits 5.5 s).
 */
export function spawnDelayMs(maxConcurrency: number): number {
  return Math.ceil(5500 / Math.max(1, maxConcurrency));
}

import { randomBytes } from 'node:crypto';

// Real-looking snowflakes (timestamp << 22 | increment) so discord.js derives sane
// createdTimestamps and ids sort by creation time, like Discord's.
const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

export function snowflake(): string {
  return snowflakeAt(Date.now());
}

/**
 * A snowflake made at `ms` (epoch ms). A guild's shard is (id >> 22) % count, i.e. its creation
 * time in ms since Discord's epoch modulo the count: ids one ms apart fall on consecutive shards.
 */
export function snowflakeAt(ms: number): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(ms) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** A random token-like string (interaction tokens, voice tokens, session ids). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

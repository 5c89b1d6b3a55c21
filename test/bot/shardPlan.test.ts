import { describe, expect, it } from 'vitest';
import { planShardProcesses, shardOf, spawnDelayMs } from '../../src/bot/shardPlan.ts';
import { ShardConfigSchema } from '../../src/bot/config.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';

describe('planShardProcesses', () => {
  it('groups consecutive shard ids, the last group smaller', () => {
    expect(planShardProcesses(4, 1)).toEqual([[0], [1], [2], [3]]);
    expect(planShardProcesses(5, 2)).toEqual([[0, 1], [2, 3], [4]]);
    expect(planShardProcesses(3, 8)).toEqual([[0, 1, 2]]);
  });
  it('refuses counts that are not whole numbers ≥ 1', () => {
    expect(() => planShardProcesses(0, 1)).toThrow(/≥ 1, not 0/);
    expect(() => planShardProcesses(2, 1.5)).toThrow(/not 1.5/);
  });
});

describe('shardOf and spawnDelayMs', () => {
  it('routes a guild as Discord does: (id >> 22) % count', () => {
    expect(shardOf(String((1000n << 22n) | 5n), 4)).toBe(0);
    expect(shardOf(String((1003n << 22n) | 5n), 4)).toBe(3);
  });
  it('spaces IDENTIFYs by max_concurrency per 5.5 s', () => {
    expect(spawnDelayMs(1)).toBe(5500);
    expect(spawnDelayMs(16)).toBe(344);
  });
});

describe('ShardConfigSchema', () => {
  const base = { DISCORD_TOKEN: 'x'.repeat(60), DISCORD_APPLICATION_ID: '123456789012345678' };
  it('reads auto or a number, and names a bad value', () => {
    expect(parseConfig(ShardConfigSchema, base).SHARD_COUNT).toBe('auto');
    expect(parseConfig(ShardConfigSchema, { ...base, SHARD_COUNT: '4', SHARDS_PER_PROCESS: '2' })).toMatchObject({ SHARD_COUNT: 4, SHARDS_PER_PROCESS: 2 });
    expect(() => parseConfig(ShardConfigSchema, { ...base, SHARD_COUNT: 'many' })).toThrow(ConfigError);
    expect(() => parseConfig(ShardConfigSchema, { ...base, SHARD_COUNT: 'many' })).toThrow(/SHARD_COUNT: must be auto or a whole number from 1 to 4096/);
  });
});

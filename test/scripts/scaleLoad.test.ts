/** bench:scale's request mix (scripts/scale/load.ts) and its capacity arithmetic (scripts/scale/capacity.ts). */
import { describe, expect, it } from 'vitest';
import { capacityRows, type Measured } from '../../scripts/scale/capacity.ts';
import { LENGTH_MIX, percentile, planLoad } from '../../scripts/scale/load.ts';

describe('planLoad', () => {
  const plan = planLoad({ requests: 600, durationMs: 600_000, guilds: 1000, repeatShare: 0.1, bursts: 4, burstSize: 15, burstSpreadMs: 5000, seed: 16 });

  it('makes the requests in time order, within the run, with about 10 % exact repeats and the bursts', () => {
    expect(plan.requests).toHaveLength(600);
    expect(plan.requests.every((r, i) => i === 0 || r.atMs >= plan.requests[i - 1]!.atMs)).toBe(true);
    expect(plan.requests.at(-1)!.atMs).toBeLessThanOrEqual(600_000 + 5000);
    const repeats = plan.requests.filter((r) => r.repeatOf !== null);
    expect(repeats.length / 600).toBeGreaterThan(0.06);
    expect(repeats.length / 600).toBeLessThan(0.14);
    for (const r of repeats) expect(r.options).toEqual(plan.requests[r.repeatOf!]!.options);
    expect(plan.requests.filter((r) => r.inBurst)).toHaveLength(60);
  });

  it('follows the length mix and is the same for the same seed', () => {
    const shares = LENGTH_MIX.map((l) => plan.requests.filter((r) => r.repeatOf === null && r.options.duration === String(l.seconds)).length / plan.requests.filter((r) => r.repeatOf === null).length);
    LENGTH_MIX.forEach((l, i) => expect(Math.abs(shares[i]! - l.share)).toBeLessThan(0.06));
    expect(planLoad({ requests: 600, durationMs: 600_000, guilds: 1000, repeatShare: 0.1, bursts: 4, burstSize: 15, burstSpreadMs: 5000, seed: 16 })).toEqual(plan);
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('capacityRows', () => {
  it('scales worker cores and Redis load linearly with servers, from the measured costs', () => {
    const m: Measured = { requests: 100, accepted: 100, composed: 90, workerCpu: 180, botCpu: 10, redisCpu: 1, redisBefore: { commands: 0, usedMemory: 0 }, redisAfter: { commands: 20_000, usedMemory: 60 * 2 ** 20 }, restCalls: 500, uploadBytes: 100 * 2 ** 20, once: 100, audioCache: { files: 50, bytes: 50 * 2 ** 20 }, wallSec: 600 };
    const [k1, k10] = capacityRows(m);
    // 1,000 servers × 5 a day = 5,000/day; peak 3 × 5000/86400 = 0.174/s; 0.9 jobs per request × 2 s / 0.7.
    expect(k1!.peakPerSec).toBeCloseTo(0.1736, 3);
    expect(k1!.workerCores).toBeCloseTo((0.1736 * 0.9 * 2) / 0.7, 2);
    expect(k10!.workerCores / k1!.workerCores).toBeCloseTo(10, 6);
    expect(k1!.redisOpsPerSec).toBeCloseTo(0.1736 * 200, 1);
    expect(k1!.shards).toBe(1);
    expect(k10!.shards).toBe(10);
  });
});

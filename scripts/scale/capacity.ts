/**
 * `npx tsx scripts/scale/capacity.ts result.json`: docs/capacity.md's table from a bench:scale
 * run's figures (BENCH_SCALE_JSON) and the stated assumptions below. The arithmetic is here, not
 * in anyone's head, so the table can be made again from a new run.
 */
import { readFileSync } from 'node:fs';

export interface Measured {
  requests: number;
  accepted: number;
  composed: number;
  workerCpu: number;
  botCpu: number;
  redisCpu: number;
  redisBefore: { commands: number; usedMemory: number };
  redisAfter: { commands: number; usedMemory: number };
  restCalls: number;
  /** Calls under Discord's global limit (absent in runs before it was counted). */
  restGlobal?: number;
  uploadBytes: number;
  once: number;
  audioCache: { files: number; bytes: number };
  wallSec: number;
}

export const ASSUMPTIONS = {
  requestsPerGuildPerDay: 5,
  /** Exact repeats, served from the stored results without a job (bench:scale asks for 10 %). */
  repeatShare: 0.1,
  /** The busiest hour carries this many times the average hour's requests. */
  peakFactor: 3,
  /** Target worker utilisation at the peak (headroom for bursts). */
  utilisation: 0.7,
  /** Hours of results whose audio the cache should hold (RESULT_CACHE_MB). */
  cacheHours: 1,
  /** Results' truth (request, MIDI, picture) is kept this long (RESULT_TTL_SEC). */
  ttlHours: 24,
  guilds: [1_000, 10_000, 100_000],
};

export function capacityRows(m: Measured, a = ASSUMPTIONS) {
  const cpuPerJob = m.workerCpu / Math.max(1, m.composed);
  // Not the run's compositions / requests: a run that ends with a backlog composed fewer than it accepted.
  const jobsPerRequest = 1 - a.repeatShare;
  const botCpuPerRequest = m.botCpu / m.requests;
  const commandsPerRequest = (m.redisAfter.commands - m.redisBefore.commands) / m.requests;
  const audioPerResult = m.audioCache.bytes / Math.max(1, m.audioCache.files);
  const truthPerResult = Math.max(0, m.redisAfter.usedMemory - m.redisBefore.usedMemory - m.audioCache.bytes) / Math.max(1, m.accepted);
  const uploadPerResult = m.uploadBytes / Math.max(1, m.once);
  const restPerRequest = m.restCalls / m.requests;
  const restGlobalPerRequest = m.restGlobal === undefined ? null : m.restGlobal / m.requests;
  return a.guilds.map((guilds) => {
    const perDay = guilds * a.requestsPerGuildPerDay;
    const peakPerSec = (perDay / 86_400) * a.peakFactor;
    const workerCores = (peakPerSec * jobsPerRequest * cpuPerJob) / a.utilisation;
    const cacheBytes = peakPerSec * 3600 * a.cacheHours * audioPerResult;
    const truthBytes = (perDay * a.ttlHours) / 24 * truthPerResult;
    return {
      guilds,
      perDay,
      peakPerSec,
      shards: Math.ceil(guilds / 1000),
      workerCores,
      botCores: (peakPerSec * botCpuPerRequest) / a.utilisation,
      redisMemoryMiB: (cacheBytes + truthBytes) / 2 ** 20,
      cacheMiB: cacheBytes / 2 ** 20,
      truthMiB: truthBytes / 2 ** 20,
      redisOpsPerSec: peakPerSec * commandsPerRequest,
      restPerSec: peakPerSec * restPerRequest,
      restGlobalPerSec: restGlobalPerRequest === null ? null : peakPerSec * restGlobalPerRequest,
      uploadMbitPerSec: (peakPerSec * uploadPerResult * 8) / 1e6,
    };
  });
}

if (process.argv[2]) {
  const m = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Measured;
  const cpuPerJob = m.workerCpu / Math.max(1, m.composed);
  console.log(`CPU per job ${cpuPerJob.toFixed(2)} s; jobs per request ${1 - ASSUMPTIONS.repeatShare} (assumed); bot CPU per request ${(m.botCpu / m.requests).toFixed(3)} s; Redis commands per request ${Math.round((m.redisAfter.commands - m.redisBefore.commands) / m.requests)}; audio per cached result ${(m.audioCache.bytes / Math.max(1, m.audioCache.files) / 1024).toFixed(0)} KiB; truth per result ${((m.redisAfter.usedMemory - m.redisBefore.usedMemory - m.audioCache.bytes) / Math.max(1, m.accepted) / 1024).toFixed(1)} KiB; upload per result ${(m.uploadBytes / Math.max(1, m.once) / 1024).toFixed(0)} KiB; REST calls per request ${(m.restCalls / m.requests).toFixed(1)}`);
  console.log('\n| servers | requests/day (peak /s) | shards | worker cores | bot cores | Redis memory (audio cache + results) | Redis commands/s | Discord REST calls/s | upload |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of capacityRows(m)) {
    console.log(`| ${r.guilds.toLocaleString('en')} | ${r.perDay.toLocaleString('en')} (${r.peakPerSec.toFixed(2)}) | ${r.shards} | ${Math.max(1, Math.ceil(r.workerCores))} (${r.workerCores.toFixed(1)}) | ${r.botCores.toFixed(2)} | ${Math.ceil(r.redisMemoryMiB)} MiB (${Math.ceil(r.cacheMiB)} + ${Math.ceil(r.truthMiB)}) | ${Math.round(r.redisOpsPerSec)} | ${r.restPerSec.toFixed(1)}${r.restGlobalPerSec === null ? '' : ` (${r.restGlobalPerSec.toFixed(2)} global)`} | ${r.uploadMbitPerSec.toFixed(1)} Mbit/s |`);
  }
}

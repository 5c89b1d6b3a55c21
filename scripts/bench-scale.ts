/**
 * `npm run bench:scale`: the whole system under a day's worth of traffic in ten minutes, on this
 * machine. The shard manager runs the bot as 4 shard processes over the fake Discord, which serves
 * 1,000 guilds; 2 worker processes compose; a real redis-server (AOF, fsync always) holds the
 * queue. 600 /compose requests arrive over 10 minutes (scripts/scale/load.ts: a mix of lengths,
 * 10 % exact repeats, a few bursts). Halfway through, one worker and one shard process are
 * kill -9ed (the worker is started again 5 s later, as systemd's Restart= would; the shard
 * manager restarts the shard itself).
 *
 * Reports: accepted / delivered once / lost / duplicated; latency from the interaction to the final
 * post, p50/p95/p99 per length; queue depth over time; CPU per job (worker process trees), CPU per
 * request of the bot and of Redis, Redis memory and commands per request, REST calls and upload
 * bytes per request: the inputs of docs/capacity.md.
 *
 * BENCH_SCALE_REQUESTS, BENCH_SCALE_MINUTES, BENCH_SCALE_GUILDS, BENCH_SCALE_SHARDS,
 * BENCH_SCALE_WORKERS, BENCH_SCALE_DRAIN_SEC (wait for the last results), BENCH_SCALE_JSON (a file
 * for the raw figures) change the run; BENCH_SCALE_SEED repeats a request mix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { deployCommands } from './deploy-commands.ts';
import { freePort, startEmbeddedRedis } from '../src/queue/embeddedRedis.ts';
import { INTENTS_KEY } from '../src/queue/intents.ts';
import { composeJobIdFor, QUEUE_NAMES, QUEUE_PREFIX } from '../src/queue/jobs.ts';
import { createRedis } from '../src/queue/redisConnection.ts';
import { FakeDiscord, snowflakeAt, type InteractionRecord } from '../test/support/fake-discord.ts';
import { waitFor } from '../test/support/wait.ts';
import { WorkerProcess } from '../test/support/workerProcess.ts';
import { CpuMeter } from './scale/cpu.ts';
import { LENGTH_MIX, percentile, planLoad, type PlannedRequest } from './scale/load.ts';

const num = (name: string, def: number) => Number(process.env[name] ?? def);
const REQUESTS = num('BENCH_SCALE_REQUESTS', 600);
const MINUTES = num('BENCH_SCALE_MINUTES', 10);
const GUILDS = num('BENCH_SCALE_GUILDS', 1000);
const SHARDS = num('BENCH_SCALE_SHARDS', 4);
const WORKERS = num('BENCH_SCALE_WORKERS', 2);
const DRAIN_SEC = num('BENCH_SCALE_DRAIN_SEC', 1800);
const SEED = num('BENCH_SCALE_SEED', 16);
const RUN_MS = MINUTES * 60_000;
const SAMPLE_MS = 5000;

const log = (...a: unknown[]) => console.error(`[bench:scale ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');

const plan = planLoad({ requests: REQUESTS, durationMs: RUN_MS, guilds: GUILDS, repeatShare: 0.1, bursts: 4, burstSize: Math.round(REQUESTS / 40), burstSpreadMs: 5000, seed: SEED });

const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-scale-'));
const discord = await FakeDiscord.start();
discord.gatewayAdvice = { shards: SHARDS, maxConcurrency: 16 };
let manager: ChildProcess | undefined;
let managerExit: Promise<void> = Promise.resolve();
const workers: WorkerProcess[] = [];
const redisServer = await startEmbeddedRedis({ dataDir: path.join(dir, 'redis') });
const monitor = createRedis(redisServer.url);
const queue = new Queue(QUEUE_NAMES.compose, { connection: monitor, prefix: QUEUE_PREFIX });
const managerOutput: string[] = [];

async function cleanup(): Promise<void> {
  manager?.kill('SIGTERM');
  await Promise.race([managerExit, sleep(40_000)]);
  manager?.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.stop()));
  await queue.close().catch(() => {});
  monitor.disconnect();
  await discord.stop();
  await redisServer.stop();
  await rm(dir, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  // 1,000 guilds, each on shard (created ms) % SHARDS: an even spread, as Discord's ids give.
  const base = Date.now() - 3_600_000;
  const guilds = Array.from({ length: GUILDS }, (_, i) => discord.seedGuild(`guild ${i}`, snowflakeAt(base + i)));
  const healthPort = await freePort();
  const env: Record<string, string> = {
    ...discord.env(),
    REDIS_URL: redisServer.url,
    SHARD_COUNT: 'auto',
    SHARDS_PER_PROCESS: '1',
    METRICS_PORT: String(healthPort),
    BOT_WORKERS: '0',
    DEFAULT_COOLDOWN_SEC: '0',
    MAX_QUEUE_LENGTH: '5000',
    USER_MAX_ACTIVE_JOBS: '20',
    GUILD_MAX_ACTIVE_JOBS: '50',
    USER_REQUESTS_PER_MINUTE: '60',
    JOB_LOCK_MS: '10000',
    JOB_STALLED_CHECK_MS: '5000',
    LOG_LEVEL: 'warn',
  };
  await deployCommands(env);
  log(`${GUILDS} guilds, ${SHARDS} shards, ${WORKERS} workers; starting the shard manager`);
  manager = spawn(process.execPath, ['--import', 'tsx', 'src/bot/shards.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  managerExit = new Promise((r) => manager!.once('exit', () => r()));
  for (const s of [manager.stdout!, manager.stderr!]) s.on('data', (d: Buffer) => managerOutput.push(...d.toString().split('\n').filter(Boolean).slice(-50)));
  type Health = { processes: { shards: number[]; pid: number; restarts: number }[] };
  const health = async (): Promise<{ code: number; body: Health }> => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    return { code: res.status, body: (await res.json()) as Health };
  };
  const ready = await waitFor(async () => {
    const h = await health().catch(() => null);
    return h?.code === 200 ? h.body : null;
  }, { timeout: 300_000, interval: 1000, message: () => `the shards to be ready (${managerOutput.slice(-3).join(' | ')})` });
  const workerEnv = { REDIS_URL: redisServer.url, TUNESMITH_RENDER_PARALLEL: '0', JOB_LOCK_MS: '10000', JOB_STALLED_CHECK_MS: '5000' };
  for (let i = 0; i < WORKERS; i++) workers.push(new WorkerProcess(workerEnv));
  await Promise.all(workers.map((w) => w.ready()));
  log(`ready: shard pids ${ready.processes.map((p) => p.pid).join(', ')}; workers ${workers.map((w) => w.pid).join(', ')}`);

  const redisPid = Number(/process_id:(\d+)/.exec(await monitor.info('server'))![1]);
  const statsOf = async () => {
    const [stats, memory] = await Promise.all([monitor.info('stats'), monitor.info('memory')]);
    return { commands: Number(/total_commands_processed:(\d+)/.exec(stats)![1]), usedMemory: Number(/used_memory:(\d+)/.exec(memory)![1]) };
  };
  const redisBefore = await statsOf();
  const meter = new CpuMeter();
  const sampleCpu = () => {
    for (const w of workers) meter.sample('workers', w.pid);
    meter.sample('bot', manager!.pid!);
    meter.sample('redis', redisPid);
  };
  sampleCpu();

  const depth: { atSec: number; waiting: number; active: number }[] = [];
  let peakMemory = redisBefore.usedMemory;
  const start = Date.now();
  const sampler = setInterval(() => {
    sampleCpu();
    void queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed').then((c) => depth.push({ atSec: Math.round((Date.now() - start) / 1000), waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0 }));
    void statsOf().then((s) => (peakMemory = Math.max(peakMemory, s.usedMemory)));
  }, SAMPLE_MS);

  // Faults halfway: kill -9 of a worker (restarted 5 s later) and, 20 s on, of one shard process.
  const faults: string[] = [];
  const faultTimers = [
    setTimeout(() => {
      const victim = workers[0]!;
      meter.sample('workers', victim.pid);
      faults.push(`${Math.round((Date.now() - start) / 1000)} s: kill -9 worker ${victim.pid}`);
      void victim.stop().then(async () => {
        await sleep(5000);
        const replacement = new WorkerProcess(workerEnv);
        workers.push(replacement);
        await replacement.ready();
        meter.sample('workers', replacement.pid);
        faults.push(`${Math.round((Date.now() - start) / 1000)} s: replacement worker ${replacement.pid} ready`);
      });
    }, RUN_MS / 2),
    setTimeout(() => {
      void health().then(({ body }) => {
        const victim = body.processes[Math.min(2, body.processes.length - 1)]!;
        meter.sample('bot', manager!.pid!);
        process.kill(victim.pid, 'SIGKILL');
        faults.push(`${Math.round((Date.now() - start) / 1000)} s: kill -9 shard process ${victim.pid} (shards ${victim.shards.join(',')})`);
      });
    }, RUN_MS / 2 + 20_000),
  ];

  const sent: { req: PlannedRequest; it: InteractionRecord | null; error?: string }[] = [];
  for (const req of plan.requests) {
    const wait = start + req.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    const g = guilds[req.guild]!;
    const entry: (typeof sent)[number] = { req, it: null };
    sent.push(entry);
    discord.invoke('compose', req.options, { user: req.member ? g.bob : g.alice, channel: g.text }).then(
      (it) => void (entry.it = it),
      (e: Error) => void (entry.error = e.message),
    );
    if (req.index % 50 === 49) log(`${req.index + 1}/${REQUESTS} sent; queue ${JSON.stringify(depth.at(-1) ?? {})}`);
  }
  log('all sent; waiting for the results');

  /**
   * Each request's final posts: the edits of its interaction's reply that carry files, or, for a
   * result whose token expired (15 min), a post with files in its channel (each channel is one
   * guild's), matched to that channel's waiting requests in order. One pass over the calls.
   */
  const finalPosts = () => {
    type Call = (typeof discord.rest.calls)[number];
    const byToken = new Map<string, Call[]>();
    const channelPosts: Call[] = [];
    for (const c of discord.rest.calls) {
      if (c.files.length === 0 || c.status >= 300) continue;
      const token = c.method === 'PATCH' ? /^\/webhooks\/\d+\/([^/]+)\/messages\//.exec(c.path)?.[1] : undefined;
      if (token) byToken.set(token, [...(byToken.get(token) ?? []), c]);
      else if (c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path)) channelPosts.push(c);
    }
    const byRequest = new Map<number, Call[]>();
    const used = new Set<Call>();
    for (const s of sent) {
      if (!s.it) continue;
      const direct = byToken.get(s.it.token);
      if (direct) {
        byRequest.set(s.req.index, direct);
        continue;
      }
      const channel = guilds[s.req.guild]!.text.id;
      const post = channelPosts.find((p) => !used.has(p) && p.path.includes(channel) && p.at > s.it!.sentAt);
      if (post) {
        used.add(post);
        byRequest.set(s.req.index, [post]);
      }
    }
    return byRequest;
  };
  const accepted = () => sent.filter((s) => s.it?.callback?.type === 5);
  const drainUntil = Date.now() + DRAIN_SEC * 1000;
  const deliverQueue = new Queue(QUEUE_NAMES.deliver, { connection: monitor, prefix: QUEUE_PREFIX });
  let idleSince = Date.now();
  while (Date.now() < drainUntil) {
    const posts = finalPosts();
    const open = accepted().filter((s) => !posts.has(s.req.index)).length;
    if (open === 0) break;
    // Nothing queued, running or delivering, and no request left for a shard's sweep, for a minute:
    // what is still open will not come (it is counted as lost below).
    const pending = [queue, deliverQueue].map((q) => q.getJobCounts('waiting', 'prioritized', 'active', 'delayed').then((c) => Object.values(c).reduce((a, b) => a + b, 0)));
    const busy = (await Promise.all(pending)).reduce((a, b) => a + b, 0) + (await monitor.hlen(INTENTS_KEY));
    if (busy > 0) idleSince = Date.now();
    else if (Date.now() - idleSince > 60_000) {
      log(`${open} accepted requests without a result, and nothing has been queued, running or delivering for 60 s: stopping the drain`);
      break;
    }
    await sleep(5000);
    log(`${open} accepted requests still waiting for their result`);
  }
  await deliverQueue.close();
  await sleep(15_000); // a late duplicate (a job retaken after the kill) would arrive within a lock period
  clearInterval(sampler);
  faultTimers.forEach(clearTimeout);
  sampleCpu();
  const redisAfter = await statsOf();
  const audioCache = { files: await monitor.zcard('tunesmith:{audio}:lru'), bytes: Number((await monitor.get('tunesmith:{audio}:bytes')) ?? 0) };
  const finishedAt = Date.now();

  // ---- figures ----
  const acc = accepted();
  const notAccepted = sent.filter((s) => s.it?.callback?.type !== 5);
  const refused = notAccepted.filter((s) => s.it?.callback);
  const posts = finalPosts();
  const delivered = acc.map((s) => ({ s, uploads: posts.get(s.req.index) ?? [] }));
  const once = delivered.filter((d) => d.uploads.length === 1).length;
  // Not posted yet: still in the queue when the drain window closed (slow, not lost), or gone (lost).
  const undelivered = delivered.filter((d) => d.uploads.length === 0);
  const queuedStates = await Promise.all(undelivered.map(async (d) => (await queue.getJob(composeJobIdFor(d.s.it!.id)))?.getState() ?? 'missing'));
  const stillQueued = undelivered.filter((_, i) => ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children'].includes(String(queuedStates[i])));
  const lost = undelivered.filter((d) => !stillQueued.includes(d));
  const duplicated = delivered.filter((d) => d.uploads.length > 1).length;
  const channelPosts = discord.rest.calls.filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path) && c.files.length > 0).length;
  const composed = workers.reduce((n, w) => n + w.composedCount, 0);
  const workerCpu = meter.seconds('workers');
  const botCpu = meter.seconds('bot');
  const redisCpu = meter.seconds('redis');
  const uploadBytes = delivered.flatMap((d) => d.uploads.slice(0, 1)).reduce((n, c) => n + c.files.reduce((m, f) => m + f.data.length, 0), 0);
  const restCalls = discord.rest.calls.length;
  // Interaction callbacks and webhook edits are exempt from Discord's global limit (50/s per bot); the rest count.
  const restGlobal = discord.rest.calls.filter((c) => !c.path.startsWith('/webhooks/') && !c.path.startsWith('/interactions/')).length;
  const latency = (rows: typeof delivered) => rows.filter((d) => d.uploads.length).map((d) => d.uploads[0]!.at - d.s.it!.sentAt);
  const fmt = (ms: number) => (Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(1)} s`);
  const wallSec = (finishedAt - start) / 1000;

  const out: string[] = [];
  out.push(`## bench:scale — ${REQUESTS} /compose over ${MINUTES} min, ${GUILDS} guilds, ${SHARDS} shards, ${WORKERS} workers`, '');
  out.push(`| accepted | delivered once | lost | duplicated | still queued when the drain window closed | not accepted (shard down / late deferral) | refused by limits |`, '| --- | --- | --- | --- | --- | --- | --- |');
  out.push(`| ${acc.length} | ${once} | ${lost.length} | ${duplicated} | ${stillQueued.length} | ${notAccepted.length - refused.length} | ${refused.length} |`, '');
  if (channelPosts) out.push(`(${channelPosts} results were posted in their channel because their interaction token had expired; counted as delivered.)`, '');
  const reasons = new Map<string, number>();
  for (const r of refused) {
    const text = String((r.it!.callback!.data as { content?: string } | null)?.content ?? '').slice(0, 70);
    reasons.set(text, (reasons.get(text) ?? 0) + 1);
  }
  if (refused.length) out.push(`Refused: ${[...reasons].map(([t, n]) => `${n} × “${t}”`).join('; ')}`, '');
  out.push('Latency from the interaction to the final post (p50 / p95 / p99, count):', '', '| piece | new | repeat (served from the store) |', '| --- | --- | --- |');
  for (const { seconds } of LENGTH_MIX) {
    const rows = delivered.filter((d) => d.s.req.options.duration === String(seconds));
    const cell = (xs: number[]) => (xs.length ? `${fmt(percentile(xs, 50))} / ${fmt(percentile(xs, 95))} / ${fmt(percentile(xs, 99))} (${xs.length})` : '–');
    out.push(`| ${seconds} s | ${cell(latency(rows.filter((d) => d.s.req.repeatOf === null)))} | ${cell(latency(rows.filter((d) => d.s.req.repeatOf !== null)))} |`);
  }
  const all = latency(delivered);
  out.push(`| all | ${fmt(percentile(all, 50))} / ${fmt(percentile(all, 95))} / ${fmt(percentile(all, 99))} (${all.length}) | |`, '');
  out.push('Queue depth (compose jobs waiting + running), every 30 s:', '');
  out.push('```', depth.filter((d, i) => i % 6 === 0).map((d) => `${String(d.atSec).padStart(4)} s  ${'#'.repeat(Math.min(80, d.waiting))} ${d.waiting} waiting, ${d.active} running`).join('\n'), '```');
  out.push(`max waiting: ${Math.max(0, ...depth.map((d) => d.waiting))}; bursts at ${plan.bursts.map((b) => `${Math.round(b.atMs / 1000)} s`).join(', ')}`, '');
  out.push('Faults: ' + faults.join('; '), '');
  out.push('| resource | measured | per unit |', '| --- | --- | --- |');
  out.push(`| worker CPU (process trees: node, synthesisers, encoders) | ${workerCpu.toFixed(1)} s for ${composed} compositions | **${(workerCpu / Math.max(1, composed)).toFixed(2)} s per job** |`);
  out.push(`| bot CPU (shard manager + ${SHARDS} shard processes) | ${botCpu.toFixed(1)} s for ${sent.length} requests | ${(botCpu / sent.length).toFixed(3)} s per request |`);
  out.push(`| Redis CPU | ${redisCpu.toFixed(1)} s | ${(redisCpu / sent.length).toFixed(4)} s per request |`);
  out.push(`| Redis commands | ${redisAfter.commands - redisBefore.commands} | ${Math.round((redisAfter.commands - redisBefore.commands) / sent.length)} per request |`);
  out.push(`| Redis memory | ${(redisBefore.usedMemory / 2 ** 20).toFixed(1)} MiB before, ${(peakMemory / 2 ** 20).toFixed(1)} MiB peak, ${(redisAfter.usedMemory / 2 ** 20).toFixed(1)} MiB after | ${((redisAfter.usedMemory - redisBefore.usedMemory) / 1024 / Math.max(1, acc.length)).toFixed(0)} KiB per accepted request kept, of which the audio cache ${(audioCache.bytes / 2 ** 20).toFixed(1)} MiB in ${audioCache.files} files (budget 512 MiB) |`);
  out.push(`| REST calls to Discord | ${restCalls}, of which ${restGlobal} count against the global limit (not interaction webhooks) | ${(restCalls / sent.length).toFixed(1)} per request (${(restGlobal / sent.length).toFixed(2)} global) |`);
  out.push(`| upload (final posts) | ${(uploadBytes / 2 ** 20).toFixed(1)} MiB | ${(uploadBytes / 1024 / Math.max(1, once)).toFixed(0)} KiB per result |`);
  out.push('', `wall: ${wallSec.toFixed(0)} s; load average before: ${loadBefore}; after: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${(await import('node:os')).cpus().length} cores, shared)`);
  if (lost.length) out.push('', `lost: ${lost.map((d) => `#${d.s.req.index} (${d.s.req.options.duration} s)`).join(', ')}`);
  console.log(out.join('\n'));
  if (process.env.BENCH_SCALE_JSON) {
    await writeFile(
      process.env.BENCH_SCALE_JSON,
      JSON.stringify({ audioCache, restGlobal, stillQueued: stillQueued.length, requests: sent.length, accepted: acc.length, once, lost: lost.length, duplicated, notAccepted: notAccepted.length, refused: refused.length, composed, workerCpu, botCpu, redisCpu, redisBefore, redisAfter, peakMemory, restCalls, uploadBytes, depth, faults, wallSec, latencyMs: delivered.map((d) => ({ duration: d.s.req.options.duration, repeat: d.s.req.repeatOf !== null, ms: d.uploads[0] ? d.uploads[0].at - d.s.it!.sentAt : null, uploads: d.uploads.length })) }, null, 1),
    );
  }
  process.exitCode = lost.length || duplicated ? 1 : 0;
} finally {
  await cleanup();
}

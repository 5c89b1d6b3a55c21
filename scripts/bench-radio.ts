/**
 * `npm run bench:radio [-- --minutes 20 --section 15 --vote-every 37 --out file.json]`: a radio
 * through the fake Discord, with the bot and one worker as their own processes (BOT_WORKERS=0: the
 * bot renders nothing) on a real redis-server. One listener (alice) votes every --vote-every
 * seconds (not a divisor of the section length, so presses fall at every phase of a section); a
 * second (bob) presses as soon as alice's window has closed, the worst moment (the next section is
 * fixed by then). Reports:
 *  - packets sent vs expected over the run (no underrun), silent packets, hold packets;
 *  - the gap at each join (RTP timestamp step minus 20 ms: must be 0) and the join quality on the
 *    decoded audio (largest step near the join vs the music's own, level of the join frames);
 *  - press → heard for every press (ms; min/median/max, and each press: when its window opened
 *    and closed, the section carrying it, the bar the section before was cut at, how long its
 *    render took, hold packets before it). Heard: the fake Discord received the first packet of
 *    the section carrying the choice;
 *  - bot process CPU per radio (% of one core), worker CPU seconds per minute of music
 *    (fluidsynth and ffmpeg children included);
 *  - bot RSS over the run: growth after warm-up (median of the last 2 minutes against the median
 *    of the 2 minutes after warm-up, which is the first fifth of the run, at least 2 minutes).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CA = fileURLToPath(new URL('../test/support/certs/ca.pem', import.meta.url));
if (process.env.NODE_EXTRA_CA_CERTS !== CA) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: CA } });
  process.exit(child.status ?? 1);
}

const { FakeDiscord, decodeOpus } = await import('../test/support/fake-discord.ts');
const { startTestRedis } = await import('../test/support/redis.ts');
const { deployCommands } = await import('./deploy-commands.ts');
const { WorkerProcess } = await import('../test/support/workerProcess.ts');
const { waitFor } = await import('../test/support/wait.ts');
const { measureJoin } = await import('../test/support/radioJoins.ts');

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const MINUTES = Number(arg('minutes', '3'));
const SECTION_SEC = arg('section', '15');
const OUT = arg('out', '');
const VOTE_EVERY_SEC = Number(arg('vote-every', '37'));
/** A folder for a V8 CPU profile of the bot (written when it exits at the end). */
const BOT_PROFILE = arg('bot-profile', '');
const SAMPLE_MS = 5_000;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

type Log = Record<string, unknown> & { msg?: string; time?: number };

/** utime+stime (and waited-for children's) in seconds, and RSS in MB, from /proc. */
function procStat(pid: number): { cpuSec: number; childCpuSec: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuSec: (utime + stime) / CLK_TCK, childCpuSec: (cutime + cstime) / CLK_TCK, rssMb: Number(rss ?? 0) / 1024 };
}

const stats = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, min: r(s[0]!), median: r(s[Math.floor((s.length - 1) / 2)]!), max: r(s.at(-1)!) };
};
const median = (xs: number[]) => stats(xs)?.median ?? NaN;

const discord = await FakeDiscord.start();
const { guild, text, voice, alice, bob } = discord.seedGuild();
const redis = await startTestRedis();
const dataDir = mkdtempSync(join(tmpdir(), 'tunesmith-bench-radio-'));
const env = { ...discord.env(), REDIS_URL: redis.url, BOT_WORKERS: '0', VOICE_IDLE_SEC: '600', RADIO_SECTION_SEC: SECTION_SEC, LOG_LEVEL: 'info', TUNESMITH_DATA_DIR: dataDir, DEFAULT_COOLDOWN_SEC: '0' };
await deployCommands(env);

const botLogs: Log[] = [];
let bot: ChildProcess | undefined;
const worker = new WorkerProcess({ REDIS_URL: redis.url, TUNESMITH_DATA_DIR: dataDir, WORKER_CONCURRENCY: '1' });
const cleanup = async () => {
  if (bot && BOT_PROFILE && bot.exitCode === null) {
    // A clean exit writes the profile.
    const exited = new Promise((r) => bot!.once('exit', r));
    bot.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  }
  bot?.kill('SIGKILL');
  await worker.stop();
  await discord.stop();
  await redis.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  bot = spawn(process.execPath, [...(BOT_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', BOT_PROFILE] : []), '--import', 'tsx', 'src/bot/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  bot.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const log = JSON.parse(line) as Log;
        // Keep what the report needs (an hour of every line would be memory for nothing).
        if (/radio|bot ready|voice/.test(String(log.msg))) botLogs.push(log);
      } catch {
        // not JSON
      }
    }
  });
  bot.stderr!.on('data', (d: Buffer) => process.stderr.write(`[bot] ${d}`));
  await Promise.all([worker.ready(), waitFor(() => botLogs.some((l) => l.msg === 'bot ready'), { timeout: 60_000, message: 'the bot to be ready' })]);
  guild.setVoiceState(alice, voice);
  guild.setVoiceState(bob, voice);
  // The bot's own baseline: connected to the gateway, nothing playing.
  await new Promise((r) => setTimeout(r, 3000));
  const idleFrom = { at: Date.now(), cpu: procStat(bot.pid!).cpuSec };
  await new Promise((r) => setTimeout(r, 15_000));
  const botIdleCpuPct = ((procStat(bot.pid!).cpuSec - idleFrom.cpu) / ((Date.now() - idleFrom.at) / 1000)) * 100;

  const startAt = Date.now();
  const it = await discord.invoke('radio start', { style: 'lofi', mood: 'calm' }, { user: alice, channel: text });
  await it.waitForOriginal((m) => /started the radio/.test(m.content), 30_000);
  await waitFor(() => botLogs.some((l) => l.msg === 'radio section playing'), { timeout: 60_000, message: 'the first section' });
  const firstHeardMs = (botLogs.find((l) => l.msg === 'radio section playing')!.time as number) - startAt;
  const endAt = Date.now() + MINUTES * 60_000;
  const samples: { at: number; bot: ReturnType<typeof procStat>; worker: ReturnType<typeof procStat> }[] = [];
  const votes: { at: number; choice: string; user: string }[] = [];
  const choices = ['energy', 'calmer', 'happier', 'darker'];
  const press = (user: typeof alice, choice: string) => {
    const panel = discord.messagesIn(text).find((m) => m.customIds.some((id) => id.startsWith('ts:radio:')));
    if (!panel) return;
    votes.push({ at: Date.now(), choice, user: user.username });
    void discord.click(panel, `ts:radio:${guild.id}:${choice}`, user).catch(() => {});
  };
  let nextVote = Date.now() + 20_000;
  let nextSample = Date.now();
  let closedSeen = 0;
  console.log(`bench:radio: ${MINUTES} min, sections ~${SECTION_SEC} s, 1 worker process, a press every ${VOTE_EVERY_SEC} s and one right after each window closes; first section heard ${firstHeardMs} ms after /radio start`);
  while (Date.now() < endAt) {
    if (Date.now() >= nextSample) {
      samples.push({ at: Date.now(), bot: procStat(bot.pid!), worker: procStat(worker.pid) });
      nextSample += SAMPLE_MS;
      const left = samples.length % 12 === 0 ? Math.round((endAt - Date.now()) / 1000) : null;
      if (left !== null) console.log(`  … ${left} s left, bot RSS ${samples.at(-1)!.bot.rssMb.toFixed(1)} MB, sections heard ${botLogs.filter((l) => l.msg === 'radio section playing').length}`);
    }
    if (Date.now() >= nextVote) {
      press(alice, choices[votes.length % choices.length]!);
      nextVote = Date.now() + VOTE_EVERY_SEC * 1000;
    }
    // bob presses as soon as a window of alice's closes.
    const closed = botLogs.filter((l) => l.msg === 'radio vote closed');
    if (closed.length > closedSeen) {
      closedSeen = closed.length;
      if (votes.at(-1)?.user === 'alice') press(bob, 'energy');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  samples.push({ at: Date.now(), bot: procStat(bot.pid!), worker: procStat(worker.pid) });

  // Audio as the fake received it, up to now (the radio keeps playing until stopped).
  const frames = discord.voice.connections.filter((c) => c.guildId === guild.id).flatMap((c) => c.frames).sort((a, b) => a.receivedAt - b.receivedAt);
  const first = frames.findIndex((f) => !f.silence);
  const played = frames.slice(first);
  const audio = played.filter((f) => !f.silence);
  const spanMs = played.at(-1)!.receivedAt - played[0]!.receivedAt + 20;
  const playing = botLogs.filter((l) => l.msg === 'radio section playing');
  const joins = playing
    .map((l) => l.packet as number)
    .filter((p) => p > 0 && p + 150 < audio.length)
    .map((p) => {
      const gapMs = ((audio[p]!.timestamp - audio[p - 1]!.timestamp) >>> 0) / 48 - 20;
      const from = Math.max(0, p - 200);
      const { pcm } = decodeOpus(audio.slice(from, p + 125).map((f) => f.opus));
      const q = measureJoin(pcm, (p - from) * 960);
      const log = playing.find((l) => l.packet === p);
      return { packet: p, section: log?.section as number | undefined, gapMs, jump: q.jump, ownMax: q.ownMax, levelDb: Math.round(q.levelDb * 10) / 10 };
    });
  // Each press: the window it opened (first vote at or after the press), the section carrying it, when its first packet reached Discord.
  const closedLogs = botLogs.filter((l) => l.msg === 'radio vote closed');
  const perVote = votes.map((v) => {
    const closed = closedLogs.find((l) => (l.openedAt as number) >= v.at - 5 && (l.time as number) >= v.at);
    if (!closed) return { ...v, heardMs: null as number | null, note: 'no window closed after it' };
    const heard = playing.find((l) => l.section === closed.section && (l.time as number) >= (closed.time as number));
    const ready = botLogs.find((l) => l.msg === 'radio section ready' && l.section === closed.section && (l.time as number) >= (closed.time as number));
    const frame = heard && audio[heard.packet as number];
    const held = botLogs.filter((l) => l.msg === 'radio holding: the next section is late' && (l.time as number) >= (closed.time as number) && (!heard || (l.time as number) <= (heard.time as number))).length;
    return {
      ...v,
      at: new Date(v.at).toISOString().slice(11, 23),
      windowOpenMs: (closed.openedAt as number) - v.at,
      windowCloseMs: (closed.time as number) - v.at,
      section: closed.section as number,
      carries: closed.carries,
      cutAfterBars: closed.cutAfterBars ?? null,
      renderReadyMs: ready ? (ready.time as number) - v.at : null,
      holdsBefore: held,
      heardMs: frame ? frame.receivedAt - v.at : null,
    };
  });
  const voteLatency = perVote.map((v) => v.heardMs).filter((x): x is number => x !== null);

  const warmup = Math.max(120_000, (MINUTES * 60_000) / 5);
  const steady = samples.filter((s) => s.at - samples[0]!.at >= warmup);
  const a = steady[0] ?? samples[0]!;
  const b = samples.at(-1)!;
  const botCpuPct = ((b.bot.cpuSec - a.bot.cpuSec) / ((b.at - a.at) / 1000)) * 100;
  const musicMin = ((b.at - samples[0]!.at) / 60_000);
  const workerCpuPerMin = (b.worker.cpuSec + b.worker.childCpuSec - (samples[0]!.worker.cpuSec + samples[0]!.worker.childCpuSec)) / musicMin;
  const rssAfterWarmup = median(steady.filter((s) => s.at - steady[0]!.at < 120_000).map((s) => s.bot.rssMb));
  const rssEnd = median(samples.filter((s) => b.at - s.at < 120_000).map((s) => s.bot.rssMb));
  const report = {
    minutes: MINUTES,
    sectionSec: Number(SECTION_SEC),
    firstSectionHeardMs: firstHeardMs,
    packets: { sent: audio.length, expected: Math.round(spanMs / 20), silent: played.length - audio.length, held: botLogs.filter((l) => l.msg === 'radio holding: the next section is late').length },
    sections: playing.length,
    joins: { count: joins.length, gapMs: stats(joins.map((j) => j.gapMs)), nonZeroGaps: joins.filter((j) => j.gapMs !== 0).length, stepOverOwn: joins.filter((j) => j.jump > j.ownMax).length, overOwn: joins.filter((j) => j.jump > j.ownMax), levelDb: stats(joins.map((j) => j.levelDb)), worst: joins.sort((x, y) => x.levelDb - y.levelDb)[0] ?? null },
    voteToHeardMs: stats(voteLatency),
    votes: votes.length,
    votesHeard: voteLatency.length,
    perVote,
    botCpuPctOfCore: Math.round(botCpuPct * 100) / 100,
    botIdleCpuPctOfCore: Math.round(botIdleCpuPct * 100) / 100,
    workerCpuSecPerMusicMinute: Math.round(workerCpuPerMin * 10) / 10,
    sectionRenders: (() => {
      const rendered = worker.logs.filter((l) => l.msg === 'radio section rendered');
      const of = (field: string) => stats(rendered.map((l) => Number(l[field])));
      return { n: rendered.length, ms: of('ms'), composeMs: of('composeMs'), synthMs: of('synthMs'), encodeMs: of('encodeMs') };
    })(),
    botRssMb: { start: Math.round(samples[0]!.bot.rssMb), afterWarmup: Math.round(rssAfterWarmup), end: Math.round(rssEnd), max: Math.round(Math.max(...samples.map((s) => s.bot.rssMb))), growthAfterWarmupPct: Math.round(((rssEnd - rssAfterWarmup) / rssAfterWarmup) * 1000) / 10 },
    rssSeriesMb: samples.filter((_, i) => i % 12 === 0).map((s) => Math.round(s.bot.rssMb)),
  };
  const verdict = {
    noUnderrun: report.packets.silent === 0 && report.packets.sent >= report.packets.expected - 5,
    joinsZeroGap: report.joins.nonZeroGaps === 0,
    // The two measures at joins: no step larger than the music's own nearby, no frame 20 dB under its neighbours.
    joinsNoStepOverOwn: report.joins.stepOverOwn === 0,
    joinsNoDrop20dB: report.joins.levelDb === null || report.joins.levelDb.min > -20,
    botCpuUnder5pct: report.botCpuPctOfCore < 5,
    rssGrowthUnder10pct: report.botRssMb.growthAfterWarmupPct < 10,
    votesHeardWithin30s: voteLatency.length > 0 && (report.voteToHeardMs?.max ?? Infinity) <= 30_000,
  };
  console.log(JSON.stringify({ ...report, verdict }, null, 2));
  if (OUT) writeFileSync(OUT, JSON.stringify({ ...report, verdict }, null, 2));
} finally {
  await cleanup();
}
process.exit(0);

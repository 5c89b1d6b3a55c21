/**
 * `npm run bench:voice`: time from /play to the first audio packet, through the real bot
 * (discord.js + @discordjs/voice) and the fake Discord on loopback, which timestamps every RTP
 * packet it decrypts. Targets: ≤ 500 ms for a cached piece, ≤ 1.5 s for a new one.
 *
 *  - cached: /play with the options and seed of a stored 30 s result (and its "Play in voice"
 *    button): the stored Ogg Opus is demuxed and sent as it is.
 *  - new: /play of a 30 s piece nobody composed yet: a worker composes and stream-renders it
 *    (fluidsynth → ffmpeg → Ogg Opus), handing its Ogg pages to the bot through Redis while it
 *    plays. By default the worker runs in the bot process (BOT_WORKERS=1); with `--workers N`
 *    the bot runs none (BOT_WORKERS=0) and N `npm run worker` processes render.
 *  - cold: the bot is not in voice yet (joining is part of the time); warm: it is connected.
 *
 * Loopback hides Discord's network latency (add your ping to Discord's REST and voice servers).
 * Usage: npm run bench:voice [-- --runs 7] [--workers 1]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const CA = fileURLToPath(new URL('../test/support/certs/ca.pem', import.meta.url));
// Node reads NODE_EXTRA_CA_CERTS only at startup; the fake's voice gateway is TLS with a test CA.
if (process.env.NODE_EXTRA_CA_CERTS !== CA) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: CA } });
  process.exit(child.status ?? 1);
}

const { startHarness } = await import('../test/support/botHarness.ts');
const { waitFor } = await import('../test/support/wait.ts');
const { firstAudioAfter, markFrames, waitQuiet } = await import('../test/support/firstPacket.ts');
type VoiceManager = import('../src/bot/voice/manager.ts').VoiceManager;

const { WorkerProcess } = await import('../test/support/workerProcess.ts');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const workersArg = process.argv.indexOf('--workers');
const WORKERS = workersArg > 0 ? Number(process.argv[workersArg + 1]) : 0;
const PIECE = { style: 'lofi', duration: '30', seed: 4242 };

const h = await startHarness({ LOG_LEVEL: 'warn', VOICE_IDLE_SEC: '60', ...(WORKERS ? { BOT_WORKERS: '0' } : {}) });
const workers = Array.from({ length: WORKERS }, () => new WorkerProcess({ REDIS_URL: h.redis.url }));
await Promise.all(workers.map((w) => w.ready()));
const { discord, seeded } = h;
const { guild, voice, alice } = seeded;
const manager = () => h.bot.ctx.services.voice as VoiceManager;

const connections = () => discord.voice.connections.filter((c) => c.guildId === guild.id);

async function leave(): Promise<void> {
  manager().leaveAll('stopped');
  await waitFor(() => !guild.voiceStates.has(discord.bot.id), { timeout: 5000, message: 'the bot to leave voice' });
}

/** Ends what plays but stays connected (the queue is empty). */
async function skip(): Promise<void> {
  manager().get(guild.id)?.skip();
  await waitFor(() => !manager().get(guild.id)?.busy, { timeout: 5000, message: 'the player to go idle' });
}

interface Sample {
  firstPacketMs: number;
  replyMs: number;
}

/**
 * /play → first packet of the new playback. Packets of what played before (the one @discordjs/voice
 * had prepared when it was skipped, and any still in flight) must land before t0, or one of them
 * is taken for the new track's first and timed at "0 ms" (test/support/firstPacket.ts).
 */
async function measure(start: () => Promise<import('../test/support/fake-discord.ts').InteractionRecord>): Promise<Sample> {
  await waitQuiet(connections);
  const mark = markFrames(connections());
  const t0 = Date.now();
  const it = await start();
  const first = await waitFor(() => firstAudioAfter(connections(), mark)?.receivedAt, { timeout: 15_000, message: 'the first audio packet' });
  await it.waitForCallback();
  return { firstPacketMs: first - t0, replyMs: it.respondedInMs ?? NaN };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { min: s[0]!, p50: q(0.5), max: s.at(-1)! };
};

try {
  guild.setVoiceState(alice, voice);
  await waitFor(() => h.bot.client.guilds.cache.get(guild.id)?.voiceStates.cache.get(alice.id)?.channelId === voice.id, { timeout: 5000 });

  // The cached piece: composed once through /compose (the normal queue), stored as Ogg Opus.
  const composed = await discord.invoke('compose', PIECE, alice);
  const message = await composed.waitForOriginal((m) => m.attachments.length === 3, 120_000);
  const playId = message.customIds.find((id) => id.startsWith('ts:play:'))!;

  const results: Record<string, Sample[]> = {};
  const cases: [string, () => Promise<import('../test/support/fake-discord.ts').InteractionRecord>, 'cold' | 'warm'][] = [
    ['cached /play, cold join', () => discord.invoke('play', PIECE, alice), 'cold'],
    ['cached /play, connected', () => discord.invoke('play', PIECE, alice), 'warm'],
    ['cached button, cold join', () => discord.click(message, playId, alice), 'cold'],
    ['new 30 s piece, cold join', () => discord.invoke('play', { style: 'lofi', duration: '30' }, alice), 'cold'],
    ['new 30 s piece, connected', () => discord.invoke('play', { style: 'lofi', duration: '30' }, alice), 'warm'],
  ];
  for (const [name, start, mode] of cases) {
    results[name] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      if (mode === 'cold') await leave();
      else if (!manager().get(guild.id)) await measure(() => discord.invoke('play', PIECE, alice)); // connect first
      await skip();
      const sample = await measure(start);
      console.error(`${name} #${i}: first packet ${sample.firstPacketMs} ms`);
      if (i > 0) results[name].push(sample); // the first run warms caches (JIT, SoundFont in the page cache)
    }
  }
  await leave();

  const where = WORKERS ? `${WORKERS} worker process${WORKERS > 1 ? 'es' : ''}, BOT_WORKERS=0` : 'worker in the bot process';
  console.log(`\n/play → first audio packet (fake Discord on loopback, ${where}, ${RUNS} runs each, load avg ${loadavg()[0]!.toFixed(2)})\n`);
  console.log('case                         first packet ms (min / p50 / max)   reply ms p50   target');
  for (const [name, samples] of Object.entries(results)) {
    const f = stats(samples.map((s) => s.firstPacketMs));
    const r = stats(samples.map((s) => s.replyMs));
    const target = name.startsWith('cached') ? 500 : 1500;
    console.log(`${name.padEnd(28)} ${`${f.min} / ${f.p50} / ${f.max}`.padEnd(36)} ${String(r.p50).padEnd(14)} ≤ ${target} ${f.p50 <= target ? 'ok' : 'MISSED'}`);
  }
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await h.stop();
}
// The harness leaves a Redis client reconnecting after stop (outside voice); don't wait for it.
process.exit(0);

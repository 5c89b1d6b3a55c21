/**
 * `npm run bench:bot`: the bot's user-facing latencies, measured through the fake Discord with the
 * real bot, a real redis-server and one in-process worker: deferred reply, first progress edit,
 * and final post for 10 s and 30 s pieces (median of N runs, distinct seeds so nothing is cached),
 * plus a cached repeat.
 */
import { startHarness } from '../test/support/botHarness.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const h = await startHarness({ LOG_LEVEL: 'warn', USER_REQUESTS_PER_MINUTE: '1000', USER_MAX_ACTIVE_JOBS: '10' });
try {
  console.log('| piece | deferred reply | first progress edit | final post (files attached) |');
  console.log('| --- | --- | --- | --- |');
  let seed = 9000;
  for (const duration of [10, 30]) {
    const deferred: number[] = [];
    const firstEdit: number[] = [];
    const final: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const it = await h.discord.invoke('compose', { style: 'lofi', mood: 'calm', duration: String(duration), seed: seed++ }, h.seeded.alice);
      await it.waitForCallback();
      const message = await it.waitForOriginal((m) => m.attachments.length > 0, 120_000);
      deferred.push(it.respondedInMs!);
      const edits = message.history.filter((s) => s.content.length > 0 || s.attachments.length > 0);
      firstEdit.push(edits[0]!.at - it.sentAt);
      final.push(message.history[message.history.length - 1]!.at - it.sentAt);
    }
    console.log(`| ${duration} s | ${median(deferred)} ms | ${median(firstEdit)} ms | ${median(final)} ms |`);
  }
  const again = await h.discord.invoke('compose', { style: 'lofi', mood: 'calm', duration: '30', seed: 9000 + RUNS }, h.seeded.alice);
  const cached = await again.waitForOriginal((m) => m.attachments.length > 0, 60_000);
  console.log(`| 30 s, cached | ${again.respondedInMs} ms | — | ${cached.history[cached.history.length - 1]!.at - again.sentAt} ms |`);
  console.log(`\n(median of ${RUNS}; times from the INTERACTION_CREATE the fake sent.)`);
} finally {
  await h.stop();
}

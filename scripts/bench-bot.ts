/**
 * `npm run bench:bot`: the bot's user-facing latencies, measured through the fake Discord with the
 * real bot, a real redis-server and one in-process worker: deferred reply, first progress edit,
 * and final post for new 10 s and 30 s pieces (distinct seeds so nothing is cached), and for a
 * cached 30 s piece (a request already composed). New and cached runs are interleaved, so load
 * changes hit both alike; each row gives min / median / max of BENCH_RUNS runs (default 5).
 *
 * A cached post's floor is the round trip of the deferral itself (INTERACTION_CREATE → the bot's
 * callback reaches the fake): no reply can come sooner; the ratio line compares against it.
 */
import { loadavg } from 'node:os';
import { startHarness } from '../test/support/botHarness.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! };
};
const show = (xs: number[]) => {
  const { min, median, max } = stats(xs);
  return `${min} / **${median}** / ${max} ms`;
};

const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
const h = await startHarness({ LOG_LEVEL: 'warn', USER_REQUESTS_PER_MINUTE: '1000', USER_MAX_ACTIVE_JOBS: '10' });
try {
  type Row = { deferred: number[]; firstEdit: number[]; final: number[]; restCalls: number[] };
  const rows = new Map<string, Row>();
  const row = (name: string) => rows.get(name) ?? (rows.set(name, { deferred: [], firstEdit: [], final: [], restCalls: [] }), rows.get(name)!);
  const measure = async (name: string, options: Record<string, string | number>) => {
    const it = await h.discord.invoke('compose', options, h.seeded.alice);
    await it.waitForCallback();
    const message = await it.waitForOriginal((m) => m.attachments.length > 0, 120_000);
    const r = row(name);
    r.deferred.push(it.respondedInMs!);
    const edits = message.history.filter((s) => s.content.length > 0 || s.attachments.length > 0);
    r.firstEdit.push(edits[0]!.at - it.sentAt);
    r.final.push(message.history.at(-1)!.at - it.sentAt);
    r.restCalls.push(h.discord.rest.calls.filter((c) => c.path.includes(it.token)).length);
  };

  const cachedOptions = { style: 'lofi', mood: 'calm', duration: '30', seed: 8999 };
  await measure('warm-up (composes the piece served cached below)', cachedOptions);
  let seed = 9000;
  for (let i = 0; i < RUNS; i++) {
    await measure('10 s, new', { style: 'lofi', mood: 'calm', duration: '10', seed: seed++ });
    await measure('30 s, cached', cachedOptions);
    await measure('30 s, new', { style: 'lofi', mood: 'calm', duration: '30', seed: seed++ });
  }
  rows.delete('warm-up (composes the piece served cached below)');

  console.log('| piece | deferred reply | first edit | final post (files attached) | REST calls per reply |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, r] of rows) console.log(`| ${name} | ${show(r.deferred)} | ${show(r.firstEdit)} | ${show(r.final)} | ${[...new Set(r.restCalls)].join(', ')} |`);
  const cached = stats(rows.get('30 s, cached')!.final).median;
  const fresh = stats(rows.get('30 s, new')!.final).median;
  const floor = stats(rows.get('30 s, cached')!.deferred).median;
  console.log(`\ncached / new (median final post): ${(cached / fresh).toFixed(3)}; cached final post / deferral round trip (its floor): ${(cached / Math.max(1, floor)).toFixed(2)}×`);
  console.log(`(min / median / max of ${RUNS} interleaved runs; times from the INTERACTION_CREATE the fake sent.)`);
  console.log(`load average before: ${loadBefore}; after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  await h.stop();
}

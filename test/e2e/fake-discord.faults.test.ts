import { DiscordAPIError, GatewayIntentBits, HTTPError, RESTEvents, type Client, type RateLimitData } from 'discord.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeDiscord } from '../support/fake-discord.ts';
import { loginClient } from '../support/discord-client.ts';
import { waitFor } from '../support/wait.ts';
import { TINY_COMMANDS, attachTinyBot, type TinyBot } from './support/tiny-bot.ts';

let discord: FakeDiscord;
let client: Client & { errors: Error[] };
let bot: TinyBot;
const rateLimits: RateLimitData[] = [];

beforeAll(async () => {
  discord = await FakeDiscord.start();
  discord.seedGuild();
  client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds] });
  client.rest.on(RESTEvents.RateLimited, (info) => rateLimits.push(info));
  bot = attachTinyBot(client, { ogg: Buffer.from('OggS-bytes'), midi: Buffer.from('MThd-bytes') });
  await client.application!.commands.set(TINY_COMMANDS);
});
afterAll(async () => {
  await client?.destroy();
  await discord?.stop();
});

const isFinalEdit = { method: 'PATCH', path: /\/messages\/@original$/, when: (r: { files: unknown[] }) => r.files.length > 0 };

test('a 429 on the final edit is waited out and retried; the result arrives once', async () => {
  const fault = discord.faults.rateLimit(isFinalEdit, { retryAfter: 0.4 });
  const it = await discord.invoke('compose', { style: 'jazz' });
  const final = await it.waitForOriginal((m) => m.attachments.length === 2);

  const edits = discord.rest.find(isFinalEdit).filter((c) => c.path.includes(it.token));
  expect(edits.map((c) => [c.status, c.injected])).toEqual([[429, 'rate-limit'], [200, undefined]]);
  expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(400);
  expect(fault.hits).toBe(1);
  expect(rateLimits).toHaveLength(1);
  expect(rateLimits[0]!.retryAfter).toBeGreaterThanOrEqual(400);
  expect(final.history.filter((h) => h.content === 'Done')).toHaveLength(1);
  expect(final.attachments.map((a) => a.filename)).toEqual(['piece.ogg', 'piece.mid']);
  await it.waitForFollowup(); // the job is over: nothing of it can consume the next test's fault
});

test('a 502 on a follow-up is retried by the client; the follow-up is sent once', async () => {
  discord.faults.serverError({ method: 'POST', route: '/webhooks/:app/:token' }, { status: 502 });
  const it = await discord.invoke('compose', {});
  const seed = await it.waitForFollowup();
  expect(seed.content).toBe('Seed: 42');
  expect(it.followups).toHaveLength(1);
  const posts = discord.rest.find({ method: 'POST', route: '/webhooks/:app/:token' }).filter((c) => c.path.includes(it.token));
  expect(posts.map((c) => c.status)).toEqual([502, 200]);
});

test('persistent 500s exhaust the client\'s retries and surface as an error', async () => {
  const fault = discord.faults.serverError({ method: 'POST', route: '/interactions/:id/:token/callback' }, { times: 10 });
  try {
    await discord.invoke('ping');
    await waitFor(() => bot.errors.length > 0, { timeout: 10_000, message: 'the callback to fail for good' });
    expect(bot.errors.pop()).toBeInstanceOf(HTTPError);
    expect(fault.hits).toBe(4); // 1 try + @discordjs/rest's 3 retries
  } finally {
    discord.faults.clear();
  }
});

test('a one-off custom response (403) reaches the handler as a DiscordAPIError', async () => {
  discord.faults.respond({ method: 'POST', route: '/interactions/:id/:token/callback' }, { status: 403, body: { message: 'Missing Access', code: 50001 } });
  await discord.invoke('ping');
  await waitFor(() => bot.errors.length > 0, { timeout: 5000, message: 'the 403' });
  expect((bot.errors.pop() as DiscordAPIError).code).toBe(50001);
  expect(client.errors).toEqual([]);
  expect(discord.rest.unimplemented).toEqual([]);
});

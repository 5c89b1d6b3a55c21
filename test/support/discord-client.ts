import { once } from 'node:events';
import { Client, Events, type ClientOptions } from 'discord.js';
import type { FakeDiscord } from './fake-discord.ts';
import { withTimeout } from './wait.ts';

/**
 * A real discord.js Client logged in to the fake (for the fake's self-tests; the bot's e2e tests
 * start the bot itself with `discord.env()`). Errors the client emits are collected in
 * `errors` so a test can assert there were none instead of losing them.
 */
export async function loginClient(
  discord: FakeDiscord,
  options: Omit<ClientOptions, 'rest'>,
): Promise<Client & { errors: Error[] }> {
  const client = new Client({ ...options, ...discord.clientOptions() }) as Client & { errors: Error[] };
  client.errors = [];
  client.on(Events.Error, (e) => client.errors.push(e));
  const ready = once(client, Events.ClientReady);
  await withTimeout(client.login(discord.token), 10_000, 'client.login() against the fake');
  await withTimeout(ready, 10_000, 'discord.js clientReady (READY + GUILD_CREATE)');
  return client;
}

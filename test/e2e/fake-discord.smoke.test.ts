import { GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeDiscord } from '../support/fake-discord.ts';
import { loginClient } from '../support/discord-client.ts';

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await FakeDiscord.start();
});
afterAll(async () => {
  await discord.stop();
});

test('smoke', async () => {
  const { guild } = discord.seedGuild();
  const client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] });
  expect(client.guilds.cache.get(guild.id)?.name).toBe('Tunesmith Test');
  await client.destroy();
});

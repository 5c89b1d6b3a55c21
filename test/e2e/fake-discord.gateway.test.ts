import { once } from 'node:events';
import { ChannelType, Events, GatewayIntentBits, PermissionFlagsBits as P, type Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeDiscord, snowflakeAt, type FakeChannel, type FakeGuild, type FakeUser } from '../support/fake-discord.ts';
import { loginClient } from '../support/discord-client.ts';
import { waitFor, withTimeout } from '../support/wait.ts';
import { TINY_COMMANDS, attachTinyBot, type TinyBot } from './support/tiny-bot.ts';

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates];

describe('login, READY and GUILD_CREATE', () => {
  let discord: FakeDiscord;
  let client: Client & { errors: Error[] };
  let guild: FakeGuild;
  let voice: FakeChannel;
  let alice: FakeUser;
  let bob: FakeUser;

  beforeAll(async () => {
    discord = await FakeDiscord.start();
    ({ guild, voice, alice, bob } = discord.seedGuild());
    const dj = guild.addRole({ name: 'DJ', permissions: P.ManageChannels });
    guild.setMemberRoles(alice, [dj]);
    guild.setVoiceState(alice, voice);
    guild.setOverwrite(voice, discord.bot, { deny: P.Speak });
    client = await loginClient(discord, { intents: INTENTS });
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.stop();
  });

  test('the client identifies with v10 JSON and sees the whole world', () => {
    expect(discord.gateway.connections[0]).toMatchObject({ path: '/gateway', query: '?v=10&encoding=json' });
    const identify = discord.gateway.received.find((f) => f.op === 2)!;
    expect(identify.d).toMatchObject({ intents: (1 << 0) | (1 << 7), shard: [0, 1] });
    expect(client.user!.id).toBe(discord.bot.id);
    expect(client.application!.id).toBe(discord.applicationId);

    const g = client.guilds.cache.get(guild.id)!;
    expect(g.channels.cache.map((c) => [c.name, c.type])).toEqual([
      ['general', ChannelType.GuildText],
      ['Music', ChannelType.GuildVoice],
    ]);
    expect(g.roles.cache.map((r) => r.name).sort()).toEqual(['@everyone', 'DJ']);
    expect(g.members.cache.has(discord.bot.id)).toBe(true);
    expect(g.members.cache.get(alice.id)!.roles.cache.map((r) => r.name)).toContain('DJ');
    expect(g.voiceStates.cache.get(alice.id)?.channelId).toBe(voice.id);
  });

  test('discord.js computes the same permissions from the fake\'s roles and overwrites', () => {
    const channel = client.channels.cache.get(voice.id);
    if (channel?.type !== ChannelType.GuildVoice) throw new Error('voice channel missing');
    const mine = channel.permissionsFor(client.user!)!;
    expect(mine.has(P.Connect)).toBe(true);
    expect(mine.has(P.Speak)).toBe(false);
    expect(mine.bitfield).toBe(guild.permissionsFor(discord.bot, voice));
  });

  test('world changes after login arrive as dispatches', async () => {
    const seen = once(client, Events.VoiceStateUpdate);
    guild.setVoiceState(bob, voice);
    await withTimeout(seen, 5000, 'VoiceStateUpdate for bob');
    expect(client.guilds.cache.get(guild.id)!.voiceStates.cache.get(bob.id)?.channelId).toBe(voice.id);

    const lobby = guild.addTextChannel({ name: 'lobby' });
    await waitFor(() => client.channels.cache.get(lobby.id), { timeout: 5000, message: 'CHANNEL_CREATE for #lobby' });
  });
});

test('voice states reach only a bot with the GuildVoiceStates intent', async () => {
  const discord = await FakeDiscord.start();
  try {
    const { guild, voice, alice } = discord.seedGuild();
    guild.setVoiceState(alice, voice);
    const client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds] });
    guild.setVoiceState(alice, null);
    guild.addTextChannel({ name: 'sync' }); // a later event proves earlier ones were delivered (or not)
    await waitFor(() => client.channels.cache.find((c) => 'name' in c && c.name === 'sync'), { timeout: 5000, message: '#sync' });
    expect(client.guilds.cache.get(guild.id)!.voiceStates.cache.size).toBe(0);
    expect(discord.gateway.sessions[0]!.sent.map((e) => e.t)).not.toContain('VOICE_STATE_UPDATE');
    await client.destroy();
  } finally {
    await discord.stop();
  }
});

describe('gateway faults', () => {
  let discord: FakeDiscord;
  let client: Client & { errors: Error[] };
  let bot: TinyBot;

  beforeAll(async () => {
    discord = await FakeDiscord.start();
    discord.seedGuild();
    client = await loginClient(discord, { intents: INTENTS });
    bot = attachTinyBot(client, { ogg: Buffer.from('OggS'), midi: Buffer.from('MThd') });
    await client.application!.commands.set(TINY_COMMANDS);
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.stop();
  });

  test('a disconnect during a job: the bot resumes, missed interactions are replayed, the result arrives', async () => {
    bot.gated = true;
    const job = await discord.invoke('compose', { style: 'jig' });
    await job.waitForOriginal((m) => m.content === 'Composing… 50%');

    const back = discord.gateway.disconnect(4000);
    const missed = await discord.invoke('ping'); // sent while the bot is offline: buffered
    expect(await back).toBe('resumed');
    expect(discord.gateway.connections.at(-1)!.path).toBe('/gateway-resume');
    expect(discord.gateway.identifies).toBe(1);
    expect(discord.gateway.sessions[0]!.replayed).toBeGreaterThanOrEqual(1);

    expect((await missed.waitForOriginal()).content).toBe('pong');
    bot.gates.get(job.id)!();
    bot.gated = false;
    const final = await job.waitForOriginal((m) => m.attachments.length === 2);
    expect(final.history.filter((h) => h.content === 'Done')).toHaveLength(1);
  });

  test('op 7 RECONNECT: the bot reconnects and resumes', async () => {
    expect(await discord.gateway.requestReconnect()).toBe('resumed');
    const it = await discord.invoke('ping');
    expect((await it.waitForOriginal()).content).toBe('pong');
  });

  test('INVALID_SESSION: the bot identifies again and keeps working', async () => {
    expect(await discord.gateway.invalidateSession(false)).toBe('identified');
    expect(discord.gateway.identifies).toBe(2);
    const it = await discord.invoke('ping');
    expect((await it.waitForOriginal()).content).toBe('pong');
    expect(client.errors).toEqual([]);
    expect(bot.errors).toEqual([]);
  });
});

describe('sharding: several shards identify, and each guild is served by (guild_id >> 22) % count', () => {
  let discord: FakeDiscord;
  const clients: (Client & { errors: Error[] })[] = [];
  const guilds: FakeGuild[] = [];

  beforeAll(async () => {
    discord = await FakeDiscord.start();
    discord.gatewayAdvice = { shards: 3, maxConcurrency: 16 };
    // Creation times one ms apart: consecutive shards.
    const base = Date.now() - 60_000;
    for (let i = 0; i < 6; i++) guilds.push(discord.seedGuild(`g${i}`, snowflakeAt(base + i)).guild);
    // Shard 0 alone in one client (one process), shards 1 and 2 together in another.
    clients.push(await loginClient(discord, { intents: INTENTS, shards: [0], shardCount: 3 }));
    clients.push(await loginClient(discord, { intents: INTENTS, shards: [1, 2], shardCount: 3 }));
  });
  afterAll(async () => {
    for (const c of clients) await c.destroy();
    await discord?.stop();
  });

  const shardOf = (id: string) => Number((BigInt(id) >> 22n) % 3n);

  test('GET /gateway/bot advises the count; each IDENTIFY carries [id, 3]', async () => {
    const res = await fetch(`${discord.env().DISCORD_API_BASE}/v10/gateway/bot`, { headers: { authorization: `Bot ${discord.token}` } });
    expect(await res.json()).toMatchObject({ shards: 3, session_start_limit: { max_concurrency: 16 } });
    const shards = discord.gateway.received.filter((f) => f.op === 2).map((f) => (f.d as { shard: [number, number] }).shard);
    expect(shards.sort()).toEqual([[0, 3], [1, 3], [2, 3]]);
  });

  test('each client sees exactly the guilds of its shards', () => {
    expect(new Set(guilds.map((g) => shardOf(g.id)))).toEqual(new Set([0, 1, 2]));
    expect([...clients[0]!.guilds.cache.keys()].sort()).toEqual(guilds.filter((g) => shardOf(g.id) === 0).map((g) => g.id).sort());
    expect([...clients[1]!.guilds.cache.keys()].sort()).toEqual(guilds.filter((g) => shardOf(g.id) !== 0).map((g) => g.id).sort());
    for (const g of guilds) expect(clients[shardOf(g.id) === 0 ? 0 : 1]!.guilds.cache.get(g.id)!.shardId).toBe(shardOf(g.id));
  });

  test('an event in a guild reaches only the shard that owns it', async () => {
    const seen: string[][] = [[], []];
    clients.forEach((c, i) => c.on(Events.ChannelCreate, (ch) => void ('guildId' in ch && seen[i]!.push(ch.guildId))));
    for (const g of guilds) g.addTextChannel({ name: 'sharded' });
    await waitFor(() => seen[0]!.length + seen[1]!.length === guilds.length, { timeout: 5000, message: 'every CHANNEL_CREATE' });
    expect(seen[0]!.sort()).toEqual(guilds.filter((g) => shardOf(g.id) === 0).map((g) => g.id).sort());
    expect(seen[1]!.sort()).toEqual(guilds.filter((g) => shardOf(g.id) !== 0).map((g) => g.id).sort());
    expect(clients.flatMap((c) => c.errors)).toEqual([]);
  });
});

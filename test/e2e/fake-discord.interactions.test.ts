import { DiscordAPIError, GatewayIntentBits, Routes, type Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeDiscord, type FakeChannel, type FakeGuild, type FakeUser } from '../support/fake-discord.ts';
import { loginClient } from '../support/discord-client.ts';
import { waitFor } from '../support/wait.ts';
import { STYLES, TINY_COMMANDS, attachTinyBot, type TinyBot } from './support/tiny-bot.ts';

// Recognisable bytes: the test checks the fake recorded exactly what discord.js uploaded.
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(3000, 7)]);
const MIDI = Buffer.concat([Buffer.from('MThd'), Buffer.alloc(200, 3)]);

let discord: FakeDiscord;
let client: Client & { errors: Error[] };
let bot: TinyBot;
let guild: FakeGuild;
let text: FakeChannel;
let alice: FakeUser;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  ({ guild, text, alice } = discord.seedGuild());
  client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds] });
  bot = attachTinyBot(client, { ogg: OGG, midi: MIDI });
  await client.application!.commands.set(TINY_COMMANDS);
});

afterAll(async () => {
  await client?.destroy();
  await discord?.stop();
});

describe('command registration', () => {
  test('the bulk PUT is recorded and registers every command', () => {
    const puts = discord.rest.find({ method: 'PUT', route: '/applications/:app/commands' });
    expect(puts).toHaveLength(1);
    expect(discord.commands.global.map((c) => c.name)).toEqual(['compose', 'ping', 'slow']);
    expect(discord.commands.overwrites[0]!.body).toEqual(TINY_COMMANDS);
  });

  test('definitions that break Discord limits are refused with 50035', async () => {
    const bad = [{ name: 'Compose', description: 'x'.repeat(101), options: [] }];
    const error = await client.application!.commands.set(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect((error as DiscordAPIError).message).toMatch(/0\.name.*lowercase/s);
    expect((error as DiscordAPIError).message).toMatch(/0\.description.*100 or fewer/s);
    expect(discord.commands.global.map((c) => c.name)).toEqual(['compose', 'ping', 'slow']);
  });
});

describe('slash commands', () => {
  test('deferReply → progress edit → final edit with files, embed and components → follow-up', async () => {
    const it = await discord.invoke('compose', { style: 'jazz', length: 30 }, { user: alice, channel: text });
    const final = await it.waitForOriginal((m) => m.attachments.length === 2);

    expect(it.callback!.type).toBe(5);
    expect(it.respondedInMs).toBeLessThan(3000);
    expect(final.history.map((h) => h.content)).toEqual(['', 'Composing… 50%', 'Done']);
    expect(final.history[0]!.flags & 128).toBe(128); // the "thinking…" placeholder
    expect(final.loading).toBe(false);
    expect(final.attachment('piece.ogg').data.equals(OGG)).toBe(true);
    expect(final.attachment('.mid').data.equals(MIDI)).toBe(true);
    expect(final.embeds[0]).toMatchObject({ title: 'Your piece', fields: [{ name: 'Style', value: 'jazz' }, { name: 'Length', value: '30 s' }] });
    expect(final.customIds).toEqual(['again', 'midi', 'mood']);

    // The multipart edit as recorded on the wire: payload_json + files[n].
    const edit = discord.rest.find({ method: 'PATCH', path: /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/ }).at(-1)!;
    expect(edit.multipart).toBe(true);
    expect(edit.files.map((f) => [f.field, f.filename])).toEqual([['files[0]', 'piece.ogg'], ['files[1]', 'piece.mid']]);
    expect(edit.json).toMatchObject({ content: 'Done', attachments: [{ id: '0' }, { id: '1' }] });

    const seed = await it.waitForFollowup();
    expect(seed.content).toBe('Seed: 42');
    expect(seed.ephemeral).toBe(true);
    expect(discord.messagesIn(text)).toContain(final);
    expect(discord.messagesIn(text)).not.toContain(seed); // ephemeral: not in the channel

    // Attachments are downloadable at their URL, like Discord's CDN.
    const res = await fetch(final.attachment('piece.mid').url);
    expect(Buffer.from(await res.arrayBuffer()).equals(MIDI)).toBe(true);
  });

  test('an immediate ephemeral reply', async () => {
    const it = await discord.invoke('ping', {}, alice);
    const reply = await it.waitForOriginal();
    expect(it.callback!.type).toBe(4);
    expect(reply).toMatchObject({ content: 'pong', ephemeral: true });
  });

  test('options are typed and checked against the registered definition', async () => {
    await expect(discord.invoke('compose', { tempo: 3 })).rejects.toThrow(/no option "tempo"/);
    await expect(discord.invoke('compose', { length: 500 })).rejects.toThrow(/above max_value 120/);
    await expect(discord.invoke('compose', { length: '30' })).rejects.toThrow(/expects an integer/);
    await expect(discord.invoke('nope')).rejects.toThrow(/\/nope is not registered/);
  });

  test('a response later than Discord\'s window gets 10062 Unknown interaction', async () => {
    discord.responseWindowMs = 150;
    bot.slowDelayMs = 300;
    try {
      const it = await discord.invoke('slow');
      await waitFor(() => bot.errors.length > 0, { timeout: 5000, message: 'the late deferReply to fail' });
      expect((bot.errors.pop() as DiscordAPIError).code).toBe(10062);
      expect(it.acknowledged).toBe(false);
      expect(it.rejectedCallbacks.map((r) => r.code)).toEqual([10062]);
    } finally {
      discord.responseWindowMs = 3000;
    }
  });

  test('a second acknowledgement gets 40060', async () => {
    const it = await discord.invoke('ping');
    await it.waitForCallback();
    const error = await client.rest
      .post(Routes.interactionCallback(it.id, it.token), { body: { type: 5 }, auth: false })
      .catch((e: unknown) => e);
    expect((error as DiscordAPIError).code).toBe(40060);
  });
});

describe('components and autocomplete', () => {
  test('buttons and a select menu on the result', async () => {
    const it = await discord.invoke('compose', { style: 'blues' });
    const result = await it.waitForOriginal((m) => m.attachments.length === 2);

    const midi = await discord.click(result, 'midi');
    const dm = await midi.waitForOriginal();
    expect(midi.payload).toMatchObject({ type: 3, data: { custom_id: 'midi', component_type: 2 }, message: { id: result.id } });
    expect(dm.ephemeral).toBe(true);
    expect(dm.attachment('piece.mid').data.equals(MIDI)).toBe(true);

    const mood = await discord.select(result, 'mood', ['sad']);
    expect((await mood.waitForOriginal()).content).toBe('Mood: sad');
    expect(() => discord.select(result, 'mood', ['angry'])).toThrow(/no option "angry"/);

    const again = await discord.click(result, 'again');
    await again.waitForCallback();
    expect(again.callback!.type).toBe(7); // UPDATE_MESSAGE edits the message the button is on
    expect(result.content).toBe('Again!');
    expect(result.components).toEqual([]);
    expect(() => discord.click(result, 'again')).toThrow(/no component "again"/);
  });

  test('autocomplete returns the bot\'s choices for the focused option', async () => {
    const choices = await discord.autocomplete('compose', { style: 'j' }, 'style');
    expect(choices).toEqual([{ name: 'jazz', value: 'jazz' }, { name: 'jig', value: 'jig' }]);
    expect(STYLES.length).toBeGreaterThan(choices.length);
    const last = [...discord.interactions.values()].at(-1)!;
    expect(last.payload).toMatchObject({ type: 4, data: { options: [{ name: 'style', value: 'j', focused: true }] } });
  });
});

describe('Discord limits and unimplemented routes', () => {
  test('an embed over Discord\'s limits is refused with 50035, and the message keeps its state', async () => {
    const it = await discord.invoke('ping');
    const reply = await it.waitForOriginal();
    const error = await client.rest
      .patch(Routes.webhookMessage(discord.applicationId, it.token), { body: { embeds: [{ title: 'x'.repeat(257) }] }, auth: false })
      .catch((e: unknown) => e);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect((error as DiscordAPIError).message).toMatch(/embeds\.0\.title/);
    expect(reply.content).toBe('pong');
  });

  test('files over the guild upload limit get 413 / 40005', async () => {
    guild.uploadLimitBytes = 1000;
    try {
      const it = await discord.invoke('compose', {});
      await waitFor(() => bot.errors.length > 0, { timeout: 5000, message: 'the oversized upload to fail' });
      expect((bot.errors.pop() as DiscordAPIError).code).toBe(40005);
      expect(it.payload.attachment_size_limit).toBe(1000);
      expect(it.original!.attachments).toEqual([]);
    } finally {
      guild.uploadLimitBytes = 10 * 1024 * 1024;
    }
  });

  test('a route the fake does not implement is a 404 that names it', async () => {
    const error = await client.rest.get(Routes.guildBans(guild.id)).catch((e: unknown) => e);
    expect((error as DiscordAPIError).status).toBe(404);
    expect((error as DiscordAPIError).message).toBe(`fake-discord does not implement GET /api/v10/guilds/${guild.id}/bans`);
    expect(discord.rest.unimplemented.map((c) => c.path)).toEqual([`/guilds/${guild.id}/bans`]);
    discord.rest.unimplemented.length = 0;
  });

  test('nothing the client did hit an unimplemented route or errored', () => {
    expect(discord.rest.unimplemented).toEqual([]);
    expect(client.errors).toEqual([]);
    expect(bot.errors).toEqual([]);
  });
});

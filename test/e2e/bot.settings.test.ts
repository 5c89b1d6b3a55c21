/**
 * /settings through the fake Discord: who may use it (default_member_permissions and the run-time
 * check), each setting taking effect on the next /compose, and persistence across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartBot, stopHarness } from '../bot/restartBot.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import { Permissions as P, type FakeChannel, type FakeMessage, type FakeRole, type InteractionRecord } from '../support/fake-discord.ts';

let h: Harness;
let music: FakeChannel;
let dj: FakeRole;

const embedFields = (m: FakeMessage) => Object.fromEntries(((m.embeds[0]?.fields ?? []) as { name: string; value: string }[]).map((f) => [f.name, f.value]));
const description = (m: FakeMessage) => String((m.embeds[0] as { description?: string } | undefined)?.description ?? '');

/** Run a /settings subcommand as alice (who has Manage Server) and return its ephemeral reply. */
async function settings(path: string, options: Parameters<Harness['discord']['invoke']>[1] = {}): Promise<FakeMessage> {
  const it = await h.discord.invoke(`settings ${path}`, options, h.seeded.alice);
  const reply = await it.waitForOriginal();
  expect(it.ephemeral).toBe(true);
  return reply;
}

/** A short /compose by bob; resolves with the interaction once it was answered (deferred or refused). */
async function compose(options: Record<string, string | number> = {}, channel?: FakeChannel): Promise<InteractionRecord> {
  const it = await h.discord.invoke('compose', { style: 'lofi', mood: 'calm', duration: '3', seed: 11, ...options }, { user: h.seeded.bob, ...(channel ? { channel } : {}) });
  await it.waitForCallback();
  return it;
}

const finished = (it: InteractionRecord) => it.waitForOriginal((m) => m.attachments.length === 3, 60_000);

beforeAll(async () => {
  h = await startHarness({ USER_REQUESTS_PER_MINUTE: '100' });
  const { guild, alice } = h.seeded;
  const admin = guild.addRole({ name: 'Admin', permissions: P.ManageGuild });
  dj = guild.addRole({ name: 'DJ' });
  guild.setMemberRoles(alice, [admin]);
  music = guild.addTextChannel({ name: 'music' });
  await h.discord.waitFor(() => h.bot.client.channels.cache.has(music.id), { timeout: 5000, message: 'the bot to see #music' });
});
afterAll(async () => {
  await stopHarness(h);
});

describe('/settings', () => {
  it('show is for everyone; changes need Manage Server, checked at run time with a clear refusal', async () => {
    const { guild, bob } = h.seeded;
    const registered = h.discord.commands.find('settings', guild.id)!;
    // Showing the settings is harmless, so no member is hidden from the command.
    expect(registered.default_member_permissions).toBeNull();
    const show = await h.discord.invoke('settings show', {}, bob);
    const shown = await show.waitForOriginal();
    expect(show.ephemeral).toBe(true);
    expect(embedFields(shown)).toMatchObject({ 'Default format': 'Ogg Opus', Cooldown: 'none' });
    expect(description(shown)).toMatch(/Manage Server/);

    for (const [path, options] of [['format', { format: 'wav' }], ['cooldown', { seconds: 30 }], ['reset', {}]] as const) {
      const it = await h.discord.invoke(`settings ${path}`, options, bob);
      const reply = await it.waitForOriginal();
      expect(it.ephemeral).toBe(true);
      expect(reply.content).toMatch(/^Only members with the \*\*Manage Server\*\* permission can change/);
      expect(reply.content).toMatch(/\/settings show/);
    }
    expect((await h.bot.ctx.settings.get(guild.id)).defaultFormat).toBe('ogg');
    expect((await h.bot.ctx.settings.get(guild.id)).cooldownSec).toBe(0);
  });

  it('default format: the next /compose posts MP3', async () => {
    const reply = await settings('format', { format: 'mp3' });
    expect(description(reply)).toMatch(/now MP3/);
    expect(embedFields(reply)['Default format']).toBe('MP3');
    const final = await finished(await compose());
    expect(final.attachment('.mp3').contentType).toMatch(/audio\/mpeg|application\/octet-stream/);
    await settings('format', { format: 'ogg' });
  });

  it('longest piece: a longer request is refused, politely and only to the asker', async () => {
    await settings('max-duration', { seconds: 5 });
    const it = await compose({ duration: '8' });
    expect(it.callback!.type).toBe(4);
    expect(it.ephemeral).toBe(true);
    expect((await it.waitForOriginal()).content).toMatch(/up to 5 s; you asked for 8 s/);
    await settings('max-duration', { seconds: 300 });
  });

  it('cooldown: a second request right after the first is refused with the seconds left', async () => {
    await settings('cooldown', { seconds: 30 });
    const first = await compose({ seed: 12 });
    expect(first.callback!.type).toBe(5);
    const second = await compose({ seed: 13 });
    expect(second.ephemeral).toBe(true);
    expect((await second.waitForOriginal()).content).toMatch(/compose again in \d+ s \(this server's cooldown is 30 s\)/);
    await finished(first);
    await settings('cooldown', { seconds: 0 });
    await h.bot.ctx.settings.clearCooldown(h.seeded.guild.id, h.seeded.bob.id);
  });

  it('channels: once one is allowed, the bot composes only there', async () => {
    const reply = await settings('allow-channel', { channel: music });
    expect(embedFields(reply).Channels).toBe(`<#${music.id}>`);
    const elsewhere = await compose({ seed: 14 });
    expect(elsewhere.ephemeral).toBe(true);
    expect((await elsewhere.waitForOriginal()).content).toContain(`<#${music.id}>`);
    const there = await compose({ seed: 14 }, music);
    expect(there.callback!.type).toBe(5);
    await finished(there);
    const back = await settings('all-channels');
    expect(embedFields(back).Channels).toBe('every channel');
  });

  it('DJ role: stored for the voice controls', async () => {
    const reply = await settings('dj-role', { role: dj });
    expect(embedFields(reply)['DJ role (voice controls)']).toBe(`<@&${dj.id}>`);
    expect((await h.bot.ctx.settings.get(h.seeded.guild.id)).djRoleId).toBe(dj.id);
  });

  it('survive a restart of the bot and of redis-server (the voice volume too), and still apply to the next /compose', async () => {
    await settings('format', { format: 'mp3' });
    await settings('max-duration', { seconds: 6 });
    await settings('allow-channel', { channel: music });
    const volume = async (options: { percent?: number }) => (await (await h.discord.invoke('volume', options, h.seeded.alice)).waitForOriginal()).content;
    expect(await volume({ percent: 60 })).toMatch(/set the volume to 60%/);
    await restartBot(h, { restartRedis: true });
    expect(await volume({})).toMatch(/The volume is 60%/);

    const shown = embedFields(await settings('show'));
    expect(shown).toMatchObject({ 'Default format': 'MP3', 'Longest piece': '6 s', Channels: `<#${music.id}>`, 'DJ role (voice controls)': `<@&${dj.id}>` });
    const refused = await compose({ seed: 15 });
    expect((await refused.waitForOriginal()).content).toContain(`<#${music.id}>`);
    const tooLong = await compose({ seed: 15, duration: '7' }, music);
    expect((await tooLong.waitForOriginal()).content).toMatch(/up to 6 s/);
    const final = await finished(await compose({ seed: 15 }, music));
    expect(final.attachment('.mp3').size).toBeGreaterThan(0);
  });

  it('reset: back to the defaults', async () => {
    const reply = await settings('reset');
    expect((await (await h.discord.invoke('volume', {}, h.seeded.alice)).waitForOriginal()).content).toMatch(/The volume is 100%/);
    expect(embedFields(reply)).toMatchObject({ 'Default format': 'Ogg Opus', 'Longest piece': '300 s', Channels: 'every channel', 'DJ role (voice controls)': 'everyone' });
    expect(h.discord.rest.unimplemented).toEqual([]);
  });
});

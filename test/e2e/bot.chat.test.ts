/**
 * Talking to Tunesmith, end to end: the real bot (discord.js, BullMQ on a real redis-server, the
 * real composer and renderer) against the fake Discord on loopback. Mentions and DMs compose,
 * replies to a result edit it (re-render, extend, compose again), nonsense gets a clear reply,
 * the context-menu command and user-installed /compose work outside servers, voice refuses there,
 * bots (and the bot itself) are ignored, and a flood gets one notice.
 */
import tonejs from '@tonejs/midi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopHarness } from '../bot/restartBot.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import type { FakeMessage } from '../support/fake-discord.ts';
import { probe } from '../support/media.ts';

let h: Harness;
const fields = (m: FakeMessage) => Object.fromEntries(((m.embeds[0]?.fields ?? []) as { name: string; value: string }[]).map((f) => [f.name, f.value]));
const description = (m: FakeMessage) => String((m.embeds[0] as { description?: string } | undefined)?.description ?? '');
const bpmOf = (m: FakeMessage) => new tonejs.Midi(m.attachment('.mid').data).header.tempos[0]!.bpm;
const queued = async () => Object.values(await h.bot.ctx.producer.composeQueue.getJobCounts()).reduce((a, b) => a + b, 0);

/** The bot's reply to `m` once it carries a finished result (audio, MIDI, picture). */
function result(m: FakeMessage, timeout = 90_000): Promise<FakeMessage> {
  return h.discord.waitFor(() => h.discord.repliesTo(m).find((r) => r.attachments.length === 3), {
    timeout,
    message: () => `a result replying to “${m.content}” (replies now: ${JSON.stringify(h.discord.repliesTo(m).map((r) => r.content))})`,
  });
}
/** The bot's first reply to `m` (any content). */
function reply(m: FakeMessage, timeout = 15_000): Promise<FakeMessage> {
  return h.discord.waitFor(() => h.discord.repliesTo(m)[0], { timeout, message: `a reply to “${m.content}”` });
}

beforeAll(async () => {
  // Many requests by one member in a minute: lift the per-minute limit (the flood test sets a cooldown).
  h = await startHarness({ USER_REQUESTS_PER_MINUTE: '100' });
});
afterAll(async () => {
  await stopHarness(h);
});

describe('talking to Tunesmith', () => {
  let first: FakeMessage;
  let rerendered: FakeMessage;

  it('connects with exactly the intents it needs, none privileged', async () => {
    const session = await h.discord.gateway.waitForSession();
    // Guilds (1) | GuildVoiceStates (128) | GuildMessages (512) | DirectMessages (4096); no MessageContent (32768).
    expect(session.intents).toBe(1 | 128 | 512 | 4096);
  });

  it('registers where each command works, with German and Spanish names', () => {
    const byName = new Map(h.discord.commands.global.map((c) => [c.name, c]));
    expect(byName.get('compose')).toMatchObject({ integration_types: [0, 1], contexts: [0, 1, 2], name_localizations: { de: 'komponieren', 'es-ES': 'componer' } });
    expect(byName.get('Compose from this message')).toMatchObject({ type: 3, integration_types: [0, 1], contexts: [0, 1, 2] });
    for (const guildOnly of ['play', 'queue', 'skip', 'stop', 'nowplaying', 'volume', 'settings']) {
      expect(byName.get(guildOnly), guildOnly).toMatchObject({ integration_types: [0], contexts: [0] });
    }
  });

  it('a mention composes and replies with the result, with progress edits on the way', async () => {
    const { text, alice } = h.seeded;
    const before = await queued();
    first = h.discord.sendMessage(alice, text, 'sad piano, 4 seconds, 82 bpm', { mentionBot: true });
    const done = await result(first);
    expect(done.reference).toBe(first);
    expect(done.history.some((s) => /Queued|Composing|Rendering/.test(s.content))).toBe(true);
    expect(fields(done)).toMatchObject({ Mood: 'sad', Tempo: '82 bpm', Length: '0:04' });
    expect(Math.abs((await probe(done.attachment('.ogg').data, '.ogg')).durationSec - 4)).toBeLessThanOrEqual(0.02);
    expect(await queued()).toBeGreaterThan(before);
  });

  it('a reply "slower" re-renders the same notes at the lower tempo and says what changed and was kept', async () => {
    const done = await result(first);
    const ask = h.discord.sendMessage(h.seeded.alice, h.seeded.text, 'slower', { replyTo: done });
    rerendered = await result(ask);
    // 82 × 0.85 = 69.7 bpm; nothing composed again.
    expect(bpmOf(rerendered)).toBeCloseTo(69.7, 1);
    expect(rerendered.content).toMatch(/tempo 82 → 69\.7 bpm/);
    expect(rerendered.content).toMatch(/key and melody kept/);
    expect(description(rerendered)).toMatch(/Re-rendered from .* with the same notes/);
    const notes = (m: FakeMessage) => new tonejs.Midi(m.attachment('.mid').data).tracks.map((t) => t.notes.map((n) => n.midi).join(','));
    expect(notes(rerendered)).toEqual(notes(done));
  });

  it('chains: "even slower" goes on from the re-rendered piece, and "more" repeats the last change', async () => {
    const ask = h.discord.sendMessage(h.seeded.alice, h.seeded.text, 'even slower', { replyTo: rerendered });
    const slower = await result(ask);
    expect(bpmOf(slower)).toBeCloseTo(69.7 * 0.85, 1);
    const more = h.discord.sendMessage(h.seeded.alice, h.seeded.text, 'more', { replyTo: slower });
    const again = await result(more);
    expect(bpmOf(again)).toBeCloseTo(69.7 * 0.85 * 0.85, 1);
  });

  it('a reply "longer" extends the piece: the original note for note, then more', async () => {
    const done = await result(first);
    const ask = h.discord.sendMessage(h.seeded.alice, h.seeded.text, 'longer', { replyTo: done });
    const extended = await result(ask);
    expect(fields(extended).Length).toBe('0:08');
    expect(Math.abs((await probe(extended.attachment('.ogg').data, '.ogg')).durationSec - 8)).toBeLessThanOrEqual(0.02);
    expect(description(extended)).toMatch(/Extended .* from 0:04 to 0:08/);
    expect(extended.content).toMatch(/length 0:04 → 0:08/);
  });

  it('a reply "no drums, add strings" re-renders without the drum track and with a strings layer', async () => {
    const ask = h.discord.sendMessage(h.seeded.bob, h.seeded.text, 'lofi, 4 seconds, seed 5', { mentionBot: true });
    const lofi = await result(ask);
    const tracks = (m: FakeMessage) => new tonejs.Midi(m.attachment('.mid').data).tracks.filter((t) => t.notes.length > 0);
    expect(tracks(lofi).some((t) => t.channel === 9)).toBe(true);
    const edit = h.discord.sendMessage(h.seeded.bob, h.seeded.text, 'no drums, add strings', { replyTo: lofi });
    const edited = await result(edit);
    expect(tracks(edited).some((t) => t.channel === 9)).toBe(false);
    expect(tracks(edited).some((t) => t.instrument.number === 48)).toBe(true);
    expect(edited.content).toMatch(/strings added \(doubling the chords\); drums removed; tempo, key and melody kept/);

    // Once the stored result has expired, the piece is rebuilt from the MIDI file on the message.
    const resultId = edited.customIds.find((c) => c.startsWith('ts:var:'))!.split(':')[2]!;
    expect(await h.bot.ctx.redis.del(`tunesmith:result:${resultId}`)).toBe(1);
    const faster = await result(h.discord.sendMessage(h.seeded.bob, h.seeded.text, 'faster', { replyTo: edited }));
    expect(bpmOf(faster)).toBeCloseTo(bpmOf(edited) * 1.15, 1);
    expect(tracks(faster).some((t) => t.instrument.number === 48)).toBe(true);
    expect(h.logs.some((l) => /rebuilt the source from the posted MIDI file/.test(l))).toBe(true);
  });

  it('a mention in a thread started from a result edits that result', async () => {
    const done = await result(first);
    const thread = h.seeded.guild.addThread(h.seeded.text, done, 'ideas');
    const ask = h.discord.sendMessage(h.seeded.alice, thread, 'faster', { mentionBot: true });
    const faster = await result(ask);
    expect(faster.channelId).toBe(thread.id);
    expect(bpmOf(faster)).toBeCloseTo(82 * 1.15, 1);
  });

  it('a reply "like this but happier" composes again with the same seed', async () => {
    const done = await result(first);
    const ask = h.discord.sendMessage(h.seeded.bob, h.seeded.text, 'like this but happier', { replyTo: done });
    const happier = await result(ask);
    expect(fields(happier).Mood).toBe('happy');
    expect(fields(happier).Seed).toBe(fields(done).Seed);
    expect(happier.content).toMatch(/mood sad → happy/);
  });

  it('a nonsense reply gets a clear answer naming the words, and nothing is composed', async () => {
    const done = await result(first);
    const before = await queued();
    const ask = h.discord.sendMessage(h.seeded.bob, h.seeded.text, 'blorptastic zzqxv', { replyTo: done });
    const answer = await reply(ask);
    expect(answer.content).toMatch(/didn't understand “blorptastic” or “zzqxv” as a change/);
    expect(answer.content.match(/^• `[^`]+`$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(answer.content).toMatch(/Nearest words I know: \*\*/);
    expect(answer.attachments).toEqual([]);
    expect(await queued()).toBe(before);
  });

  it('a mention of which nothing was understood gets the same kind of answer', async () => {
    const before = await queued();
    const ask = h.discord.sendMessage(h.seeded.bob, h.seeded.text, 'asdkjh qwpoeiru zzxxcc', { mentionBot: true });
    const answer = await reply(ask);
    expect(answer.content).toMatch(/didn't understand “asdkjh”, “qwpoeiru” or “zzxxcc”/);
    expect(await queued()).toBe(before);
  });

  it('a DM composes and replies in the DM', async () => {
    const dm = h.discord.world.dmWith(h.seeded.bob);
    const ask = h.discord.sendMessage(h.seeded.bob, dm, 'happy folk jingle, 3 seconds');
    const done = await result(ask);
    expect(done.channelId).toBe(dm.id);
    expect(done.guildId).toBeNull();
    expect(fields(done)).toMatchObject({ Style: 'folk', Mood: 'happy', Length: '0:03' });
  });

  it('"Compose from this message" composes from another message’s text', async () => {
    const note = h.discord.sendMessage(h.seeded.bob, h.seeded.text, 'mysterious ambient, 3 seconds');
    const it1 = await h.discord.invokeMessageCommand('Compose from this message', note, h.seeded.alice);
    const done = await it1.waitForOriginal((m) => m.attachments.length === 3, 90_000);
    expect(fields(done)).toMatchObject({ Style: 'ambient', Mood: 'mysterious', Length: '0:03' });
  });

  it('/compose works in the bot’s DM too (context 1); /play is not offered there', async () => {
    const dm = h.discord.world.dmWith(h.seeded.alice);
    const it1 = await h.discord.invoke('compose', { prompt: 'playful chiptune, 2 seconds', seed: 12 }, { user: h.seeded.alice, channel: dm });
    const done = await it1.waitForOriginal((m) => m.attachments.length === 3, 90_000);
    expect(done.channelId).toBe(dm.id);
    expect(it1.payload).toMatchObject({ context: 1, authorizing_integration_owners: { '0': '0' } });
    await expect(h.discord.invoke('play', { prompt: 'jazz' }, { user: h.seeded.alice, channel: dm })).rejects.toThrow(/not offered in the bot's DM/);
  });

  it('user-installed in a group DM: /compose works; voice is not offered, and its button refuses politely', async () => {
    const group = h.discord.world.addGroupDM([h.seeded.alice, h.seeded.bob]);
    const where = { user: h.seeded.alice, channel: group, install: 'user' as const };
    const it1 = await h.discord.invoke('compose', { prompt: 'calm jazz, 3 seconds', seed: 77 }, where);
    const done = await it1.waitForOriginal((m) => m.attachments.length === 3, 90_000);
    expect(done.channelId).toBe(group.id);
    expect(fields(done)).toMatchObject({ Style: 'jazz', Seed: '77' });
    await expect(h.discord.invoke('play', { prompt: 'jazz' }, where)).rejects.toThrow(/not offered/);
    await expect(h.discord.invoke('settings show', {}, where)).rejects.toThrow(/not offered/);
    const resultId = done.customIds.find((c) => c.startsWith('ts:play:'))!;
    const click = await h.discord.click(done, resultId, where);
    const refusal = await click.waitForOriginal();
    expect(click.ephemeral).toBe(true);
    expect(refusal.content).toMatch(/Voice playback works only in servers that added Tunesmith/);
  });

  it('user-installed in a server that never added the bot: /compose works there; voice and settings are not offered', async () => {
    const server = h.discord.world.addGuild({ name: 'No Bot Here', owner: h.seeded.bob, withoutBot: true });
    const text = server.addTextChannel({ name: 'general' });
    server.addMember(h.seeded.alice);
    const where = { user: h.seeded.alice, channel: text, install: 'user' as const };
    await expect(h.discord.invoke('compose', { prompt: 'jazz' }, { user: h.seeded.alice, channel: text })).rejects.toThrow(/never added the app/);
    const it1 = await h.discord.invoke('compose', { prompt: 'happy folk, 3 seconds', seed: 31 }, where);
    const done = await it1.waitForOriginal((m) => m.attachments.length === 3, 90_000);
    expect(it1.payload).toMatchObject({ context: 0, guild_id: server.id, authorizing_integration_owners: { '1': h.seeded.alice.id } });
    expect(done.channelId).toBe(text.id);
    expect(fields(done)).toMatchObject({ Style: 'folk', Seed: '31' });
    await expect(h.discord.invoke('play', { prompt: 'jazz' }, where)).rejects.toThrow(/not offered to a user-installed app/);
    await expect(h.discord.invoke('settings show', {}, where)).rejects.toThrow(/not offered to a user-installed app/);
    const click = await h.discord.click(done, done.customIds.find((c) => c.startsWith('ts:play:'))!, where);
    const refusal = await click.waitForOriginal();
    expect(click.ephemeral).toBe(true);
    expect(refusal.content).toMatch(/Voice playback works only in servers that added Tunesmith/);
  });

  it('ignores other bots and itself, and messages that do not mention it', async () => {
    const { guild, text, alice } = h.seeded;
    const robot = h.discord.world.addUser({ username: 'robot', bot: true });
    guild.addMember(robot);
    const fromBot = h.discord.sendMessage(robot, text, 'lofi, 3 seconds', { mentionBot: true });
    const fromSelf = h.discord.sendMessage(h.discord.bot, text, 'lofi, 3 seconds', { mentionBot: true });
    const unaddressed = h.discord.sendMessage(alice, text, 'lofi, 3 seconds');
    // A message it does answer, sent after them: once that reply is there, the others were seen.
    const sentinel = h.discord.sendMessage(alice, text, 'qqqzzz', { mentionBot: true });
    await reply(sentinel);
    expect(h.discord.repliesTo(fromBot)).toEqual([]);
    expect(h.discord.repliesTo(fromSelf)).toEqual([]);
    expect(h.discord.repliesTo(unaddressed)).toEqual([]);
  });

  it('a flood of mentions is held to the cooldown with one short notice, not one per message', async () => {
    const { guild, text, bob, alice } = h.seeded;
    await h.bot.ctx.settings.update(guild.id, { cooldownSec: 60 });
    try {
      const flood = Array.from({ length: 5 }, (_, i) => h.discord.sendMessage(bob, text, `lofi, 2 seconds, seed ${900 + i}`, { mentionBot: true }));
      const sentinel = h.discord.sendMessage(alice, text, 'zzqqxx', { mentionBot: true });
      await reply(sentinel);
      await h.discord.waitFor(() => flood.filter((m) => h.discord.repliesTo(m).length > 0).length >= 2, { timeout: 15_000, message: 'a result and a notice' });
      const replies = flood.flatMap((m) => h.discord.repliesTo(m));
      const notices = replies.filter((r) => /Easy there|Slow down/.test(r.content));
      const accepted = replies.filter((r) => !/Easy there|Slow down/.test(r.content));
      expect(notices).toHaveLength(1);
      expect(accepted).toHaveLength(1);
    } finally {
      await h.bot.ctx.settings.update(guild.id, { cooldownSec: 0 });
    }
  });

  it('the fake saw nothing it does not implement, and no token reached the logs', () => {
    expect(h.discord.rest.unimplemented).toEqual([]);
    expect(h.logs.join('\n')).not.toContain(h.env.DISCORD_TOKEN);
  });
});

/**
 * Voice playback end to end: the real bot (discord.js + @discordjs/voice) against the fake
 * Discord, which decrypts the RTP it receives and decodes the Opus. Pieces are short (2–6 s)
 * because playback runs in real time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceManager } from '../../src/bot/voice/manager.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import { decodeFrames, decodeOpus, Permissions as P, type FakeChannel, type FakeGuild, type FakeMessage, type FakeUser, type InteractionRecord, type OpusFrame } from '../support/fake-discord.ts';
import { probe } from '../support/media.ts';
import { waitFor } from '../support/wait.ts';

const IDLE_SEC = 5;
let h: Harness;
let guild: FakeGuild;
let music: FakeChannel;
let alice: FakeUser;
let bob: FakeUser;
/** A stored 3 s result (composed through /compose), played by several tests. */
let result: { message: FakeMessage; playId: string; durationMs: number; frames: Buffer[]; pcm: Int16Array } | undefined;

beforeAll(async () => {
  h = await startHarness({ VOICE_IDLE_SEC: String(IDLE_SEC) });
  ({ guild, voice: music, alice, bob } = h.seeded);
  await setVoice(alice, music);
});

afterEach(async () => {
  // Each test starts with the bot out of voice, at 100 %, with no DJ role and alice in Music.
  manager().leaveAll('stopped');
  for (const g of h.discord.world.guilds.values()) {
    await waitFor(() => !g.voiceStates.has(h.discord.bot.id), { timeout: 5000, message: `the bot to leave voice in ${g.name}` });
    await manager().setVolume(g.id, 100);
  }
  await waitFor(() => h.discord.voice.connections.every((c) => c.closed), { timeout: 5000, message: 'every voice socket to close' });
  await h.bot.ctx.settings.update(guild.id, { djRoleId: null });
  if (guild.voiceChannelOf(alice) !== music) await setVoice(alice, music);
  if (guild.voiceStates.has(bob.id)) await setVoice(bob, null);
});

afterAll(async () => {
  await h?.stop();
});

const manager = () => h.bot.ctx.services.voice as VoiceManager;

async function gauge(): Promise<number> {
  return (await h.bot.ctx.metrics.voiceConnections.get()).values[0]?.value ?? 0;
}

/** Move a member (or the bot) in the fake and wait until the bot's cache agrees. */
async function setVoice(user: FakeUser, channel: FakeChannel | null, g: FakeGuild = guild): Promise<void> {
  g.setVoiceState(user, channel);
  await waitFor(() => (h.bot.client.guilds.cache.get(g.id)?.voiceStates.cache.get(user.id)?.channelId ?? null) === (channel?.id ?? null), {
    timeout: 5000,
    message: `the bot to see ${user.username} ${channel ? `in ${channel.name}` : 'leave voice'}`,
  });
}

async function answer(it: InteractionRecord): Promise<FakeMessage> {
  await it.waitForCallback();
  return it.waitForOriginal();
}

/** The reply of a /play or "Play in voice" once it says "Now playing" (after the first packet went out). */
async function playing(it: InteractionRecord): Promise<FakeMessage> {
  await it.waitForCallback();
  return it.waitForOriginal((m) => /Now playing/.test(m.content), 20_000);
}

/** Audio frames (silence padding left out) the bot sent in a guild since `from`, over every connection. */
function framesSince(g: FakeGuild, from: number, until = Infinity): OpusFrame[] {
  return h.discord.voice.connections
    .filter((c) => c.guildId === g.id)
    .flatMap((c) => c.audioFrames)
    .filter((f) => f.receivedAt >= from && f.receivedAt < until)
    .sort((a, b) => a.receivedAt - b.receivedAt);
}

/** Speaking updates in a guild since `from`, over every connection. */
function speakingSince(g: FakeGuild, from: number): { speaking: number; at: number }[] {
  return h.discord.voice.connections
    .filter((c) => c.guildId === g.id)
    .flatMap((c) => c.speaking)
    .filter((s) => s.at >= from)
    .sort((a, b) => a.at - b.at);
}

/** Wait until the bot has played something since `from` and has nothing left to play. */
async function playbackDone(g: FakeGuild, from: number, timeout = 20_000): Promise<OpusFrame[]> {
  await waitFor(
    () => {
      const session = manager().get(g.id);
      return framesSince(g, from).length > 0 && !session?.busy && speakingSince(g, from).at(-1)?.speaking === 0;
    },
    { timeout, message: () => `playback in ${g.name} to finish (${framesSince(g, from).length} frames so far)` },
  );
  return framesSince(g, from);
}

/** Decode frames as alice's DAVE client decrypted them (an E2EE frame nobody decrypted fails it). */
const decode = (frames: OpusFrame[]) => decodeFrames(frames);

function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / Math.max(1, pcm.length)) / 32768;
}

/** The stored result, composed once through /compose and played once at 100 % through its button. */
async function storedResult() {
  if (result) return result;
  const composed = await h.discord.invoke('compose', { style: 'jazz', duration: '3', seed: 222 }, alice);
  const message = await composed.waitForOriginal((m) => m.attachments.length === 3, 60_000);
  const playId = message.customIds.find((id) => id.startsWith('ts:play:'))!;
  const durationMs = (await probe(message.attachment('.ogg').data, '.ogg')).durationSec * 1000;
  const t0 = Date.now();
  const click = await h.discord.click(message, playId, alice);
  expect((await playing(click)).content).toMatch(/Now playing/);
  const frames = await playbackDone(guild, t0);
  result = { message, playId, durationMs, frames: frames.map((f) => f.opus), pcm: decode(frames).pcm };
  return result;
}

describe('/play through the fake Discord', () => {
  it('joins the caller’s channel and streams a new piece as it renders: decrypted, decoded, the right length, not silence', async () => {
    const t0 = Date.now();
    const play = await h.discord.invoke('play', { style: 'lofi', duration: '3', seed: 111 }, alice);
    const reply = await answer(play);
    // A reply at once, or a deferred one when the worker took over 1.2 s to say what the piece is.
    expect([4, 5]).toContain(play.callback!.type);
    expect(play.ephemeral).toBe(false);
    // Until audio really reaches the channel, the reply says it is starting, not playing.
    const first = reply.history.find((m) => m.content)!;
    expect(first.content).toMatch(/^⏳ Starting in <#\d+>: \*\*Calm lo-fi hip-hop in D major\*\*/);
    expect(first.content).toContain('seed 111');

    const conn = await h.discord.voice.waitForConnection(guild.id);
    expect(guild.voiceChannelOf(h.discord.bot)).toBe(music);
    expect(conn.selectedMode).toBe('aead_aes256_gcm_rtpsize');
    expect(conn.offeredDaveVersion).toBeGreaterThanOrEqual(1); // @snazzah/davey is installed
    expect(conn.daveProtocolVersion).toBe(1);
    expect(await gauge()).toBe(1);

    const frames = await playbackDone(guild, t0);
    expect(conn.decryptFailures).toBe(0);
    // DAVE: the bot and alice's client formed an MLS group; every audio frame was end-to-end
    // encrypted, and alice's client decrypted each one.
    // (Frames sent before the group existed pass through unencrypted, as DAVE's passthrough allows;
    // on a loaded machine the first packet can beat the handshake.)
    const aliceClient = h.discord.voice.listenerFor(guild.id, alice.id)!;
    const media = h.discord.voice.mediaSession(guild.id)!;
    expect([...media.roster.keys()].sort()).toEqual([h.discord.bot.id, alice.id].sort());
    const groupAt = media.events.find((e) => e.type === 'execute')!.at;
    expect(groupAt).toBeLessThan(frames.at(-1)!.receivedAt - 1000);
    expect(frames.filter((f) => f.receivedAt > groupAt + 100).every((f) => f.e2ee && !f.undecrypted)).toBe(true);
    expect(aliceClient.decryptFailures).toBe(0);
    const audio = decode(frames);
    expect(Math.abs(audio.durationMs - 3000)).toBeLessThanOrEqual(100);
    expect(audio.peak).toBeGreaterThan(0.05);
    expect(audio.rms).toBeGreaterThan(0.01);
    expect(frames[0]!.receivedAt - play.sentAt).toBeLessThan(10_000); // sanity only; figures: npm run bench:voice
    expect(h.logs.some((l) => l.includes(play.id) && l.includes('"origin":"new"'))).toBe(true);

    // "Now playing" is said once, after the first audio packet reached the fake, never before.
    const now = await playing(play);
    const saidPlaying = now.history.filter((s) => /Now playing/.test(s.content));
    expect(saidPlaying.length).toBeGreaterThanOrEqual(1);
    expect(first.at).toBeLessThan(frames[0]!.receivedAt);
    expect(saidPlaying[0]!.at).toBeGreaterThanOrEqual(frames[0]!.receivedAt);
    expect(saidPlaying[0]!.content).toMatch(/^▶️ Now playing in <#\d+>: \*\*Calm lo-fi hip-hop in D major\*\*/);
  });

  it('posts the files of a new /play piece under its reply once rendered: what /compose gives for the same request and seed', async () => {
    const t0 = Date.now();
    const play = await h.discord.invoke('play', { style: 'folk', duration: '3', seed: 4114 }, alice);
    await playing(play);
    const files = await play.waitForFollowup((m) => m.attachments.length === 3, 60_000);
    expect(files.ephemeral).toBe(false);
    const fields = Object.fromEntries((files.embeds[0]!.fields as { name: string; value: string }[]).map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ Style: 'folk', Seed: '4114', Length: '0:03' });
    expect(files.customIds).toEqual(expect.arrayContaining([expect.stringMatching(/^ts:var:/), expect.stringMatching(/^ts:play:/)]));
    expect(Math.abs((await probe(files.attachment('.ogg').data, '.ogg')).durationSec - 3)).toBeLessThanOrEqual(0.02);
    // The reply keeps saying what plays; the files are a message of their own.
    expect((await play.waitForOriginal()).content).toMatch(/Now playing/);
    // Byte-identical MIDI to /compose with the same options and seed (served from the result the files job stored).
    const composed = await h.discord.invoke('compose', { style: 'folk', duration: '3', seed: 4114 }, alice);
    const same = await composed.waitForOriginal((m) => m.attachments.length === 3, 60_000);
    expect(same.attachment('.mid').data.equals(files.attachment('.mid').data)).toBe(true);
    await playbackDone(guild, t0);
  });

  it('plays a stored result from its "Play in voice" button, byte for byte', async () => {
    const r = await storedResult();
    expect(r.playId).toMatch(/^ts:play:[0-9a-f]{32}$/);
    expect(Math.abs(decodeOpus(r.frames).durationMs - r.durationMs)).toBeLessThanOrEqual(100);
    expect(rms(r.pcm)).toBeGreaterThan(0.01);
    expect(await gauge()).toBe(1);
  });

  it('replays the stored piece for /play with the same options and seed (no new render)', async () => {
    const r = await storedResult();
    const t0 = Date.now();
    const play = await h.discord.invoke('play', { style: 'jazz', duration: '3', seed: 222 }, alice);
    expect((await playing(play)).content).toMatch(/Now playing/);
    const frames = await playbackDone(guild, t0);
    // The stored Ogg Opus packets are sent as they are: no decode, no re-encode.
    expect(Buffer.concat(frames.map((f) => f.opus)).equals(Buffer.concat(r.frames))).toBe(true);
    expect(h.logs.some((l) => l.includes(play.id) && l.includes('"origin":"stored"'))).toBe(true);
  });

  it('plays a stored mp3 result too (ffmpeg turns it into Ogg Opus once)', async () => {
    const composed = await h.discord.invoke('compose', { style: 'synthwave', duration: '2', seed: 303, format: 'mp3' }, alice);
    const message = await composed.waitForOriginal((m) => m.attachments.length === 3, 60_000);
    const durationMs = (await probe(message.attachment('.mp3').data, '.mp3')).durationSec * 1000;
    const t0 = Date.now();
    const click = await h.discord.click(message, message.customIds.find((id) => id.startsWith('ts:play:'))!, alice);
    expect((await playing(click)).content).toMatch(/Now playing/);
    const audio = decode(await playbackDone(guild, t0));
    expect(Math.abs(audio.durationMs - durationMs)).toBeLessThanOrEqual(100);
    expect(audio.rms).toBeGreaterThan(0.01);
  });

  it('/volume scales what is sent, for the next piece and for the one playing', async () => {
    const r = await storedResult();
    const set = await h.discord.invoke('volume', { percent: 50 }, alice);
    expect((await answer(set)).content).toMatch(/set the volume to 50%/);
    expect(set.ephemeral).toBe(false);

    let t0 = Date.now();
    await answer(await h.discord.click(r.message, r.playId, alice));
    const half = decode(await playbackDone(guild, t0));
    expect(Math.abs(half.durationMs - r.durationMs)).toBeLessThanOrEqual(100);
    expect(half.rms / rms(r.pcm)).toBeGreaterThan(0.4);
    expect(half.rms / rms(r.pcm)).toBeLessThan(0.6);

    // Back to 100 %, then down to 25 % part-way through: the rest of the piece comes at 25 %.
    await answer(await h.discord.invoke('volume', { percent: 100 }, alice));
    t0 = Date.now();
    await answer(await h.discord.click(r.message, r.playId, alice));
    await waitFor(() => framesSince(guild, t0).length >= 50, { timeout: 10_000, message: 'a second of audio' });
    const change = await h.discord.invoke('volume', { percent: 25 }, alice);
    await answer(change);
    const frames = await playbackDone(guild, t0);
    const after = decode(frames.filter((f) => f.receivedAt > change.callback!.at + 200));
    expect(after.durationMs).toBeGreaterThan(500);
    const tail = r.pcm.subarray(r.pcm.length - Math.round((after.durationMs / 1000) * 48_000) * 2);
    expect(after.rms / rms(tail)).toBeGreaterThan(0.15);
    expect(after.rms / rms(tail)).toBeLessThan(0.35);
    // The piece restarts where it was: nothing much lost or repeated.
    expect(Math.abs(decode(frames).durationMs - r.durationMs)).toBeLessThanOrEqual(200);
  });

  it('/queue, /nowplaying with a progress bar, and /skip to the next piece', async () => {
    const t0 = Date.now();
    const first = await h.discord.invoke('play', { style: 'lofi', duration: '4', seed: 301 }, alice);
    expect((await playing(first)).content).toMatch(/Now playing/);
    await waitFor(() => framesSince(guild, t0).length >= 10, { timeout: 10_000, message: 'the first piece to start' });
    await setVoice(bob, music);
    const second = await h.discord.invoke('play', { style: 'synthwave', duration: '2', seed: 302 }, bob);
    expect((await answer(second)).content).toMatch(/Queued #1: \*\*Nostalgic synthwave in G major\*\*/);

    const queue = await h.discord.invoke('queue', {}, alice);
    const q = await answer(queue);
    expect(queue.ephemeral).toBe(true);
    expect(q.content).toMatch(/▶️ \*\*Calm lo-fi hip-hop in G major\*\*/);
    expect(q.content).toMatch(/1\. \*\*Nostalgic synthwave in G major\*\*/);

    const np = await h.discord.invoke('nowplaying', {}, bob);
    const n = await answer(np);
    expect(np.ephemeral).toBe(true);
    expect(n.content).toMatch(/Calm lo-fi hip-hop in G major/);
    expect(n.content).toMatch(/`▬*🔘▬*` 0:0\d \/ 0:04/);
    expect(n.content).toMatch(/next: Nostalgic synthwave/);

    const skip = await h.discord.invoke('skip', {}, alice);
    expect((await answer(skip)).content).toMatch(/skipped \*\*Calm lo-fi hip-hop in G major\*\*\. Next: \*\*Nostalgic synthwave/);
    const frames = await playbackDone(guild, t0);
    // The first piece stopped at the skip (speaking off); what follows is the whole second piece.
    const stoppedAt = speakingSince(guild, skip.sentAt).find((s) => s.speaking === 0)!.at;
    const firstPart = decode(frames.filter((f) => f.receivedAt <= stoppedAt));
    const secondPart = decode(frames.filter((f) => f.receivedAt > stoppedAt));
    expect(firstPart.durationMs).toBeLessThan(3500);
    expect(Math.abs(secondPart.durationMs - 2000)).toBeLessThanOrEqual(100);
    expect(secondPart.rms).toBeGreaterThan(0.01);
  });

  it('keeps playing through DAVE epoch changes when someone joins and leaves mid-piece', async () => {
    const t0 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'ambient', duration: '6', seed: 5 }, alice));
    const media = () => h.discord.voice.mediaSession(guild.id)!;
    await waitFor(() => framesSince(guild, t0).length >= 50, { timeout: 20_000, message: 'a second of audio' });
    const before = media().epoch;
    // alice's client stays in the channel's group across the file's tests: count from here.
    const aliceClient = h.discord.voice.listenerFor(guild.id, alice.id)!;
    const failedBefore = aliceClient.decryptFailures;
    await setVoice(bob, music); // bob's client is added: a commit and a new epoch
    await waitFor(() => h.discord.voice.listenerFor(guild.id, bob.id)?.executed.length, { timeout: 5000, message: 'bob welcomed to the group' });
    expect(media().epoch).toBe(before + 1n);
    await waitFor(() => framesSince(guild, t0).length >= 120, { timeout: 10_000, message: 'more audio with bob there' });
    await setVoice(bob, null); // and removed: another commit, another epoch
    await waitFor(() => media().epoch === before + 2n && media().events.at(-1)?.type === 'execute', { timeout: 5000, message: 'the commit removing bob' });
    const frames = await playbackDone(guild, t0);
    // No packet lost across the two transitions: RTP sequence numbers contiguous (the player's
    // silence frames included: a render that falls behind shows as silence, not as a hole), and
    // every audio frame E2EE and decrypted by alice.
    const sent = h.discord.voice.connectionFor(guild.id)!.frames.filter((f) => f.receivedAt >= frames[0]!.receivedAt && f.receivedAt <= frames.at(-1)!.receivedAt);
    for (let i = 1; i < sent.length; i++) expect((sent[i]!.sequence - sent[i - 1]!.sequence) & 0xffff).toBe(1);
    const groupAt = media().events.find((e) => e.type === 'execute')!.at;
    expect(frames.filter((f) => f.receivedAt > groupAt + 100).every((f) => f.e2ee && !f.undecrypted)).toBe(true);
    expect(aliceClient.decryptFailures - failedBefore).toBe(0);
    const audio = decode(frames);
    expect(Math.abs(audio.durationMs - 6000)).toBeLessThanOrEqual(100);
    expect(audio.rms).toBeGreaterThan(0.01);
  });

  it('/stop ends playback, clears the queue and leaves', async () => {
    const t0 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'ambient', duration: '6', seed: 5 }, alice));
    await answer(await h.discord.invoke('play', { style: 'lofi', duration: '3', seed: 111 }, alice));
    await waitFor(() => framesSince(guild, t0).length >= 25, { timeout: 10_000, message: 'half a second of audio' });
    const stop = await h.discord.invoke('stop', {}, alice);
    expect((await answer(stop)).content).toMatch(/stopped the music and cleared 1 queued piece\. I left <#\d+>/);
    await waitFor(() => !guild.voiceStates.has(h.discord.bot.id), { timeout: 5000, message: 'the bot to leave' });
    expect(decode(framesSince(guild, t0)).durationMs).toBeLessThan(3000);
    expect(manager().size).toBe(0);
    expect(await gauge()).toBe(0);
    const after = framesSince(guild, stop.callback!.at + 100).length;
    expect(after).toBe(0);

    const np = await h.discord.invoke('nowplaying', {}, alice);
    expect((await answer(np)).content).toMatch(/Nothing is playing/);
    expect(np.ephemeral).toBe(true);
  });

  it('explains, ephemerally, why it cannot play: not in voice, missing Connect or Speak, nothing playing, bad options', async () => {
    const refused = h.discord.refusedVoiceJoins.length;
    const expectEphemeral = async (it: InteractionRecord, pattern: RegExp) => {
      const m = await answer(it);
      expect(it.ephemeral).toBe(true);
      expect(m.content).toMatch(pattern);
      return m.content ?? '';
    };
    await expectEphemeral(await h.discord.invoke('play', { style: 'lofi', duration: '3' }, bob), /Join a voice channel first/);

    const locked = guild.addVoiceChannel({ name: 'Locked' });
    guild.setOverwrite(locked, h.discord.bot, { deny: P.Connect });
    const quiet = guild.addVoiceChannel({ name: 'Quiet' });
    guild.setOverwrite(quiet, h.discord.bot, { deny: P.Speak });
    const closed = guild.addVoiceChannel({ name: 'Closed' });
    guild.setOverwrite(closed, h.discord.bot, { deny: P.Connect | P.Speak });

    await setVoice(bob, locked);
    const noConnect = await expectEphemeral(await h.discord.invoke('play', { style: 'lofi', duration: '3' }, bob), /missing the \*\*Connect\*\* permission there/);
    expect(noConnect).toContain(`<#${locked.id}>`);
    await setVoice(bob, quiet);
    await expectEphemeral(await h.discord.invoke('play', { style: 'lofi', duration: '3' }, bob), /missing the \*\*Speak\*\* permission there/);
    await setVoice(bob, closed);
    await expectEphemeral(await h.discord.invoke('play', { style: 'lofi', duration: '3' }, bob), /missing the \*\*Connect\*\* and \*\*Speak\*\* permissions/);
    // The button checks the same things.
    const r = await storedResult();
    await expectEphemeral(await h.discord.click(r.message, r.playId, bob), /missing the \*\*Connect\*\* and \*\*Speak\*\* permissions/);

    await expectEphemeral(await h.discord.invoke('skip', {}, alice), /Nothing is playing/);
    await expectEphemeral(await h.discord.invoke('queue', {}, alice), /Nothing is playing/);
    await expectEphemeral(await h.discord.invoke('stop', {}, alice), /not in a voice channel/);
    await expectEphemeral(await h.discord.invoke('play', { style: 'synthwav' }, alice), /"synthwav" is not a style I know/);

    expect(h.discord.refusedVoiceJoins.length).toBe(refused); // it never tried to join
    expect(manager().size).toBe(0);
  });

  it('keeps skip, stop and volume of others’ pieces to the DJ role when one is set', async () => {
    const dj = guild.addRole({ name: 'DJ' });
    await h.bot.ctx.settings.update(guild.id, { djRoleId: dj.id });
    const t0 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'lofi', duration: '4', seed: 301 }, alice));
    await waitFor(() => framesSince(guild, t0).length >= 5, { timeout: 10_000, message: 'playback to start' });

    // bob outside the channel, then inside it without the role.
    const outside = await h.discord.invoke('skip', {}, bob);
    expect((await answer(outside)).content).toMatch(/You need to be in <#\d+>, where I'm playing/);
    await setVoice(bob, music);
    for (const [cmd, opts] of [['skip', {}], ['stop', {}], ['volume', { percent: 10 }]] as const) {
      const it = await h.discord.invoke(cmd, opts, bob);
      const m = await answer(it);
      expect(it.ephemeral).toBe(true);
      expect(m.content).toContain(`Only members with the <@&${dj.id}> role (or Manage Server)`);
    }
    expect(manager().get(guild.id)?.current?.track.info.requestedBy).toBe(alice.id);

    // With the role, bob may.
    // (The bot has no GuildMembers intent: it learns bob's roles from the interaction itself.)
    guild.setMemberRoles(bob, [dj]);
    const skip = await h.discord.invoke('skip', {}, bob);
    expect((await answer(skip)).content).toMatch(/skipped/);
    expect(skip.ephemeral).toBe(false);
    guild.setMemberRoles(bob, []);
  });

  it('leaves after VOICE_IDLE_SEC with nothing to play', async () => {
    const t0 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'synthwave', duration: '2', seed: 302 }, alice));
    await playbackDone(guild, t0);
    const ended = Date.now();
    expect(guild.voiceChannelOf(h.discord.bot)).toBe(music); // still there for a while, in case more comes
    await waitFor(() => !guild.voiceStates.has(h.discord.bot.id), { timeout: (IDLE_SEC + 10) * 1000, message: 'the bot to leave when idle' });
    expect(Date.now() - ended).toBeGreaterThan((IDLE_SEC - 1) * 1000);
    expect(await gauge()).toBe(0);
  });

  it('pauses when the channel empties and leaves after VOICE_IDLE_SEC', async () => {
    const t0 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'ambient', duration: '6', seed: 5 }, alice));
    await waitFor(() => framesSince(guild, t0).length >= 10, { timeout: 10_000, message: 'playback to start' });
    const left = Date.now();
    await setVoice(alice, null);
    await waitFor(() => !guild.voiceStates.has(h.discord.bot.id), { timeout: (IDLE_SEC + 10) * 1000, message: 'the bot to leave the empty channel' });
    expect(Date.now() - left).toBeGreaterThan((IDLE_SEC - 1) * 1000);
    // Paused meanwhile: nothing was sent to an empty channel (a few frames in flight aside).
    expect(framesSince(guild, left + 300).length).toBe(0);
    expect(manager().size).toBe(0);
    expect(await gauge()).toBe(0);
  });

  it('cleans up when kicked from voice, and plays again on the next /play', async () => {
    const t0 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'ambient', duration: '6', seed: 5 }, alice));
    const conn = await h.discord.voice.waitForConnection(guild.id);
    await waitFor(() => framesSince(guild, t0).length >= 10, { timeout: 10_000, message: 'playback to start' });
    // A moderator disconnects the bot: its voice state goes, and Discord closes the voice socket.
    guild.setVoiceState(h.discord.bot, null);
    h.discord.voice.disconnectGuild(guild.id);
    await waitFor(() => manager().size === 0, { timeout: 5000, message: 'the session to close' });
    expect(manager().get(guild.id)).toBeUndefined();
    expect(await gauge()).toBe(0);
    await waitFor(() => conn.closed, { timeout: 5000, message: 'the old voice socket to close' });

    const t1 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'synthwave', duration: '2', seed: 302 }, alice));
    const audio = decode(await playbackDone(guild, t1));
    expect(Math.abs(audio.durationMs - 2000)).toBeLessThanOrEqual(100);
  });

  it('reconnects after a dropped voice session and plays the rest of the piece', async () => {
    const r = await storedResult();
    const t0 = Date.now();
    await answer(await h.discord.click(r.message, r.playId, alice));
    const first = await h.discord.voice.waitForConnection(guild.id);
    await waitFor(() => framesSince(guild, t0).length >= 40, { timeout: 10_000, message: 'some audio before the drop' });
    first.ws!.close(4006, 'Session is no longer valid.'); // not resumable: the library rejoins
    await waitFor(() => h.discord.voice.connections.filter((c) => c.guildId === guild.id && c !== first && c.ready).length > 0, {
      timeout: 10_000,
      message: 'a new voice connection',
    });
    const frames = await playbackDone(guild, t0);
    // DAVE: the old session's group ends with it (alice is its sole member and starts over), so a
    // frame or two the bot still sent under the old keys can't be decrypted by anyone. That is
    // the protocol, not a fault of the bot; the rest plays in the new group.
    expect(frames.filter((f) => f.undecrypted).length).toBeLessThanOrEqual(3);
    const audio = decode(frames.filter((f) => !f.undecrypted));
    expect(Math.abs(audio.durationMs - r.durationMs)).toBeLessThanOrEqual(100);
    expect(manager().size).toBe(1);
    expect(await gauge()).toBe(1);
  });

  it('follows a move by a moderator to another channel', async () => {
    const t0 = Date.now();
    await answer(await h.discord.invoke('play', { style: 'lofi', duration: '3', seed: 111 }, alice));
    await waitFor(() => framesSince(guild, t0).length >= 10, { timeout: 10_000, message: 'playback to start' });
    const stage = guild.addVoiceChannel({ name: 'Stage' });
    await waitFor(() => h.bot.client.channels.cache.has(stage.id), { timeout: 5000, message: 'the new channel' });
    await setVoice(bob, stage);
    await setVoice(h.discord.bot, stage);
    await waitFor(() => manager().get(guild.id)?.channelId === stage.id, { timeout: 5000, message: 'the session to follow the move' });
    // alice is no longer with the bot, so she may not skip; bob, who is, may.
    const refused = await h.discord.invoke('skip', {}, alice);
    expect((await answer(refused)).content).toMatch(new RegExp(`You need to be in <#${stage.id}>`));
    expect((await answer(await h.discord.invoke('skip', {}, bob))).content).toMatch(/skipped/);
  });

  it('plays in two guilds at once', async () => {
    const second = h.discord.seedGuild('Second Server');
    await waitFor(() => h.bot.client.guilds.cache.has(second.guild.id), { timeout: 5000, message: 'GUILD_CREATE for the second guild' });
    await setVoice(second.alice, second.voice, second.guild);
    const t0 = Date.now();
    const [a, b] = await Promise.all([
      h.discord.invoke('play', { style: 'lofi', duration: '3', seed: 111 }, alice),
      h.discord.invoke('play', { style: 'synthwave', duration: '2', seed: 302 }, { user: second.alice, channel: second.text }),
    ]);
    expect((await playing(a)).content).toMatch(/Now playing/);
    expect((await playing(b)).content).toMatch(/Now playing/);
    await waitFor(async () => (await gauge()) === 2, { timeout: 10_000, message: 'two voice connections' });
    const [one, two] = await Promise.all([playbackDone(guild, t0), playbackDone(second.guild, t0)]);
    expect(Math.abs(decode(one).durationMs - 3000)).toBeLessThanOrEqual(100);
    expect(Math.abs(decode(two).durationMs - 2000)).toBeLessThanOrEqual(100);
    const ssrcs = new Set([h.discord.voice.connectionFor(guild.id)!.ssrc, h.discord.voice.connectionFor(second.guild.id)!.ssrc]);
    expect(ssrcs.size).toBe(2);
  });

  it('rebuilds an expired result from its MIDI file and plays it ("Play in voice" after the stored audio is gone)', async () => {
    const r = await storedResult();
    const resultId = r.playId.split(':')[2]!;
    await h.bot.ctx.redis.del(`tunesmith:result:${resultId}`, `tunesmith:source:${resultId}`);
    const t0 = Date.now();
    const click = await h.discord.click(r.message, r.playId, alice);
    const reply = await playing(click);
    expect(click.ephemeral).toBe(false);
    expect(reply.content).toMatch(/Now playing in <#\d+>: \*\*.*seed 222[\s\S]*rebuilt from its MIDI/);
    const frames = await playbackDone(guild, t0);
    const audio = decode(frames);
    // The same notes, rendered again: the stored piece's length, and sound, not silence.
    expect(Math.abs(audio.durationMs - r.durationMs)).toBeLessThanOrEqual(100);
    expect(audio.rms).toBeGreaterThan(0.01);
    expect(h.logs.some((l) => l.includes(click.id) && l.includes('"origin":"rebuilt"'))).toBe(true);
  });

  it('refuses, ephemerally and without joining, a /play prompt of which nothing was understood', async () => {
    const play = await h.discord.invoke('play', { prompt: 'asdkjh qwpoeiru zzxxcc' }, alice);
    const reply = await answer(play);
    expect(play.ephemeral).toBe(true);
    expect(reply.content).toMatch(/didn't understand “asdkjh”, “qwpoeiru” or “zzxxcc”/);
    expect(manager().size).toBe(0);
  });

  it('registers the voice commands, valid for Discord, and leaves no unimplemented calls', () => {
    const names = h.discord.commands.global.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['play', 'queue', 'skip', 'stop', 'nowplaying', 'volume', 'compose']));
    const play = h.discord.commands.global.find((c) => c.name === 'play')!;
    const compose = h.discord.commands.global.find((c) => c.name === 'compose')!;
    const optionNames = (c: typeof play) => (c.options as { name: string }[]).map((o) => o.name);
    expect(optionNames(play)).toEqual(optionNames(compose).filter((n) => n !== 'format'));
    expect(h.discord.rest.unimplemented).toEqual([]);
    expect(h.logs.join('\n')).not.toContain(h.env.DISCORD_TOKEN);
  });
});

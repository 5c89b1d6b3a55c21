import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import {
  AudioPlayerStatus,
  StreamType,
  VoiceConnectionStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
  getVoiceConnections,
  joinVoiceChannel,
  type VoiceConnection,
} from '@discordjs/voice';
import { GatewayIntentBits, PermissionFlagsBits as P, type Client } from 'discord.js';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { FakeDiscord, decodeOpus, type FakeChannel, type FakeGuild, type FakeUser, type OpusFrame, type VoiceConnectionRecord } from '../support/fake-discord.ts';
import { loginClient } from '../support/discord-client.ts';
import { estimateFrequency, makeSineOggOpus, probe, tempDir } from '../support/media.ts';
import { waitFor } from '../support/wait.ts';

let discord: FakeDiscord;
let client: Client & { errors: Error[] };
let tmp: Awaited<ReturnType<typeof tempDir>>;
let guild: FakeGuild;
let voice: FakeChannel;
let alice: FakeUser;
let bob: FakeUser;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  tmp = await tempDir();
  ({ guild, voice, alice, bob } = discord.seedGuild());
  client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] });
});
afterEach(async () => {
  // A failed test must not leave the bot in voice for the next one.
  for (const c of getVoiceConnections().values()) c.destroy();
  if (guild.voiceStates.has(discord.bot.id)) await waitFor(() => !guild.voiceStates.has(discord.bot.id), { timeout: 5000, message: 'the bot to leave voice' });
});
afterAll(async () => {
  await client?.destroy();
  await discord?.stop();
  await tmp?.remove();
});

function join_(channel: FakeChannel, opts: { daveEncryption?: boolean } = {}) {
  return joinVoiceChannel({
    channelId: channel.id,
    guildId: channel.guild.id,
    adapterCreator: client.guilds.cache.get(channel.guild.id)!.voiceAdapterCreator,
    ...opts,
  });
}

test('the forked worker trusts the test CA (NODE_EXTRA_CA_CERTS reached it at startup)', async () => {
  expect(process.env.NODE_EXTRA_CA_CERTS).toMatch(/test\/support\/certs\/ca\.pem$/);
  expect(discord.env().NODE_EXTRA_CA_CERTS).toBe(process.env.NODE_EXTRA_CA_CERTS); // what a bot child process gets
  const [host, port] = discord.voice.endpoint.split(':');
  const authorized = await new Promise<boolean>((resolve, reject) => {
    // No `ca` option: only the process-wide extra CA can make this handshake verify.
    const socket = connect({ host, port: Number(port) }, () => {
      resolve(socket.authorized);
      socket.end();
    });
    socket.on('error', reject);
  });
  expect(authorized).toBe(true);
});

/** Join, wait until the connection is Ready, and play an Ogg Opus file; resolves when playing. */
async function play(channel: FakeChannel, ogg: string, opts: { daveEncryption?: boolean } = {}) {
  const connection = join_(channel, opts);
  await entersState(connection, VoiceConnectionStatus.Ready, 10_000);
  const player = createAudioPlayer();
  connection.subscribe(player);
  const resource = createAudioResource(createReadStream(ogg), { inputType: StreamType.OggOpus });
  player.play(resource);
  await entersState(player, AudioPlayerStatus.Playing, 5_000);
  return { connection, player, resource };
}

async function leave(connection: VoiceConnection, record: VoiceConnectionRecord): Promise<void> {
  connection.destroy();
  await waitFor(() => !guild.voiceStates.has(discord.bot.id), { timeout: 5000, message: 'the bot to leave voice' });
  await waitFor(() => record.closed, { timeout: 5000, message: 'the voice socket to close' });
}

/** RTP sequence numbers and timestamps advance by one 20 ms frame each: nothing was dropped. */
function expectContiguous(frames: OpusFrame[]): void {
  for (let i = 1; i < frames.length; i++) {
    expect(((frames[i]!.sequence - frames[i - 1]!.sequence) & 0xffff), `sequence step at frame ${i}`).toBe(1);
    expect(((frames[i]!.timestamp - frames[i - 1]!.timestamp) >>> 0), `timestamp step at frame ${i}`).toBe(960);
  }
}

test('@discordjs/voice joins with DAVE, plays Ogg Opus end-to-end encrypted, and a listener in the channel decrypts and decodes it', async () => {
  const ogg = await makeSineOggOpus(join(tmp.dir, 'x.ogg'), { seconds: 2, frequency: 440 });
  const expectedMs = (await probe(ogg)).durationSec * 1000;
  guild.setVoiceState(alice, voice);
  await waitFor(() => client.guilds.cache.get(guild.id)!.members.cache.get(alice.id)?.voice.channelId === voice.id, {
    timeout: 5000,
    message: 'the client to see alice in voice',
  });

  const connection = join_(voice);
  await entersState(connection, VoiceConnectionStatus.Ready, 10_000);
  expect(guild.voiceChannelOf(discord.bot)).toBe(voice);
  const record = await discord.voice.waitForConnection(guild.id);
  expect(record.offeredDaveVersion).toBeGreaterThanOrEqual(1); // @snazzah/davey is installed
  expect(record.daveProtocolVersion).toBe(1);
  // The MLS group forms: the bot and alice's client, welcomed by whoever committed first.
  const media = discord.voice.mediaSession(guild.id)!;
  const aliceClient = discord.voice.listenerFor(guild.id, alice.id)!;
  await waitFor(() => media.events.some((e) => e.type === 'execute') && aliceClient.executed.length > 0, { timeout: 5000, message: 'the first DAVE transition' });
  expect([...media.roster.keys()].sort()).toEqual([discord.bot.id, alice.id].sort());
  expect(media.epoch).toBe(1n);
  expect(aliceClient.epoch).toBe(1n);
  expect(connection.voicePrivacyCode).toBe(aliceClient.session.voicePrivacyCode); // same group, same epoch authenticator
  // The bot sent its key package (26) and took part in the transition (23) over the real socket.
  const botOps = new Set(record.received.map((r) => r.op));
  expect(botOps.has(26) && botOps.has(23)).toBe(true);

  const player = createAudioPlayer();
  connection.subscribe(player);
  const resource = createAudioResource(createReadStream(ogg), { inputType: StreamType.OggOpus });
  // Ogg Opus is only demuxed: no Opus encoder (and with AES-GCM, no sodium) is needed to play.
  expect(resource.edges.map((e) => e.type)).toEqual(['ogg/opus demuxer']);
  player.play(resource);
  await entersState(player, AudioPlayerStatus.Playing, 5_000);
  await record.waitForPlaybackEnd(15_000);
  expect(record.selectedMode).toBe('aead_aes256_gcm_rtpsize');
  expect(record.decryptFailures).toBe(0);
  expect(record.speaking.map((s) => s.speaking)).toEqual([1, 0]);

  // Every audio frame was E2EE (the transport key alone does not reveal it), and alice decrypted each.
  expect(record.audioFrames.length).toBeGreaterThan(90);
  expect(record.e2eeFrames.length).toBe(record.audioFrames.length);
  expect(aliceClient.decryptFailures).toBe(0);
  expect(aliceClient.errors).toEqual([]);
  const sealed = record.e2eeFrames[0]!;
  expect(sealed.sealed!.equals(sealed.opus)).toBe(false);
  expect(() => decodeOpus(record.e2eeFrames.map((f) => f.sealed!))).toThrow(); // ciphertext is not Opus

  const audio = record.decode();
  expect(Math.abs(audio.durationMs - expectedMs)).toBeLessThanOrEqual(100);
  expect(audio.peak).toBeGreaterThan(0.05); // not silence
  expect(audio.rms).toBeGreaterThan(0.02);
  expect(Math.abs(estimateFrequency(audio.pcm) - 440)).toBeLessThan(15); // and the tone that was sent

  await leave(connection, record);
  // alice stays in the channel, and in its media session: as its sole member she starts over.
  await waitFor(() => media.events.at(-1)?.type === 'reset', { timeout: 5000, message: 'the sole member reset' });
  expect(aliceClient.closed).toBe(false);
  expect(media.roster.size).toBe(0);
  expect(client.errors).toEqual([]);
});

test('a member joins and leaves mid-piece: two new epochs, and the piece plays on, every frame decrypted', async () => {
  const ogg = await makeSineOggOpus(join(tmp.dir, 'long.ogg'), { seconds: 6, frequency: 660 });
  const expectedMs = (await probe(ogg)).durationSec * 1000;
  guild.setVoiceState(alice, voice);
  const { connection } = await play(voice, ogg);
  const record = await discord.voice.waitForConnection(guild.id);
  const media = discord.voice.mediaSession(guild.id)!;
  const aliceClient = discord.voice.listenerFor(guild.id, alice.id)!;
  await waitFor(() => media.epoch === 1n && aliceClient.epoch === 1n, { timeout: 5000, message: 'the group of the bot and alice' });

  await record.waitForFrames(record.audioFrames.length + 40);
  const joinedAt = Date.now();
  guild.setVoiceState(bob, voice); // bob's client: key package → external add → commit → epoch 2
  await waitFor(() => discord.voice.listenerFor(guild.id, bob.id)?.executed.length, { timeout: 5000, message: 'bob to be welcomed (epoch 2)' });
  const bobClient = discord.voice.listenerFor(guild.id, bob.id)!;
  expect(media.epoch).toBe(2n);
  expect(bobClient.epoch).toBe(2n);
  expect(media.roster.get(bob.id)).toBe(2);

  await record.waitForFrames(record.audioFrames.length + 40);
  const leftAt = Date.now();
  guild.setVoiceState(bob, null); // bob leaves: external remove of leaf 2 → commit → epoch 3
  await waitFor(() => media.epoch === 3n && aliceClient.epoch === 3n && media.events.filter((e) => e.type === 'execute').length >= 3, {
    timeout: 5000,
    message: () => `the commit removing bob (epoch 3); events: ${media.events.map((e) => `${e.type}@${e.epoch}`).join(' ')}`,
  });
  expect(aliceClient.epoch).toBe(3n);
  expect([...media.roster.keys()].sort()).toEqual([discord.bot.id, alice.id].sort());

  await record.waitForPlaybackEnd(20_000);
  const frames = record.audioFrames;
  // No gap: the stream is contiguous across both transitions, all of it E2EE and all of it decrypted.
  expectContiguous(frames);
  expect(frames.every((f) => f.e2ee && !f.undecrypted)).toBe(true);
  expect(aliceClient.decryptFailures).toBe(0);
  expect([aliceClient.errors, bobClient.errors]).toEqual([[], []]);
  const audio = record.decode();
  expect(Math.abs(audio.durationMs - expectedMs)).toBeLessThanOrEqual(100);
  expect(Math.abs(estimateFrequency(audio.pcm) - 660)).toBeLessThan(15);
  const duringBob = frames.filter((f) => f.receivedAt > joinedAt && f.receivedAt < leftAt);
  expect(duringBob.length).toBeGreaterThan(30);

  // The keys really changed with the epochs. While a member, bob's client decrypted what it was
  // sent; his session (kept after he left) decrypts neither what came before his welcome
  // (epoch 1) nor what came after his removal (epoch 3).
  const welcomedAt = bobClient.executed[0]!.at;
  const removedAt = media.events.filter((e) => e.type === 'execute').at(-1)!.at;
  // (A packet @discordjs/voice prepared just before the commit can still carry epoch 1, the
  // in-flight media the protocol says a welcomed member may miss: allow two 20 ms frames.)
  const asMember = bobClient.heard.filter((h) => h.at > welcomedAt + 40);
  expect(asMember.length).toBeGreaterThan(20);
  expect(asMember.every((h) => h.e2ee && h.ok)).toBe(true);
  const tryBob = (f: OpusFrame) => {
    try {
      return bobClient.session.decrypt(discord.bot.id, 0, f.sealed!).equals(f.opus);
    } catch {
      return false;
    }
  };
  const before = frames.filter((f) => f.receivedAt < joinedAt);
  const after = frames.filter((f) => f.receivedAt > removedAt + 200);
  expect(before.length).toBeGreaterThan(20);
  expect(after.length).toBeGreaterThan(20);
  expect(before.some(tryBob)).toBe(false);
  expect(after.some(tryBob)).toBe(false);

  await leave(connection, record);
  expect(client.errors).toEqual([]);
});

test('three pending members create the group; the bot leaves (a remove commit), rejoins (a clean add) and reconnects: every E2EE frame decrypted, no error', async () => {
  const ogg = await makeSineOggOpus(join(tmp.dir, 'rejoin.ogg'), { seconds: 1, frequency: 550 });
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    guild.setVoiceState(alice, voice);
    guild.setVoiceState(bob, voice);
    const listeners = () => [alice, bob].map((u) => discord.voice.listenerFor(guild.id, u.id)!);
    const everyone = [discord.bot.id, alice.id, bob.id].sort();
    /** The group has settled: its last event executed, and each person's client is at its epoch. */
    const settled = (media: NonNullable<ReturnType<typeof discord.voice.mediaSession>>, members: string[]) =>
      waitFor(() => media.events.at(-1)?.type === 'execute' && [...media.roster.keys()].sort().join() === members.join() && listeners().every((l) => l?.epoch === media.epoch), {
        timeout: 5000,
        message: () => `the group of ${members.length} at one epoch; events: ${media.events.map((e) => `${e.type}@${e.epoch}${e.detail ? ` (${e.detail})` : ''}`).join(' ')}`,
      });
    /** Play the tone on a ready connection: every frame E2EE, and both people's clients decrypt each. */
    const playDecrypted = async (connection: VoiceConnection, record: VoiceConnectionRecord) => {
      const from = record.audioFrames.length;
      const failed = listeners().map((l) => l.decryptFailures);
      const player = createAudioPlayer();
      connection.subscribe(player);
      player.play(createAudioResource(createReadStream(ogg), { inputType: StreamType.OggOpus }));
      await entersState(player, AudioPlayerStatus.Playing, 5_000);
      await entersState(player, AudioPlayerStatus.Idle, 10_000);
      await record.waitForFrames(from + 45);
      const frames = record.audioFrames.slice(from);
      expect(frames.every((f) => f.e2ee && !f.undecrypted)).toBe(true);
      expect(listeners().map((l, i) => l.decryptFailures - failed[i]!)).toEqual([0, 0]);
      expect(Math.abs(estimateFrequency(decodeOpus(frames.map((f) => f.opus)).pcm) - 550)).toBeLessThan(15);
    };

    // 1. The bot joins alice and bob: three pending members race to create the group.
    let connection = join_(voice);
    await entersState(connection, VoiceConnectionStatus.Ready, 10_000);
    let record = await discord.voice.waitForConnection(guild.id);
    const media = discord.voice.mediaSession(guild.id)!;
    await settled(media, everyone);
    await playDecrypted(connection, record);

    // 2. It leaves: alice and bob get client_disconnect and the removal of its leaf, and commit it.
    const beforeLeave = media.epoch;
    const [aliceClient, bobClient] = listeners();
    await leave(connection, record);
    await settled(media, [alice.id, bob.id].sort());
    expect(media.epoch).toBe(beforeLeave + 1n);
    expect(listeners()).toEqual([aliceClient, bobClient]); // the same clients, in the same group

    // 3. It rejoins the same channel: added to their group by a Welcome, one epoch on (not a new group).
    connection = join_(voice);
    await entersState(connection, VoiceConnectionStatus.Ready, 10_000);
    record = await discord.voice.waitForConnection(guild.id);
    expect(discord.voice.mediaSession(guild.id)).toBe(media);
    await settled(media, everyone);
    expect(media.epoch).toBe(beforeLeave + 2n);
    expect(connection.voicePrivacyCode).toBe(aliceClient!.session.voicePrivacyCode);
    await playDecrypted(connection, record);

    // 4. Its voice socket is closed (not resumable): the library rejoins with a new session, whose
    // old leaf is removed and new key package added.
    const beforeDrop = media.epoch;
    const dropped = record;
    const droppedAt = Date.now();
    dropped.ws!.close(4006, 'Session is no longer valid.');
    record = await waitFor(() => discord.voice.connections.find((c) => c.guildId === guild.id && c !== dropped && c.ready && !c.closed), {
      timeout: 10_000,
      message: 'a new voice connection after the drop',
    });
    await entersState(connection, VoiceConnectionStatus.Ready, 10_000);
    await settled(media, everyone);
    expect(media.epoch).toBe(beforeDrop + 2n);
    expect(media.events.filter((e) => e.at >= droppedAt && e.type === 'reset')).toEqual([]); // alice and bob kept their group
    await playDecrypted(connection, record);

    expect([aliceClient!.errors, bobClient!.errors]).toEqual([[], []]);
    expect(media.events.filter((e) => e.at >= droppedAt && e.type === 'invalid')).toEqual([]);
    await leave(connection, record);
    guild.setVoiceState(bob, null);
    expect(client.errors).toEqual([]);
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('a client without DAVE (max_dave_protocol_version 0) gets version 0 and plain Opus frames', async () => {
  const ogg = await makeSineOggOpus(join(tmp.dir, 'plain.ogg'), { seconds: 1, frequency: 440 });
  guild.setVoiceState(alice, voice);
  const { connection } = await play(voice, ogg, { daveEncryption: false });
  const record = await discord.voice.waitForConnection(guild.id);
  expect(record.offeredDaveVersion).toBe(0);
  expect(record.daveProtocolVersion).toBe(0);
  expect(discord.voice.mediaSession(guild.id)).toBeUndefined();
  await record.waitForPlaybackEnd(15_000);
  expect(record.e2eeFrames).toEqual([]);
  expect(Math.abs(estimateFrequency(record.decode().pcm) - 440)).toBeLessThan(15);
  await leave(connection, record);
});

test('a join the bot lacks Connect for is ignored, as on Discord', async () => {
  const locked = guild.addVoiceChannel({ name: 'Locked' });
  guild.setOverwrite(locked, discord.bot, { deny: P.Connect });
  await waitFor(() => client.channels.cache.get(locked.id), { timeout: 5000, message: 'CHANNEL_CREATE for Locked' });
  const channel = client.channels.cache.get(locked.id);
  expect(channel?.isVoiceBased() && channel.permissionsFor(client.user!)?.has(P.Connect)).toBe(false);

  const before = discord.voice.connections.length;
  const connection = join_(locked);
  await waitFor(() => discord.refusedVoiceJoins.length > 0, { timeout: 5000, message: 'the refused join' });
  expect(discord.refusedVoiceJoins[0]).toEqual({ guildId: guild.id, channelId: locked.id, reason: 'missing Connect' });
  await expect(entersState(connection, VoiceConnectionStatus.Ready, 500)).rejects.toThrow();
  expect(discord.voice.connections.length).toBe(before);
  connection.destroy();
  expect(client.errors).toEqual([]);
});

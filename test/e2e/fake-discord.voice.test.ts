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
  joinVoiceChannel,
} from '@discordjs/voice';
import { GatewayIntentBits, PermissionFlagsBits as P, type Client } from 'discord.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeDiscord, type FakeChannel, type FakeGuild, type FakeUser } from '../support/fake-discord.ts';
import { loginClient } from '../support/discord-client.ts';
import { estimateFrequency, makeSineOggOpus, probe, tempDir } from '../support/media.ts';
import { waitFor } from '../support/wait.ts';

let discord: FakeDiscord;
let client: Client & { errors: Error[] };
let tmp: Awaited<ReturnType<typeof tempDir>>;
let guild: FakeGuild;
let voice: FakeChannel;
let alice: FakeUser;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  tmp = await tempDir();
  ({ guild, voice, alice } = discord.seedGuild());
  client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] });
});
afterAll(async () => {
  await client?.destroy();
  await discord?.stop();
  await tmp?.remove();
});

function join_(channel: FakeChannel) {
  return joinVoiceChannel({
    channelId: channel.id,
    guildId: channel.guild.id,
    adapterCreator: client.guilds.cache.get(channel.guild.id)!.voiceAdapterCreator,
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

test('@discordjs/voice joins, plays Ogg Opus, and the fake decrypts and decodes it', async () => {
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
  const player = createAudioPlayer();
  connection.subscribe(player);
  const resource = createAudioResource(createReadStream(ogg), { inputType: StreamType.OggOpus });
  // Ogg Opus is only demuxed: no Opus encoder (and with AES-GCM, no sodium) is needed to play.
  expect(resource.edges.map((e) => e.type)).toEqual(['ogg/opus demuxer']);
  player.play(resource);
  await entersState(player, AudioPlayerStatus.Playing, 5_000);

  const record = await discord.voice.waitForConnection(guild.id);
  await record.waitForPlaybackEnd(15_000);
  expect(record.selectedMode).toBe('aead_aes256_gcm_rtpsize');
  expect(record.offeredDaveVersion).toBeGreaterThanOrEqual(1); // davey is installed; the fake answers 0
  expect(record.decryptFailures).toBe(0);
  expect(record.speaking.map((s) => s.speaking)).toEqual([1, 0]);

  const audio = record.decode();
  expect(Math.abs(audio.durationMs - expectedMs)).toBeLessThanOrEqual(100);
  expect(audio.peak).toBeGreaterThan(0.05); // not silence
  expect(audio.rms).toBeGreaterThan(0.02);
  expect(Math.abs(estimateFrequency(audio.pcm) - 440)).toBeLessThan(15); // and the tone that was sent

  connection.destroy();
  await waitFor(() => !guild.voiceStates.has(discord.bot.id), { timeout: 5000, message: 'the bot to leave voice' });
  await waitFor(() => record.closed, { timeout: 5000, message: 'the voice socket to close' });
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

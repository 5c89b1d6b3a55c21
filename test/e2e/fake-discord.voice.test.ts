import { createReadStream } from 'node:fs';
import { connect } from 'node:tls';
import { join } from 'node:path';
import {
  AudioPlayerStatus,
  StreamType,
  VoiceConnectionStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
  joinVoiceChannel,
} from '@discordjs/voice';
import { GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeDiscord } from '../support/fake-discord.ts';
import { loginClient } from '../support/discord-client.ts';
import { estimateFrequency, makeSineOggOpus, probe, tempDir } from '../support/media.ts';

let discord: FakeDiscord;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  discord = await FakeDiscord.start();
  tmp = await tempDir();
});
afterAll(async () => {
  await discord?.stop();
  await tmp?.remove();
});

test('the forked worker trusts the test CA (NODE_EXTRA_CA_CERTS reached it at startup)', async () => {
  expect(process.env.NODE_EXTRA_CA_CERTS).toMatch(/test\/support\/certs\/ca\.pem$/);
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
  const { guild, voice } = discord.seedGuild();
  const client = await loginClient(discord, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] });
  const ogg = await makeSineOggOpus(join(tmp.dir, 'x.ogg'), { seconds: 2, frequency: 440 });
  const expectedMs = (await probe(ogg)).durationSec * 1000;

  const connection = joinVoiceChannel({
    channelId: voice.id,
    guildId: guild.id,
    adapterCreator: client.guilds.cache.get(guild.id)!.voiceAdapterCreator,
  });
  await entersState(connection, VoiceConnectionStatus.Ready, 10_000);
  const player = createAudioPlayer();
  connection.subscribe(player);
  const resource = createAudioResource(createReadStream(ogg), { inputType: StreamType.OggOpus });
  player.play(resource);
  await entersState(player, AudioPlayerStatus.Playing, 5_000);
  const record = await discord.voice.waitForConnection(guild.id);
  await record.waitForPlaybackEnd(15_000);

  const audio = record.decode();
  console.log({ frames: record.frames.length, audio: record.audioFrames.length, ms: audio.durationMs, expectedMs, rms: audio.rms, f: estimateFrequency(audio.pcm), fails: record.decryptFailures });
  expect(record.decryptFailures).toBe(0);
  expect(Math.abs(audio.durationMs - expectedMs)).toBeLessThanOrEqual(100);
  expect(audio.rms).toBeGreaterThan(0.05);
  connection.destroy();
  await client.destroy();
});

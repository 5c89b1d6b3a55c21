/** renderOggOpusStream: live Ogg Opus for Discord voice, checked with ffprobe and prism-media. */
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import prism from 'prism-media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_LUFS } from '../../src/render/normalize.ts';
import { renderAudio } from '../../src/render/render.ts';
import { renderOggOpusStream } from '../../src/render/stream.ts';
import { SAMPLE_RATE } from '../../src/render/synth.ts';
import { fixtureMidi } from '../support/midiFixtures.ts';
import { decodedDurationSec, ebur128File, ffprobe, liveChildren, renderChildrenAfterSettling, scratchDir } from './helpers.ts';

const DURATION_TOLERANCE_SEC = 0.02;
const LOUDNESS_TOLERANCE_LU = 1;
const VOICE_FRAME_MS = 20;
/** OpusHead and OpusTags come first; a third page means audio is flowing. */
const FIRST_AUDIO_PAGE = 3;

let scratch: Awaited<ReturnType<typeof scratchDir>>;
beforeAll(async () => (scratch = await scratchDir()));
afterAll(() => scratch.remove());

const countPages = (b: Buffer) => {
  let n = 0;
  for (let i = b.indexOf('OggS'); i !== -1; i = b.indexOf('OggS', i + 4)) n++;
  return n;
};

/** Frame duration of one Opus packet from its TOC byte (RFC 6716 §3.1), times the frame count. */
function packetMs(packet: Buffer): number {
  const toc = packet[0]!;
  const config = toc >> 3;
  const frameMs = config < 12 ? [10, 20, 40, 60][config % 4]! : config < 16 ? [10, 20][config % 2]! : [2.5, 5, 10, 20][config % 4]!;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : packet[1]! & 0x3f;
  return frameMs * frames;
}

async function opusPacketDurations(ogg: Buffer): Promise<number[]> {
  const demuxer = new prism.opus.OggDemuxer();
  const durations: number[] = [];
  demuxer.on('data', (p: Buffer) => durations.push(packetMs(p)));
  await new Promise<void>((resolve, reject) => {
    demuxer.on('end', resolve).on('error', reject);
    demuxer.end(ogg);
  });
  return durations;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('renderOggOpusStream', () => {
  it('yields audio while fluidsynth is still rendering; the whole is valid 48 kHz stereo Ogg Opus in 20 ms frames', async () => {
    const piece = fixtureMidi({ durationSec: 60 });
    const started = performance.now();
    const stream = renderOggOpusStream({ midi: piece.bytes, durationSec: piece.durationSec });
    const chunks: Buffer[] = [];
    let firstAudioMs: number | undefined;
    let childrenAtFirstAudio: string[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      if (firstAudioMs === undefined && countPages(Buffer.concat(chunks)) >= FIRST_AUDIO_PAGE) {
        firstAudioMs = performance.now() - started;
        childrenAtFirstAudio = await liveChildren();
      }
    }
    const totalMs = performance.now() - started;
    expect(childrenAtFirstAudio.some((c) => c.includes('fluidsynth'))).toBe(true);
    expect(firstAudioMs).toBeLessThan(totalMs / 2);

    const path = scratch.path('stream.ogg');
    const ogg = Buffer.concat(chunks);
    await writeFile(path, ogg);
    const stream0 = (await ffprobe(path)).streams[0]!;
    expect(stream0.codec_name).toBe('opus');
    expect(Number(stream0.sample_rate)).toBe(SAMPLE_RATE);
    expect(stream0.channels).toBe(2);
    expect(Math.abs((await decodedDurationSec(path)) - piece.durationSec)).toBeLessThanOrEqual(DURATION_TOLERANCE_SEC);

    // What Discord voice will read: prism-media's demuxer, one 20 ms frame per packet.
    const durations = await opusPacketDurations(ogg);
    expect(durations.length).toBeGreaterThan(0);
    expect(new Set(durations)).toEqual(new Set([VOICE_FRAME_MS]));
    // The packets cover the piece plus the encoder's pre-skip (6.5 ms), rounded up to whole frames.
    const packetsSec = (durations.length * VOICE_FRAME_MS) / 1000;
    expect(packetsSec).toBeGreaterThanOrEqual(piece.durationSec);
    expect(packetsSec - piece.durationSec).toBeLessThan((2 * VOICE_FRAME_MS) / 1000);

    // Without a known gain the stream is normalised dynamically towards the same target.
    expect(Math.abs((await ebur128File(path)).integratedLufs - TARGET_LUFS)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);
  });

  it('applies a known gain exactly (from an earlier file render of the same MIDI)', async () => {
    const piece = fixtureMidi({ durationSec: 10, dynamics: 0.5 });
    const file = await renderAudio({ midi: piece.bytes, durationSec: piece.durationSec, format: 'wav', tags: { title: 'gain' } });
    const ogg = await collect(renderOggOpusStream({ midi: piece.bytes, durationSec: piece.durationSec, gainDb: file.gainDb }));
    const path = scratch.path('stream-gain.ogg');
    await writeFile(path, ogg);
    expect(Math.abs((await ebur128File(path)).integratedLufs - TARGET_LUFS)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU);
  });

  it('kills fluidsynth and ffmpeg when the consumer destroys the stream', async () => {
    const piece = fixtureMidi({ durationSec: 90 });
    const stream = renderOggOpusStream({ midi: piece.bytes, durationSec: piece.durationSec });
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    expect((await liveChildren()).some((c) => /fluidsynth|ffmpeg/.test(c))).toBe(true);
    stream.destroy();
    expect(await renderChildrenAfterSettling()).toEqual([]);
  });
});

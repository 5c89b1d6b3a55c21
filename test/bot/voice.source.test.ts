import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import prism from 'prism-media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegFilters, ffmpegOgg, OggSource } from '../../src/bot/voice/source.ts';
import { Track, type TrackInfo } from '../../src/bot/voice/track.ts';
import { decodeOpus } from '../support/fake-discord/opus.ts';
import { makeSineOggOpus, tempDir } from '../support/media.ts';

const collect = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** Ogg Opus bytes → decoded PCM, through the same demuxer @discordjs/voice uses. */
async function decodeOgg(bytes: Buffer) {
  const packets: Buffer[] = [];
  const demuxer = Readable.from([bytes], { objectMode: false }).pipe(new prism.opus.OggDemuxer());
  for await (const p of demuxer) packets.push(p as Buffer);
  return decodeOpus(packets);
}

describe('OggSource', () => {
  it('is lazy, and every reader gets every byte from the start, also while it is produced', async () => {
    const producer = new PassThrough();
    let started = 0;
    const source = new OggSource(() => {
      started++;
      return producer;
    });
    expect(started).toBe(0);
    const early = source.open();
    expect(started).toBe(1);
    const earlyBytes = collect(early);
    producer.write(Buffer.from('OggS-1'));
    await new Promise((r) => setImmediate(r));
    const late = source.open(); // joins after the first chunk
    const lateBytes = collect(late);
    producer.write(Buffer.from('OggS-2'));
    producer.end();
    expect((await earlyBytes).toString()).toBe('OggS-1OggS-2');
    expect((await lateBytes).toString()).toBe('OggS-1OggS-2');
    expect(source.complete).toBe(true);
    expect((await collect(source.open())).toString()).toBe('OggS-1OggS-2'); // and again after the end
    expect(started).toBe(1);
  });

  it('drains its producer whether or not anyone reads (a paused player never stalls a render)', async () => {
    const producer = new PassThrough({ highWaterMark: 16 });
    const source = new OggSource(() => producer);
    source.prepare();
    for (let i = 0; i < 100; i++) expect(producer.write(Buffer.alloc(1024))).toBe(true);
    producer.end();
    await new Promise((r) => setImmediate(r));
    expect(source.complete).toBe(true);
    expect((await collect(source.open())).length).toBe(100 * 1024);
  });

  it('passes a producer failure to its readers, and a failure to start too', async () => {
    const producer = new PassThrough();
    const source = new OggSource(() => producer);
    const reading = collect(source.open());
    producer.destroy(new Error('fluidsynth died'));
    await expect(reading).rejects.toThrow('fluidsynth died');
    const broken = new OggSource(() => {
      throw new Error('no soundfont');
    });
    await expect(collect(broken.open())).rejects.toThrow('no soundfont');
    const told: string[] = [];
    broken.onFailure((e) => told.push(e.message)); // after the fact, too
    source.onFailure((e) => told.push(e.message));
    expect(told).toEqual(['no soundfont', 'fluidsynth died']);
  });

  it('dispose stops the producer and ends its readers; destroying a reader leaves the others alone', async () => {
    const producer = new PassThrough();
    const source = new OggSource(() => producer);
    const a = source.open();
    const b = source.open();
    const bBytes = collect(b);
    producer.write(Buffer.from('x'));
    a.destroy();
    producer.write(Buffer.from('y'));
    await new Promise((r) => setImmediate(r));
    source.dispose();
    expect(producer.destroyed).toBe(true);
    await expect(bBytes).rejects.toThrow(); // ended early by dispose
  });
});

describe('ffmpeg stage (volume and restart part-way)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tone: Buffer;
  beforeAll(async () => {
    tmp = await tempDir();
    tone = await readFile(await makeSineOggOpus(join(tmp.dir, 'tone.ogg'), { seconds: 2, frequency: 440 }));
  });
  afterAll(async () => {
    await tmp?.remove();
  });

  it('builds the filters it needs and no more', () => {
    expect(ffmpegFilters({})).toEqual([]);
    expect(ffmpegFilters({ startSec: 1.25, volume: 0.5 })).toEqual(['atrim=start=1.250', 'asetpts=PTS-STARTPTS', 'volume=0.500']);
    expect(ffmpegFilters({ volume: 1.5 })).toEqual(['volume=1.500', 'alimiter=limit=0.891:level=0']);
  });

  it('scales the level and cuts the start, as Ogg Opus the player demuxes', async () => {
    const original = await decodeOgg(tone);
    const half = await decodeOgg(await collect(ffmpegOgg(Readable.from([tone], { objectMode: false }), { inputFormat: 'ogg', volume: 0.5 })));
    expect(half.rms / original.rms).toBeGreaterThan(0.45);
    expect(half.rms / original.rms).toBeLessThan(0.55);
    expect(Math.abs(half.durationMs - original.durationMs)).toBeLessThanOrEqual(40);

    const rest = await decodeOgg(await collect(ffmpegOgg(Readable.from([tone], { objectMode: false }), { inputFormat: 'ogg', startSec: 1.5 })));
    expect(Math.abs(rest.durationMs - (original.durationMs - 1500))).toBeLessThanOrEqual(40);
    expect(rest.rms / original.rms).toBeGreaterThan(0.9);
  });

  it('fails with ffmpeg’s own words on input it cannot read', async () => {
    await expect(collect(ffmpegOgg(Readable.from([Buffer.from('not audio at all')], { objectMode: false }), { inputFormat: 'ogg', volume: 0.5 }))).rejects.toThrow(/ffmpeg failed/);
  });

  it('a track at 100 % from the start is its source bytes, untouched', async () => {
    const info: TrackInfo = { title: 't', style: 'lofi', mood: 'calm', key: 'C major', bpm: 80, durationSec: 2, seed: 1, loop: false, requestedBy: 'u', origin: 'stored' };
    const track = new Track(info, OggSource.fromBuffer(tone));
    expect((await collect(track.open())).equals(tone)).toBe(true);
    const quieter = await collect(track.open({ volume: 0.25 }));
    expect(quieter.equals(tone)).toBe(false);
    expect(quieter.subarray(0, 4).toString()).toBe('OggS');
    track.dispose();
  });
});

/** Joining two renders of one piece into one Ogg stream (src/render/oggRelay.ts), on real ffmpeg output. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oggCrc, readOggPackets, readOggPages } from '../../src/render/oggOpus.ts';
import { OggPageSplitter, OggRelay } from '../../src/render/oggRelay.ts';
import { tempDir } from '../support/media.ts';

const run = promisify(execFile);
let tmp: Awaited<ReturnType<typeof tempDir>>;
let first: Buffer;
let second: Buffer;

/** What the stream renderer writes: Ogg Opus with a page per 20 ms packet. */
async function encode(name: string): Promise<Buffer> {
  const path = join(tmp.dir, name);
  await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=2', '-c:a', 'libopus', '-ar', '48000', '-ac', '2', '-frame_duration', '20', '-page_duration', '20000', path], { timeout: 30_000 });
  return readFile(path);
}

beforeAll(async () => {
  tmp = await tempDir();
  [first, second] = await Promise.all([encode('a.ogg'), encode('b.ogg')]);
});
afterAll(() => tmp?.remove());

describe('OggPageSplitter', () => {
  it('cuts any chunking of a stream into its pages', () => {
    const splitter = new OggPageSplitter();
    const pages: Buffer[] = [];
    for (let i = 0; i < first.length; i += 333) pages.push(...splitter.push(first.subarray(i, i + 333)));
    expect(splitter.leftover).toBe(0);
    expect(pages).toEqual(readOggPages(first));
  });
});

describe('OggRelay', () => {
  it('passes one render through untouched', () => {
    const relay = new OggRelay();
    expect(relay.push('a', first).equals(first)).toBe(true);
  });

  it('continues a stream with a second render from where the first stopped: one serial, no packet lost or repeated', () => {
    const a = readOggPages(first);
    const b = readOggPages(second);
    expect(a[0]!.readUInt32LE(14)).not.toBe(b[0]!.readUInt32LE(14)); // ffmpeg picks a random serial
    const cut = 40; // the first render died after 40 pages (2 headers + 38 audio packets)
    const relay = new OggRelay();
    const out = Buffer.concat([relay.push('a', Buffer.concat(a.slice(0, cut))), relay.push('b', second)]);
    expect(relay.restarts).toBe(1);
    expect(relay.skippedPages).toBe(cut);
    const joined = readOggPackets(out);
    const pa = readOggPackets(first);
    const pb = readOggPackets(second);
    expect(joined.serial).toBe(pa.serial);
    expect(joined.audio.length).toBe(pa.audio.length);
    expect(Buffer.concat(joined.audio.slice(0, cut - 2)).equals(Buffer.concat(pa.audio.slice(0, cut - 2)))).toBe(true);
    expect(Buffer.concat(joined.audio.slice(cut - 2)).equals(Buffer.concat(pb.audio.slice(cut - 2)))).toBe(true);
    // Page sequence numbers run on without a gap, and every page's CRC is right.
    const pages = readOggPages(out);
    expect(pages.map((p) => p.readUInt32LE(18))).toEqual(pages.map((_, i) => i));
    expect(pages.every((p) => oggCrc(p) === p.readUInt32LE(22))).toBe(true);
  });
});

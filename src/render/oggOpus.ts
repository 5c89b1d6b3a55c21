/**
 * Joining two Ogg Opus encodes of one piece into one stream, so the two halves can be encoded on
 * two cores at once (encoding otherwise runs alone after the synthesis, one core idle).
 *
 * The second encode starts a few 20 ms frames before the seam (its pre-roll, dropped here): by the
 * seam its encoder has seen the same audio the first one did, so the decoder carries on from the
 * first half's last packet into the second half's packets without a step (RFC 7845 §4.6 relies on
 * the same convergence when seeking with pre-roll). Both halves come from ffmpeg's libopus with
 * 20 ms frames, so packet n of an encode holds its input samples [960n − preSkip, 960(n+1) − preSkip).
 *
 * Written by hand: the Ogg page layout (RFC 3533) and its CRC are small, and no maintained npm
 * package muxes Opus packets into Ogg (prism-media only demuxes).
 */

export const OPUS_FRAME = 960;

export interface OggPage {
  headerType: number;
  granule: bigint;
  serial: number;
  packets: Buffer[];
}

/** The pages of an Ogg file, each as its own bytes (header, lacing values and data). */
export function readOggPages(file: Buffer): Buffer[] {
  const pages: Buffer[] = [];
  for (let at = 0; at < file.length; ) {
    if (file.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`not an Ogg page at byte ${at}`);
    const segments = file[at + 26]!;
    let end = at + 27 + segments;
    for (let i = 0; i < segments; i++) end += file[at + 27 + i]!;
    pages.push(file.subarray(at, end));
    at = end;
  }
  return pages;
}

/** Every packet of a single-stream Ogg file, in order, plus its first two (header) packets apart. */
export function readOggPackets(file: Buffer): { head: Buffer; tags: Buffer; audio: Buffer[]; serial: number } {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let serial = 0;
  for (const page of readOggPages(file)) {
    serial = page.readUInt32LE(14);
    const segments = page[26]!;
    let data = 27 + segments;
    for (let i = 0; i < segments; i++) {
      const len = page[27 + i]!;
      pending.push(page.subarray(data, data + len));
      data += len;
      if (len < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
  }
  const [head, tags, ...audio] = packets;
  if (!head || head.toString('latin1', 0, 8) !== 'OpusHead' || !tags) throw new Error('not an Ogg Opus stream');
  return { head, tags, audio, serial };
}

export function preSkipOf(head: Buffer): number {
  return head.readUInt16LE(10);
}

/**
 * One stream from `first`'s headers and packets [0, seamPacket) followed by `second`'s packets from
 * `secondFrom` on, with granule positions recounted so the stream decodes to exactly `totalSamples`.
 */
export function joinOpus(opts: { first: Buffer; second?: Buffer; seamPacket?: number; secondFrom?: number; totalSamples: number; comments?: readonly [string, string][] }): Buffer {
  const a = readOggPackets(opts.first);
  const b = opts.second ? readOggPackets(opts.second) : null;
  const preSkip = preSkipOf(a.head);
  if (b && preSkipOf(b.head) !== preSkip) throw new Error('the two encodes have different pre-skips');
  const audio = b ? [...a.audio.slice(0, opts.seamPacket), ...b.audio.slice(opts.secondFrom)] : a.audio;
  if (opts.comments) a.tags = withComments(a.tags, opts.comments);
  const needed = Math.ceil((opts.totalSamples + preSkip) / OPUS_FRAME);
  if (audio.length < needed) throw new Error(`joined stream too short: ${audio.length} packets, ${needed} needed`);
  audio.length = needed;
  const pages: OggPage[] = [
    { headerType: 0x02, granule: 0n, serial: a.serial, packets: [a.head] },
    { headerType: 0, granule: 0n, serial: a.serial, packets: [a.tags] },
  ];
  const PACKETS_PER_PAGE = 50; // 1 s of 20 ms packets, as ffmpeg writes them
  for (let i = 0; i < audio.length; i += PACKETS_PER_PAGE) {
    const packets = audio.slice(i, i + PACKETS_PER_PAGE);
    const last = i + packets.length >= audio.length;
    // The last page's granule trims the stream to the exact length (RFC 7845 §4.5).
    const granule = last ? BigInt(preSkip + opts.totalSamples) : BigInt((i + packets.length) * OPUS_FRAME);
    pages.push({ headerType: last ? 0x04 : 0, granule, serial: a.serial, packets });
  }
  return Buffer.concat(pages.map((p, seq) => writePage(p, seq)));
}

/** An OpusTags packet (RFC 7845 §5.2) with `comments` appended after the ones it has. */
export function withComments(tags: Buffer, comments: readonly [string, string][]): Buffer {
  const vendorLength = tags.readUInt32LE(8);
  const countAt = 12 + vendorLength;
  const count = tags.readUInt32LE(countAt);
  const added = comments.map(([k, v]) => {
    const text = Buffer.from(`${k}=${v}`, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(text.length);
    return Buffer.concat([length, text]);
  });
  const head = Buffer.from(tags.subarray(0, countAt + 4));
  head.writeUInt32LE(count + comments.length, countAt);
  return Buffer.concat([head, tags.subarray(countAt + 4), ...added]);
}

export function writePage(page: OggPage, sequence: number): Buffer {
  const lacing: number[] = [];
  for (const p of page.packets) {
    for (let n = p.length; ; n -= 255) {
      lacing.push(Math.min(255, n));
      if (n < 255) break;
    }
  }
  if (lacing.length > 255) throw new Error('Ogg page over 255 segments');
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0; // version
  header[5] = page.headerType;
  header.writeBigInt64LE(page.granule, 6);
  header.writeUInt32LE(page.serial, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  lacing.forEach((l, i) => (header[27 + i] = l));
  const out = Buffer.concat([header, ...page.packets]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, zero initial value), CRC field zeroed. */
export function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

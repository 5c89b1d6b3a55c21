/**
 * One continuous Ogg Opus stream out of the renders of one piece that arrive in turn: when a
 * worker dies mid-piece, another renders the piece again from the start, and its pages must
 * carry on where the first render's stopped, as one logical stream. A demuxer (prism-media's,
 * in @discordjs/voice) only follows the serial number of the first stream it saw, so the second
 * render's pages (another random serial) are renumbered: its headers and every page up to the
 * granule position already passed on are dropped, the rest get the first serial, the next page
 * sequence numbers and a fresh CRC. Both renders are the same notes through the same renderer,
 * so the audio carries on from the same sample.
 */
import { oggCrc } from './oggOpus.ts';

/** Cuts a byte stream into whole Ogg pages (a chunk may end inside a page). */
export class OggPageSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** The complete pages in `chunk` (plus what was left over from before). */
  push(chunk: Buffer): Buffer[] {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const pages: Buffer[] = [];
    for (;;) {
      if (buf.length < 27) break;
      if (buf.toString('latin1', 0, 4) !== 'OggS') throw new Error('oggRelay: lost Ogg page sync');
      const segments = buf[26]!;
      if (buf.length < 27 + segments) break;
      let end = 27 + segments;
      for (let i = 0; i < segments; i++) end += buf[27 + i]!;
      if (buf.length < end) break;
      pages.push(buf.subarray(0, end));
      buf = buf.subarray(end);
    }
    this.pending = Buffer.from(buf);
    return pages;
  }

  /** Bytes of an unfinished page still held. */
  get leftover(): number {
    return this.pending.length;
  }
}

const granuleOf = (page: Buffer): bigint => page.readBigInt64LE(6);
const isHeaderPage = (page: Buffer): boolean => {
  const segments = page[26]!;
  const body = page.subarray(27 + segments, 27 + segments + 8).toString('latin1');
  return body === 'OpusHead' || body === 'OpusTags';
};

export class OggRelay {
  private renderId: string | null = null;
  private splitter = new OggPageSplitter();
  private serial: number | null = null;
  private sequence = 0;
  /** Granule position of the last audio page passed on. */
  private granule = -1n;
  /** Renders that replaced an earlier one. */
  restarts = 0;
  /** Pages of later renders dropped because an earlier render had passed them on already. */
  skippedPages = 0;

  /** Bytes of render `renderId`; returns what to pass on (whole pages only). */
  push(renderId: string, chunk: Buffer): Buffer {
    if (this.renderId !== renderId) {
      if (this.renderId !== null) this.restarts++;
      this.renderId = renderId;
      this.splitter = new OggPageSplitter();
    }
    const out: Buffer[] = [];
    for (const page of this.splitter.push(chunk)) {
      if (this.serial === null) {
        // The first render: its pages go out as they are.
        this.serial = page.readUInt32LE(14);
        this.sequence = page.readUInt32LE(18) + 1;
        if (!isHeaderPage(page)) this.granule = granuleOf(page);
        out.push(page);
        continue;
      }
      if (this.restarts === 0) {
        this.sequence = page.readUInt32LE(18) + 1;
        if (!isHeaderPage(page)) this.granule = granuleOf(page);
        out.push(page);
        continue;
      }
      // A later render: skip its headers and what was already sent; renumber the rest.
      if (isHeaderPage(page) || granuleOf(page) <= this.granule) {
        this.skippedPages++;
        continue;
      }
      const copy = Buffer.from(page);
      copy.writeUInt32LE(this.serial, 14);
      copy.writeUInt32LE(this.sequence++, 18);
      copy[5] = copy[5]! & ~0x02; // never a beginning-of-stream page mid-stream
      copy.writeUInt32LE(oggCrc(copy), 22);
      this.granule = granuleOf(copy);
      out.push(copy);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}

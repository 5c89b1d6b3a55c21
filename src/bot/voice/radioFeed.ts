/**
 * The radio's packet feed: sections' Opus packets one after another, as the player pulls them.
 * At the end of a section the next one follows if it is rendered; if not, the section's hold (its
 * last bar once more, rendered straight on from the section, so the step into it is as seamless
 * as any join) plays, and repeats bar by bar until the next section is there. The next section
 * then starts at the end of a hold bar: its render began with the same last bar, so the join is
 * the one it was made for. There is always a packet to give: no underrun, no silence.
 */
import { Readable } from 'node:stream';
import { OPUS_FRAME, writePage } from '../../render/oggOpus.ts';
import { ffmpegOgg, OggSource } from './source.ts';
import { Track, type TrackInfo } from './track.ts';

export interface FeedSection {
  index: number;
  main: Buffer[];
  hold: Buffer[];
  /**
   * Packets of `main` played when the section is cut at a bar line (the room's choice comes in
   * sooner: src/core/radioSteer.ts). Its hold is then the bar before the cut, repeated.
   */
  cut?: number;
}

/** Where in the feed a section (or one of its hold bars) began. */
export interface FeedMark {
  packet: number;
  index: number;
  hold: boolean;
}

export class RadioFeed {
  private current: FeedSection | null = null;
  private position = 0;
  private holding = false;
  private holdList: Buffer[] = [];
  /** Packets handed out so far. */
  packets = 0;
  /** Hold packets handed out so far (the workers were late by this many × 20 ms). */
  heldPackets = 0;
  readonly marks: FeedMark[] = [];

  /** `following(index)`: the section after `index` if it is rendered and still wanted, else null (-1: the first one). */
  constructor(private readonly following: (index: number) => FeedSection | null) {}

  get started(): boolean {
    return this.current !== null;
  }

  /** The section being handed out now (a little ahead of what is heard). */
  get feeding(): number {
    return this.current?.index ?? -1;
  }

  /** Where the section being handed out is: packets of its main part out, how many it plays, whether its last bar is repeating. */
  get place(): { index: number; position: number; end: number; barPackets: number; holding: boolean } | null {
    const s = this.current;
    if (!s) return null;
    const end = Math.min(s.cut ?? s.main.length, s.main.length);
    return { index: s.index, position: this.holding ? end : this.position, end, barPackets: s.hold.length, holding: this.holding };
  }

  next(): Buffer | null {
    if (!this.current) {
      const first = this.following(-1);
      if (!first) return null;
      this.enter(first, false);
    }
    for (;;) {
      const list = this.holding ? this.holdList : this.current!.main;
      const end = this.holding ? list.length : Math.min(this.current!.cut ?? list.length, list.length);
      if (this.position < end) {
        this.packets++;
        if (this.holding) this.heldPackets++;
        return list[this.position++]!;
      }
      const next = this.following(this.current!.index);
      if (next) this.enter(next, false);
      else this.enter(this.current!, true);
    }
  }

  /** The mark in force at `packet` (what is heard once that many packets have played). */
  markAt(packet: number): FeedMark | undefined {
    let found: FeedMark | undefined;
    for (const m of this.marks) {
      if (m.packet > packet) break;
      found = m;
    }
    return found;
  }

  private enter(section: FeedSection, hold: boolean): void {
    this.current = section;
    this.holding = hold;
    this.position = 0;
    const cut = section.cut;
    this.holdList = hold && cut !== undefined && cut < section.main.length ? section.main.slice(Math.max(0, cut - section.hold.length), cut) : section.hold;
    const last = this.marks.at(-1);
    // One mark per stretch of holding, not one per repeated bar.
    if (!(hold && last?.hold && last.index === section.index)) this.marks.push({ packet: this.packets, index: section.index, hold });
    // Old marks are not needed once far behind (an endless radio must not grow).
    if (this.marks.length > 64) this.marks.splice(0, this.marks.length - 64);
  }
}

const OPUS_HEAD = (() => {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b[8] = 1; // version
  b[9] = 2; // channels
  b.writeUInt16LE(312, 10); // pre-skip (libopus at 48 kHz)
  b.writeUInt32LE(48_000, 12);
  return b;
})();
const OPUS_TAGS = (() => {
  const vendor = Buffer.from('tunesmith radio', 'utf8');
  const b = Buffer.alloc(8 + 4 + vendor.length + 4);
  b.write('OpusTags', 0, 'latin1');
  b.writeUInt32LE(vendor.length, 8);
  vendor.copy(b, 12);
  return b;
})();

/**
 * The radio as a voice track: an endless stream of Opus packets read from the feed as the player
 * pulls them (at 100 % volume nothing is framed or demuxed: the player takes the packets as they
 * are; the few it buffers are all the feed runs ahead of what is heard). At another volume the
 * packets go as Ogg Opus through the same ffmpeg stage as any track. Reopening (a volume change)
 * carries on from where the feed is. Nothing is kept in memory but the rendered sections the
 * station holds.
 */
export class RadioTrack extends Track {
  private reader: Readable | null = null;
  private pump: (() => void) | null = null;
  /** Feed packets handed out before the current reader opened (the audio resource counts from 0). */
  openedAt = 0;
  private disposed = false;

  constructor(
    info: TrackInfo,
    readonly feed: RadioFeed,
    private readonly onDispose: () => void,
  ) {
    super(info, new OggSource());
  }

  override prepare(): void {}

  override onComplete(): void {}

  override onFailure(): void {}

  override streamType(volume: number): 'ogg' | 'opus' {
    return volume === 1 ? 'opus' : 'ogg';
  }

  override open(opts: { volume?: number } = {}): Readable {
    const volume = opts.volume ?? 1;
    return volume === 1 ? this.openPackets() : ffmpegOgg(this.openOgg(), { inputFormat: 'ogg', volume });
  }

  private openPackets(): Readable {
    this.reader?.destroy();
    this.openedAt = this.feed.packets;
    // A few packets of buffer: the player pulls one every 20 ms.
    const stream = new Readable({ objectMode: true, highWaterMark: 8, read: () => pump() });
    const pump = (): void => {
      if (stream.destroyed) return;
      for (;;) {
        const packet = this.feed.next();
        if (!packet) return; // nothing rendered yet: kick() pumps again once the first section is there
        if (!stream.push(packet)) return;
      }
    };
    this.pump = pump;
    this.reader = stream;
    return stream;
  }

  private openOgg(): Readable {
    this.reader?.destroy();
    this.openedAt = this.feed.packets;
    let sequence = 0;
    let granule = 0n;
    const serial = 0x7ad10;
    const pump = (): void => {
      if (stream.destroyed) return;
      if (sequence === 0) {
        stream.push(writePage({ headerType: 0x02, granule: 0n, serial, packets: [OPUS_HEAD] }, sequence++));
        stream.push(writePage({ headerType: 0, granule: 0n, serial, packets: [OPUS_TAGS] }, sequence++));
      }
      for (;;) {
        const packet = this.feed.next();
        if (!packet) return;
        granule += BigInt(OPUS_FRAME);
        if (!stream.push(writePage({ headerType: 0, granule, serial, packets: [packet] }, sequence++))) return;
      }
    };
    const stream = new Readable({ read: pump });
    this.pump = pump;
    this.reader = stream;
    return stream;
  }

  /** The first section is there: start handing out packets (the reader may be waiting). */
  kick(): void {
    this.pump?.();
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.reader?.destroy();
    this.reader = null;
    this.onDispose();
  }
}

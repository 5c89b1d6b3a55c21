import { describe, expect, it } from 'vitest';
import { RadioFeed, type FeedSection } from '../../../src/bot/voice/radioFeed.ts';

const section = (index: number, main: number, hold: number): FeedSection => ({
  index,
  main: [...Array(main)].map((_, i) => Buffer.from(`s${index}m${i}`)),
  hold: [...Array(hold)].map((_, i) => Buffer.from(`s${index}h${i}`)),
});

describe('radio feed', () => {
  it('plays sections back to back, holds the last bar while the next is late, and joins it at a hold-bar end', () => {
    const ready = new Map<number, FeedSection>([[0, section(0, 3, 2)], [1, section(1, 2, 2)]]);
    const feed = new RadioFeed((i) => ready.get(i + 1) ?? null);
    const out = (n: number) => [...Array(n)].map(() => feed.next()!.toString());
    expect(out(5)).toEqual(['s0m0', 's0m1', 's0m2', 's1m0', 's1m1']);
    // Section 2 is late: section 1's hold bar, again and again, never nothing.
    expect(out(5)).toEqual(['s1h0', 's1h1', 's1h0', 's1h1', 's1h0']);
    ready.set(2, section(2, 2, 1));
    // It starts at the end of the hold bar, not in the middle of it.
    expect(out(3)).toEqual(['s1h1', 's2m0', 's2m1']);
    expect(feed.heldPackets).toBe(6);
    expect(feed.marks).toEqual([
      { packet: 0, index: 0, hold: false },
      { packet: 3, index: 1, hold: false },
      { packet: 5, index: 1, hold: true },
      { packet: 11, index: 2, hold: false },
    ]);
    expect(feed.markAt(7)).toEqual({ packet: 5, index: 1, hold: true });
  });

  it('gives nothing until the first section is there, and starts with whichever section comes first', () => {
    let first: FeedSection | null = null;
    const feed = new RadioFeed((i) => (i < 0 ? first : null));
    expect(feed.next()).toBeNull();
    first = section(7, 1, 1);
    expect(feed.next()!.toString()).toBe('s7m0');
    expect(feed.feeding).toBe(7);
  });

  it('cut at a bar line: plays that many packets, then the next section; late, it repeats the bar before the cut', () => {
    const ready = new Map<number, FeedSection>([[0, section(0, 8, 2)]]);
    const feed = new RadioFeed((i) => ready.get(i + 1) ?? null);
    const out = (n: number) => [...Array(n)].map(() => feed.next()!.toString());
    expect(out(2)).toEqual(['s0m0', 's0m1']);
    ready.get(0)!.cut = 4;
    expect(feed.place).toEqual({ index: 0, position: 2, end: 4, barPackets: 2, holding: false });
    // The next section is late at the cut: the bar before it (packets 2 and 3) repeats.
    expect(out(5)).toEqual(['s0m2', 's0m3', 's0m2', 's0m3', 's0m2']);
    expect(feed.place!.holding).toBe(true);
    // It comes in at the end of a hold bar.
    ready.set(1, section(1, 3, 1));
    expect(out(3)).toEqual(['s0m3', 's1m0', 's1m1']);
    expect(feed.marks.map((m) => [m.packet, m.index, m.hold])).toEqual([[0, 0, false], [4, 0, true], [8, 1, false]]);
  });

  it('cut with the next section there: no hold', () => {
    const next = section(1, 2, 1);
    const first = { ...section(0, 6, 2), cut: 2 };
    const feed = new RadioFeed((i) => (i < 0 ? first : i === 0 ? next : null));
    expect([...Array(4)].map(() => feed.next()!.toString())).toEqual(['s0m0', 's0m1', 's1m0', 's1m1']);
    expect(feed.heldPackets).toBe(0);
  });
});

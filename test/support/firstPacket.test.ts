/** bench:voice's first-packet rule (firstPacket.ts): a late packet of the skipped track is not the new one's first. */
import { describe, expect, it } from 'vitest';
import type { OpusFrame } from './fake-discord/voice.ts';
import { firstAudioAfter, markFrames, waitQuiet } from './firstPacket.ts';

const frame = (tag: string, silence = false, agoMs = 0): OpusFrame => ({ sequence: 0, timestamp: 0, opus: Buffer.from(tag), receivedAt: Date.now() - agoMs, silence, e2ee: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('first packet of a new playback', () => {
  it('skips the old track’s last packet that lands just after the skip', async () => {
    const conn = { frames: [frame('old 1', false, 40), frame('old 2', false, 20)] };
    // The skip happens now; the packet @discordjs/voice had prepared lands 20 ms later.
    setTimeout(() => conn.frames.push(frame('old, late')), 20);
    const skippedAt = Date.now();

    // The old rule: first frame received at or after t0, with t0 taken right after the skip.
    await sleep(30);
    const oldRule = conn.frames.find((f) => f.receivedAt >= skippedAt);
    expect(oldRule?.opus.toString()).toBe('old, late'); // the "0 ms" first packet

    // The rule bench:voice uses now.
    await waitQuiet(() => [conn], 100);
    const mark = markFrames([conn]);
    expect(firstAudioAfter([conn], mark)).toBeUndefined();
    conn.frames.push(frame('', true), frame('new 1'));
    expect(firstAudioAfter([conn], mark)?.opus.toString()).toBe('new 1');
  });

  it('counts a connection opened after the mark from its first frame', () => {
    const old = { frames: [frame('old')] };
    const mark = markFrames([old]);
    const joined = { frames: [frame('new')] };
    expect(firstAudioAfter([old, joined], mark)?.opus.toString()).toBe('new');
  });

  it('waits while frames keep arriving', async () => {
    const conn = { frames: [frame('a')] };
    const timer = setInterval(() => conn.frames.push(frame('b')), 10);
    setTimeout(() => clearInterval(timer), 150);
    const start = Date.now();
    await waitQuiet(() => [conn], 60);
    expect(Date.now() - start).toBeGreaterThanOrEqual(150);
  });
});

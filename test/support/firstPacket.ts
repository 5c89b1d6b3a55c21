/**
 * Which audio packet is the first of a new playback, for bench:voice. After a skip,
 * @discordjs/voice still sends the packet it had prepared for the next 20 ms cycle, and UDP
 * packets already sent are still on their way: taken right after the skip, "the first frame
 * received after t0" could be the old track's last one, timed at 0 ms. So: wait until no frame has
 * arrived for a while, mark how many frames each connection has, and count only frames past the mark.
 */
import type { OpusFrame } from './fake-discord/voice.ts';

export interface FrameSource {
  readonly frames: readonly OpusFrame[];
}

/** Frames each connection has now; anything after belongs to what plays next. */
export type FrameMark = Map<FrameSource, number>;

export function markFrames(connections: readonly FrameSource[]): FrameMark {
  return new Map(connections.map((c) => [c, c.frames.length]));
}

/** The first audio (not silence-padding) frame past `mark`; a connection opened since counts from its start. */
export function firstAudioAfter(connections: readonly FrameSource[], mark: FrameMark): OpusFrame | undefined {
  let first: OpusFrame | undefined;
  for (const c of connections) {
    const frame = c.frames.slice(mark.get(c) ?? 0).find((f) => !f.silence);
    if (frame && (!first || frame.receivedAt < first.receivedAt)) first = frame;
  }
  return first;
}

/** Waits until no connection has received a frame for `quietMs` (packets in flight have landed). */
export async function waitQuiet(connections: () => readonly FrameSource[], quietMs = 100, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = Math.max(0, ...connections().map((c) => c.frames.at(-1)?.receivedAt ?? 0));
    const quietFor = Date.now() - last;
    if (quietFor >= quietMs) return;
    if (Date.now() > deadline) throw new Error(`voice frames still arriving after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, quietMs - quietFor + 1));
  }
}

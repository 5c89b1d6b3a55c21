/**
 * Audible drop-outs in rendered audio. The PCM is cut into 25 ms frames (non-overlapping, from the
 * first sample); a frame's level is its mean square over all channels in dB (silence: −200 dB).
 * The reference is the median level of the frames considered. A drop-out frame is one more than
 * 20 dB under that median; a drop-out is a run of consecutive drop-out frames. Frames are
 * considered from the first one that reaches the reference − 20 dB (leading silence before the
 * music starts drops nothing out) and outside the excluded spans (the ending, deliberate breaks),
 * a frame being excluded when any part of it lies in an excluded span.
 */

export const FRAME_SEC = 0.025;
export const DROP_DB = 20;
const SILENCE_DB = -200;

export interface Pcm {
  /** Interleaved samples in [−1, 1]. */
  samples: Float32Array;
  sampleRate: number;
  channels: number;
}

export interface DropoutResult {
  frames: number;
  medianDb: number;
  dropoutFrames: number;
  dropouts: number;
  /** Start of each drop-out, seconds. */
  at: number[];
  /** Longest drop-out, seconds. */
  longestSec: number;
  perMinute: number;
}

export function frameLevelsDb(pcm: Pcm, frameSec = FRAME_SEC): number[] {
  const frameLen = Math.round(frameSec * pcm.sampleRate) * pcm.channels;
  const out: number[] = [];
  for (let i = 0; i + frameLen <= pcm.samples.length; i += frameLen) {
    let sum = 0;
    for (let j = i; j < i + frameLen; j++) sum += pcm.samples[j]! * pcm.samples[j]!;
    const ms = sum / frameLen;
    out.push(ms > 0 ? Math.max(SILENCE_DB, 10 * Math.log10(ms)) : SILENCE_DB);
  }
  return out;
}

export function dropouts(pcm: Pcm, excluded: readonly { startSec: number; endSec: number }[] = []): DropoutResult {
  const levels = frameLevelsDb(pcm);
  const inExcluded = (f: number) => excluded.some((e) => f * FRAME_SEC < e.endSec && (f + 1) * FRAME_SEC > e.startSec);
  const kept = levels.map((_, f) => !inExcluded(f));
  const sorted = levels.filter((_, f) => kept[f]).sort((a, b) => a - b);
  const medianDb = sorted.length ? sorted[sorted.length >> 1]! : SILENCE_DB;
  const floor = medianDb - DROP_DB;
  const first = levels.findIndex((l) => l >= floor);
  let frames = 0;
  let dropoutFrames = 0;
  const at: number[] = [];
  let run = 0;
  let longest = 0;
  for (let f = Math.max(0, first); f < levels.length; f++) {
    if (!kept[f]) {
      run = 0;
      continue;
    }
    frames++;
    if (levels[f]! < floor) {
      dropoutFrames++;
      if (run === 0) at.push(f * FRAME_SEC);
      run++;
      longest = Math.max(longest, run);
    } else run = 0;
  }
  const minutes = (frames * FRAME_SEC) / 60;
  return { frames, medianDb, dropoutFrames, dropouts: at.length, at, longestSec: longest * FRAME_SEC, perMinute: minutes > 0 ? at.length / minutes : 0 };
}

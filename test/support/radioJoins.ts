/**
 * Join quality of a radio stream (issue 15), measured on decoded audio: at each join, the largest
 * sample-to-sample step near it against the music's own largest step in the seconds around it,
 * and the level of the 20 ms frames at the join against the frames around them.
 */
const RATE = 48_000;
const FRAME = 960;

export interface JoinMeasure {
  /** Decoded frame index of the join (stereo frames). */
  at: number;
  /** Largest |step| within ±10 ms of the join (covers the encoder switch and the musical join 312 samples later), worst channel. */
  jump: number;
  /** Largest |step| of the music from 2 s before to 2 s after, the ±10 ms left out. */
  ownMax: number;
  /** Quietest 20 ms frame at the join against the median frame of the half second either side, dB. */
  levelDb: number;
}

export function measureJoin(pcm: Int16Array, at: number): JoinMeasure {
  const frames = pcm.length / 2;
  const near = 480;
  let jump = 0;
  let ownMax = 0;
  for (let i = Math.max(1, at - 2 * RATE); i < Math.min(frames, at + 2 * RATE); i++) {
    for (let c = 0; c < 2; c++) {
      const step = Math.abs(pcm[i * 2 + c]! - pcm[(i - 1) * 2 + c]!);
      if (Math.abs(i - (at + 156)) <= near) jump = Math.max(jump, step);
      else ownMax = Math.max(ownMax, step);
    }
  }
  const rms = (from: number) => {
    let s = 0;
    let n = 0;
    for (let i = Math.max(0, from); i < Math.min(frames, from + FRAME); i++, n++) s += pcm[i * 2]! ** 2 + pcm[i * 2 + 1]! ** 2;
    return Math.sqrt(s / Math.max(1, 2 * n));
  };
  // The frames that hold the join: the encoder switch at `at` and the musical join 312 samples later.
  const atJoin = Math.min(rms(at - FRAME / 2), rms(at), rms(at - FRAME));
  const around: number[] = [];
  for (let from = at - RATE / 2; from < at + RATE / 2; from += FRAME) if (Math.abs(from - at) > 2 * FRAME) around.push(rms(from));
  around.sort((a, b) => a - b);
  const median = around[Math.floor(around.length / 2)] ?? 0;
  return { at, jump, ownMax, levelDb: 20 * Math.log10(Math.max(1e-9, atJoin) / Math.max(1e-9, median)) };
}

/** Quietest 20 ms frame against its neighbours over the whole stream (a gap or drop anywhere), dB. */
export function worstFrameDrop(pcm: Int16Array, from = 0): { at: number; dropDb: number } {
  const frames = Math.floor(pcm.length / 2 / FRAME);
  const level: number[] = [];
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let i = f * FRAME * 2; i < (f + 1) * FRAME * 2; i++) s += pcm[i]! ** 2;
    level.push(Math.sqrt(s / (FRAME * 2)));
  }
  let worst = { at: -1, dropDb: 0 };
  for (let f = Math.max(1, from); f + 1 < frames; f++) {
    const neighbours = Math.min(level[f - 1]!, level[f + 1]!);
    const db = 20 * Math.log10(Math.max(1e-9, level[f]!) / Math.max(1e-9, neighbours));
    if (db < worst.dropDb) worst = { at: f, dropDb: db };
  }
  return worst;
}

/** Join quality of a loop played twice end to end (issue 14): the sample jump at the join and the level across it. */
const RATE = 48_000;

export interface JoinQuality {
  /** |first sample − last sample| at the join, worst channel. */
  jump: number;
  /** The music's own sample-to-sample steps: 99.9th percentile and maximum over the loop, same channel. */
  ownP999: number;
  ownMax: number;
  /** RMS of 20 ms across the join against the median 20 ms RMS of the half second either side, dB. */
  levelAtJoinDb: number;
}

/** The loop played twice: [x, x]; measured at the join (frame N of 2N). */
export function joinQuality(x: Int16Array): JoinQuality {
  const frames = x.length / 2;
  const twice = new Int16Array(x.length * 2);
  twice.set(x, 0);
  twice.set(x, x.length);
  let worst: { jump: number; ownP999: number; ownMax: number } | null = null;
  for (let c = 0; c < 2; c++) {
    const steps: number[] = [];
    for (let i = 0; i + 1 < frames; i++) steps.push(Math.abs(x[(i + 1) * 2 + c]! - x[i * 2 + c]!));
    steps.sort((a, b) => a - b);
    const jump = Math.abs(twice[frames * 2 + c]! - twice[(frames - 1) * 2 + c]!);
    const ownP999 = steps[Math.floor(steps.length * 0.999)]!;
    if (!worst || jump - ownP999 > worst.jump - worst.ownP999) worst = { jump, ownP999, ownMax: steps.at(-1)! };
  }
  const win = Math.round(0.02 * RATE);
  const rms = (from: number) => {
    let s = 0;
    for (let i = from; i < from + win; i++) for (let c = 0; c < 2; c++) s += twice[i * 2 + c]! ** 2;
    return Math.sqrt(s / (win * 2));
  };
  const around: number[] = [];
  for (let from = frames - RATE / 2; from < frames + RATE / 2; from += win) if (Math.abs(from + win / 2 - frames) > win) around.push(rms(from));
  around.sort((a, b) => a - b);
  const median = around[Math.floor(around.length / 2)]!;
  return { ...worst!, levelAtJoinDb: 20 * Math.log10(rms(frames - win / 2) / median) };
}


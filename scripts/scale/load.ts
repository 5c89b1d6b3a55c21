/**
 * The request mix of `npm run bench:scale` (pure, seeded): when each /compose arrives, in which
 * guild, for how long a piece, and which ones repeat an earlier request exactly (served from the
 * stored results). Arrivals are a steady random stream plus a few bursts (a streamer's raid, a
 * server event), as a bot serving many guilds sees.
 */

/** Lengths people ask for, with their shares: mostly short stream intros and loops. */
export const LENGTH_MIX: readonly { seconds: number; share: number }[] = [
  { seconds: 10, share: 0.3 },
  { seconds: 15, share: 0.2 },
  { seconds: 30, share: 0.25 },
  { seconds: 60, share: 0.15 },
  { seconds: 120, share: 0.07 },
  { seconds: 240, share: 0.03 },
];
const STYLES = ['lofi', 'ambient', 'jazz', 'chiptune', 'cinematic', 'synthwave'];
const MOODS = ['calm', 'happy', 'sad', 'dark', 'epic'];

export interface PlannedRequest {
  index: number;
  /** ms after the start. */
  atMs: number;
  guild: number;
  /** 0 or 1: which of the guild's two members asks. */
  member: number;
  options: { style: string; mood: string; duration: string; seed: number };
  /** The index of the earlier request this one repeats exactly, if it is a repeat. */
  repeatOf: number | null;
  inBurst: boolean;
}

export interface LoadPlan {
  requests: PlannedRequest[];
  bursts: { atMs: number; size: number }[];
}

/** mulberry32: a small seeded generator, so a run can be repeated. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function planLoad(opts: { requests: number; durationMs: number; guilds: number; repeatShare: number; bursts: number; burstSize: number; burstSpreadMs: number; seed: number }): LoadPlan {
  const random = rng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const length = () => {
    let r = random();
    for (const l of LENGTH_MIX) if ((r -= l.share) < 0) return l.seconds;
    return LENGTH_MIX.at(-1)!.seconds;
  };
  const bursts = Array.from({ length: opts.bursts }, () => ({ atMs: Math.round((0.1 + 0.8 * random()) * opts.durationMs), size: opts.burstSize }));
  const times: { atMs: number; inBurst: boolean }[] = [];
  for (const b of bursts) for (let i = 0; i < b.size; i++) times.push({ atMs: b.atMs + Math.round(random() * opts.burstSpreadMs), inBurst: true });
  while (times.length < opts.requests) times.push({ atMs: Math.round(random() * opts.durationMs), inBurst: false });
  times.sort((a, b) => a.atMs - b.atMs);
  const requests: PlannedRequest[] = [];
  for (const [index, t] of times.slice(0, opts.requests).entries()) {
    const guild = Math.floor(random() * opts.guilds);
    const member = random() < 0.5 ? 0 : 1;
    if (requests.length > 0 && random() < opts.repeatShare) {
      const of = requests[Math.floor(random() * requests.length)]!;
      requests.push({ index, ...t, guild, member, options: of.options, repeatOf: of.repeatOf ?? of.index });
      continue;
    }
    requests.push({ index, ...t, guild, member, options: { style: pick(STYLES), mood: pick(MOODS), duration: String(length()), seed: 100_000 + index }, repeatOf: null });
  }
  return { requests, bursts };
}

/** p-th percentile (nearest rank) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

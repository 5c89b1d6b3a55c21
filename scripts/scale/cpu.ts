/**
 * CPU time of a process and everything it started (Linux /proc), for CPU per job. A process's
 * cutime/cstime hold its reaped children's time (recursively), so the tree's total is the root's
 * own and reaped time plus each live descendant's own and reaped time.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, seconds. */
  total: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces or parentheses: fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z') return null;
    const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
    return { pid, ppid: Number(f[1]), total: (utime + stime + cutime + cstime) / TICKS };
  } catch {
    return null;
  }
}

/** Seconds of CPU used so far by `root` and all its descendants (null when root is gone). */
export function treeCpuSeconds(root: number): number | null {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s) stats.set(s.pid, s);
  }
  if (!stats.has(root)) return null;
  const children = new Map<number, number[]>();
  for (const s of stats.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += stats.get(pid)?.total ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Keeps the last reading of each tree, so a process killed mid-run still counts up to then. */
export class CpuMeter {
  private readonly last = new Map<string, number>();
  private readonly base = new Map<string, number>();

  sample(name: string, pid: number): void {
    const now = treeCpuSeconds(pid);
    if (now === null) return;
    const key = `${name}:${pid}`;
    if (!this.base.has(key)) this.base.set(key, now);
    this.last.set(key, now);
  }

  /** CPU seconds since the first sample, per name (all pids that carried it). */
  seconds(name: string): number {
    let total = 0;
    for (const [key, value] of this.last) if (key.startsWith(`${name}:`)) total += value - (this.base.get(key) ?? value);
    return total;
  }
}

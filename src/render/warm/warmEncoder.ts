/**
 * Warm Ogg Opus encoders: ffmpeg processes started ahead of the render that needs them, waiting on
 * stdin for float PCM. ffmpeg links about 200 shared libraries; starting one costs ~0.12 s of CPU,
 * and a split render starts two while its two synthesisers already keep both cores busy (measured:
 * two 30 s halves synthesise in 0.30 s alone, 0.54 s with two encoder start-ups beside them).
 *
 * A warm encoder knows nothing of the piece: it runs the mastering EQ and safety limiter, encodes and
 * writes Ogg to stdout. What depends on the piece is done here: exactly the piece's frames go in
 * with the end fade already applied (writeScaledPcm), and the tags go into the OpusTags packet when
 * the stream is re-paged (oggOpus.ts), byte for byte as ffmpeg's `-metadata` would write them.
 *
 * Guarantees: an encoder serves one render and then exits (its stdin ends); a pool refills after
 * the render that took from it, off that render's critical path; idle encoders do not keep the
 * process alive and die with it (their stdin closes, they see an empty input and exit).
 * TUNESMITH_WARM_ENCODER=0 turns this off (encoders then start per render, as for MP3 and WAV).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { RenderError, StderrTail } from '../errors.ts';
import { setChildRef, type ProcessGuard } from '../lifecycle.ts';

/** Idle encoders kept per command: two, for the two halves of a parallel encode. */
const MAX_IDLE = 2;

export function warmEncoderWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TUNESMITH_WARM_ENCODER !== '0';
}

/** One ffmpeg process for one encode: PCM in on `input`, the encoded file from `done`. */
export class WarmEncoder {
  private readonly child: ChildProcess;
  private readonly chunks: Buffer[] = [];
  private readonly stderr = new StderrTail();
  /** The encoded file once ffmpeg exits cleanly; a RenderError otherwise. */
  readonly done: Promise<Buffer>;

  constructor(ffmpeg: string, args: readonly string[]) {
    this.child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (c: Buffer) => this.chunks.push(c));
    this.child.stderr!.on('data', (c: Buffer) => this.stderr.push(c));
    // A write after ffmpeg died: its exit below carries the reason.
    this.child.stdin!.on('error', () => {});
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.child.once('error', (e) => reject(new RenderError('ffmpeg', `could not start: ${e.message}`)));
      this.child.once('close', (code, signal) => {
        if (code === 0) resolve(Buffer.concat(this.chunks));
        else reject(new RenderError('ffmpeg', signal ? `killed by ${signal}` : `exited with code ${code}`, this.stderr.toString()));
      });
    });
    this.done.catch(() => {}); // an idle encoder that dies with nobody waiting must not crash the process
    this.setRef(false);
  }

  /**
   * Resolves once ffmpeg has finished starting (its CPU time stopped growing: it waits on stdin),
   * or after `maxMs`. A benchmark waits for this so a refill never runs inside a timed run.
   */
  async started(maxMs = 2000): Promise<void> {
    const deadline = Date.now() + maxMs;
    let last = -1;
    let still = 0;
    while (this.alive && Date.now() < deadline && still < 3) {
      const cpu = cpuTicks(this.child.pid);
      still = cpu !== undefined && cpu === last ? still + 1 : 0;
      last = cpu ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.child.killed;
  }

  get input(): Writable {
    return this.child.stdin!;
  }

  /** Taken by a render: from now on it keeps the process alive until it has finished. */
  take(guard: ProcessGuard): this {
    this.setRef(true);
    const untrack = guard.track(() => this.kill());
    this.done.then(untrack, untrack);
    return this;
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  private setRef(on: boolean): void {
    setChildRef(this.child, on);
  }
}

class EncoderPool {
  private readonly idle = new Map<string, { ffmpeg: string; args: readonly string[]; encoders: WarmEncoder[]; keep: number }>();

  constructor() {
    process.once('exit', () => {
      for (const { encoders } of this.idle.values()) for (const e of encoders) e.kill();
    });
  }

  /** An idle encoder for this command, or a new one; the pool refills once the caller's render is done. */
  acquire(ffmpeg: string, args: readonly string[]): WarmEncoder {
    const entry = this.entry(ffmpeg, args);
    for (let e = entry.encoders.shift(); e; e = entry.encoders.shift()) if (e.alive) return e;
    return new WarmEncoder(ffmpeg, args);
  }

  /**
   * Keeps `count` encoders idle for this command from now on (a worker at start-up): started now,
   * and refilled after each render that takes from them. Without it (the CLI's single render)
   * nothing is started ahead.
   */
  keepWarm(ffmpeg: string, args: readonly string[], count = MAX_IDLE): void {
    this.entry(ffmpeg, args).keep = Math.min(count, MAX_IDLE);
    this.refill(ffmpeg, args);
  }

  /** Starts encoders until as many as kept wait idle (called once a render is done). */
  refill(ffmpeg: string, args: readonly string[]): void {
    const entry = this.entry(ffmpeg, args);
    entry.encoders = entry.encoders.filter((e) => e.alive);
    while (entry.encoders.length < entry.keep) entry.encoders.push(new WarmEncoder(ffmpeg, args));
  }

  /** Resolves once every idle encoder has finished starting (see WarmEncoder.started). */
  async settled(): Promise<void> {
    await Promise.all([...this.idle.values()].flatMap((entry) => entry.encoders.map((e) => e.started())));
  }

  idleCount(ffmpeg: string, args: readonly string[]): number {
    return this.entry(ffmpeg, args).encoders.filter((e) => e.alive).length;
  }

  private entry(ffmpeg: string, args: readonly string[]) {
    const key = JSON.stringify([ffmpeg, args]);
    let entry = this.idle.get(key);
    if (!entry) this.idle.set(key, (entry = { ffmpeg, args, encoders: [], keep: 0 }));
    return entry;
  }
}

export const encoderPool = new EncoderPool();

/** utime + stime of a process in clock ticks (Linux /proc), or undefined where unreadable. */
function cpuTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

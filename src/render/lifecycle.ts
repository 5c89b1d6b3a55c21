/**
 * Side-effect adapters for one render: a scratch directory for the MIDI file, and a guard that
 * owns every child process so none outlives the render (error, abort, timeout or stream destroy).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { RenderError } from './errors.ts';

export async function makeScratchDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tunesmith-render-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Tracks the kill functions of running processes. `fail` kills them all and rejects `failed`,
 * which every stage races against, so the first problem anywhere ends the whole render.
 */
export class ProcessGuard {
  private readonly killers = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private rejectFailed: ((e: Error) => void) | undefined;
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;

  constructor(opts: { timeoutMs?: number; signal?: AbortSignal; what: string }) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => {}); // observed through race(); avoid unhandled rejections
    if (opts.timeoutMs !== undefined && Number.isFinite(opts.timeoutMs)) {
      this.timer = setTimeout(() => this.fail(new RenderError(opts.what, `timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
      this.timer.unref();
    }
    if (opts.signal) {
      const onAbort = () => this.fail(new RenderError(opts.what, 'aborted by the caller', '', { cause: opts.signal?.reason }));
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  private disposed = false;

  get failedWith(): Error | undefined {
    return this.failure;
  }

  /** Register a kill function; returns a function to call once the process has exited. */
  track(kill: () => void): () => boolean {
    // A process that starts after the render ended (a pre-spawned encoder) must not outlive it.
    if (this.failure || this.disposed) kill();
    this.killers.add(kill);
    return () => this.killers.delete(kill);
  }

  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.killAll();
    this.rejectFailed?.(error);
  }

  /** Settle `work` or the first failure, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.failed]);
  }

  killAll(): void {
    for (const kill of this.killers) kill();
    this.killers.clear();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.killAll();
  }
}

/**
 * Whether a long-lived child (a warm synthesiser or encoder) keeps this process alive: on while it
 * works for a render, off while it waits idle, so an idle pool never holds a CLI or a test open.
 */
export function setChildRef(child: ChildProcess, on: boolean): void {
  for (const s of [child.stdin, child.stdout, child.stderr] as unknown as (Socket | null)[]) {
    if (on) s?.ref?.();
    else s?.unref?.();
  }
  if (on) child.ref();
  else child.unref();
}

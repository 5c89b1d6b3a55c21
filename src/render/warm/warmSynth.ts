/**
 * Warm synthesisers: per process, tunesmith-synthd daemons (synthd.c) that keep a SoundFont loaded
 * and render one MIDI job after another. A cold `fluidsynth -F` spends about 0.2 s of CPU starting
 * and loading FluidR3 before the first sample; on a worker that renders job after job that was most
 * of a short piece's render time.
 *
 * Guarantees:
 *  - One job at a time per daemon; each job gets a fresh synth inside it (only the loaded SoundFont
 *    is shared), so its audio is the same whatever the daemon rendered before (tested bit-exact).
 *  - A daemon is reused only after a job's last byte was read. A job that fails, is aborted or
 *    stopped early kills its daemon, so a late byte can never reach another job. Headers carry the
 *    job id and length, checked on every job.
 *  - A daemon that dies (crash, kill) fails only the job it was running; the next job starts a new one.
 *  - Daemons die with this process: stdin closes, and PR_SET_PDEATHSIG covers a SIGKILLed parent.
 *  - Idle daemons do not keep the process alive (unref'd).
 *
 * The daemon is compiled once per machine with the C compiler (cc), into ~/.cache/tunesmith (or
 * TUNESMITH_CACHE_DIR). Without a compiler, or with TUNESMITH_WARM_SYNTH=0, renders use the fluidsynth
 * CLI as before (render.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RenderError, StderrTail } from '../errors.ts';
import { setChildRef, type ProcessGuard } from '../lifecycle.ts';
import type { SynthProcess } from '../synth.ts';

const SOURCE = fileURLToPath(new URL('./synthd.c', import.meta.url));
const run = promisify(execFile);
/** Idle daemons kept per SoundFont: two, for the two halves of a split render. */
const MAX_IDLE_PER_FONT = 2;
const HEADER_BYTES = 16;

export interface WarmJobSpec {
  midi: Uint8Array;
  /** Exactly this many frames come back: the piece, then its tails or silence. */
  frames: number;
  gain: number;
  reverb: boolean;
  chorus: boolean;
}

/** Whether renders should use warm daemons (env TUNESMITH_WARM_SYNTH=0 turns them off). */
export function warmSynthWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TUNESMITH_WARM_SYNTH !== '0';
}

let warmWarned = false;
/**
 * Whether renders (pieces and radio sections alike) use the warm daemon: wanted, and the daemon
 * could be built; else one warning per process, and the fluidsynth CLI.
 */
export async function warmSynthReady(): Promise<boolean> {
  if (!warmSynthWanted()) return false;
  try {
    await synthdBinary();
    return true;
  } catch (e) {
    if (!warmWarned) process.emitWarning(`${(e as Error).message}; rendering with the fluidsynth CLI (slower start per render)`, 'TunesmithWarning');
    warmWarned = true;
    return false;
  }
}

let built: Promise<string> | undefined;

/**
 * Path of the compiled daemon, building it on first use (a few hundred ms, once per machine and
 * source version). Rejects with the compiler's message when it cannot be built; that is remembered.
 */
export function synthdBinary(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  built ??= build(env);
  return built;
}

async function build(env: NodeJS.ProcessEnv): Promise<string> {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = env.TUNESMITH_CACHE_DIR?.trim() || join(env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache'), 'tunesmith');
  const bin = join(dir, `tunesmith-synthd-${hash}-${process.platform}-${process.arch}`);
  try {
    accessSync(bin, constants.X_OK);
    return bin;
  } catch {
    // not built yet
  }
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const cc = env.CC?.trim() || 'cc';
  try {
    await run(cc, ['-O2', '-o', tmp, SOURCE, '-ldl', '-lm']);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`cannot build the warm synthesiser with ${cc}: ${(err.stderr || err.message).trim().split('\n').slice(0, 3).join(' ')}`);
  }
  // Atomic: a process building at the same time never runs a half-written file.
  renameSync(tmp, bin);
  return bin;
}

/** A job on a daemon: a SynthProcess, plus the daemon that runs it. */
export interface WarmJob extends SynthProcess {
  readonly daemon: SynthDaemon;
}

/** The daemon died while it ran a job (not the job's own fault: worth one retry on a new daemon). */
export class SynthDaemonDied extends RenderError {}

/** A job whose PCM goes to a file (synthd.c's TSJ2): frames [measureStart, +measureFrames) are metered there. */
export interface WarmFileJobSpec extends WarmJobSpec {
  path: string;
  measureStart: number;
  measureFrames: number;
}

/** What the daemon measured of a file job, as loudness.ts's LoudnessMeter would have. */
export interface WarmFileStats {
  samplePeak: number;
  stepFrames: number;
  /** K-weighted, channel-summed mean square of each complete 100 ms step. */
  stepPowers: Float64Array;
}

interface ActiveJob {
  id: number;
  /** PCM bytes announced for a streamed job; -1 for a file job (its answer is statistics). */
  bytes: number;
  stdout: PassThrough;
  stats?: WarmFileStats;
  resolve: () => void;
  reject: (e: Error) => void;
}

type ReadState =
  | { kind: 'header'; have: Buffer[]; length: number }
  | { kind: 'pcm'; left: number }
  | { kind: 'error' | 'stats'; left: number; text: Buffer[] };

/** One tunesmith-synthd process with one SoundFont loaded. */
export class SynthDaemon {
  private readonly child: ChildProcess;
  private readonly stderr = new StderrTail();
  private state: ReadState = { kind: 'header', have: [], length: 0 };
  private job: ActiveJob | null = null;
  private nextId = 1;
  private alive = true;
  /** Jobs this daemon has finished (tests use it to see reuse). */
  jobsDone = 0;
  /** Resolves once the SoundFont is loaded; rejects if the daemon dies first. */
  readonly ready: Promise<void>;
  private markReady: (ok: boolean, why?: string) => void = () => {};

  constructor(
    bin: string,
    readonly fontPath: string,
    sampleRate: number,
    private readonly onIdle: (d: SynthDaemon) => void,
    private readonly onDead: (d: SynthDaemon) => void,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = (ok, why) => (ok ? resolve() : reject(new SynthDaemonDied('fluidsynth', `the warm synthesiser ${why}`, this.stderr.toString())));
    });
    this.ready.catch(() => {}); // nobody need wait for it
    this.child = spawn(bin, [fontPath, String(sampleRate), '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr!.on('data', (d: Buffer) => this.stderr.push(d));
    // A write to a daemon that just died: its exit is reported below.
    this.child.stdin!.on('error', () => {});
    this.child.once('error', (e) => this.died(`could not start: ${e.message}`));
    this.child.once('close', (code, signal) => this.died(signal ? `killed by ${signal}` : `exited with code ${code}`));
    this.setRef(false);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Alive and not being killed. */
  get running(): boolean {
    return this.alive && !this.killed;
  }

  get busy(): boolean {
    return this.job !== null;
  }

  private killed = false;

  kill(): void {
    this.killed = true;
    if (this.alive) this.child.kill('SIGKILL');
  }

  /**
   * Starts a job whose PCM goes to `spec.path` and whose loudness the daemon measures: nothing of the
   * audio passes through this process. Resolves with the statistics once the file is complete.
   */
  startToFile(spec: WarmFileJobSpec): WarmJob & { stats: Promise<WarmFileStats> } {
    const path = Buffer.from(spec.path);
    const more = Buffer.alloc(12);
    more.writeUInt32LE(spec.measureStart, 0);
    more.writeUInt32LE(spec.measureFrames, 4);
    more.writeUInt32LE(path.length, 8);
    const job = this.start(spec, { magic: 'TSJ2', extra: more, tail: path });
    const active = this.job!;
    return { ...job, get running() { return job.running; }, stats: job.exited.then(() => active.stats!) };
  }

  /** Starts a job; its PCM arrives on the returned process's stdout. */
  start(spec: WarmJobSpec, file?: { magic: 'TSJ2'; extra: Buffer; tail: Buffer }): WarmJob {
    if (!this.running) throw new Error('the warm synthesiser is not running');
    if (this.job) throw new Error('the warm synthesiser is busy');
    const stdout = new PassThrough();
    // A failed job's stream carries its error to a reader; one nobody reads must not crash the process.
    stdout.on('error', () => {});
    let settled = false;
    const exited = new Promise<void>((resolve, reject) => {
      this.job = {
        id: this.nextId++,
        bytes: file ? -1 : spec.frames * 4,
        stdout,
        resolve: () => {
          settled = true;
          resolve();
        },
        reject: (e) => {
          settled = true;
          reject(e);
        },
      };
    });
    exited.catch(() => {}); // observed by the caller; a job nobody awaits must not crash the process
    const head = Buffer.alloc(24);
    head.write(file?.magic ?? 'TSJ1', 0, 'latin1');
    head.writeUInt32LE(this.job!.id, 4);
    head.writeUInt32LE(spec.midi.length, 8);
    head.writeUInt32LE(spec.frames, 12);
    head.writeFloatLE(spec.gain, 16);
    head.writeUInt32LE((spec.reverb ? 1 : 0) | (spec.chorus ? 2 : 0), 20);
    this.setRef(true);
    this.child.stdin!.write(Buffer.concat(file ? [head, file.extra, spec.midi, file.tail] : [head, spec.midi]));
    const daemon = this;
    return {
      daemon,
      stdout,
      exited,
      get running() {
        return !settled;
      },
      // Output no longer wanted before its end: the daemon may still be writing it, so it goes.
      stop() {
        if (!settled) daemon.kill();
      },
    };
  }

  private setRef(on: boolean): void {
    setChildRef(this.child, on);
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.alive) {
      const s = this.state;
      if (s.kind === 'header') {
        const take = Math.min(HEADER_BYTES - s.length, chunk.length - at);
        s.have.push(chunk.subarray(at, at + take));
        s.length += take;
        at += take;
        if (s.length === HEADER_BYTES) this.onHeader(Buffer.concat(s.have));
      } else {
        const take = Math.min(s.left, chunk.length - at);
        const part = chunk.subarray(at, at + take);
        at += take;
        s.left -= take;
        if (s.kind === 'pcm') this.job?.stdout.write(part);
        else s.text.push(part);
        if (s.left === 0) {
          if (s.kind === 'stats' && this.job) {
            try {
              this.job.stats = parseStats(Buffer.concat(s.text));
            } catch (e) {
              return this.protocolError((e as Error).message);
            }
          }
          this.endJob(s.kind === 'error' ? Buffer.concat(s.text).toString() : undefined);
        }
      }
    }
  }

  private onHeader(h: Buffer): void {
    this.state = { kind: 'header', have: [], length: 0 };
    const id = h.readUInt32LE(4);
    const status = h.readUInt32LE(8);
    const n = h.readUInt32LE(12);
    if (h.toString('latin1', 0, 4) !== 'TSR1') return this.protocolError('bad response header');
    if (id === 0) return this.markReady(true);
    const job = this.job;
    if (!job || id !== job.id) return this.protocolError(`response for job ${id}, expected ${job?.id ?? 'none'}`);
    if (status === 0 && job.bytes < 0) {
      if (n < 16 || (n - 16) % 8 !== 0) return this.protocolError(`job ${id}: ${n} bytes of statistics`);
      this.state = { kind: 'stats', left: n, text: [] };
      return;
    }
    if (status === 0 && n !== job.bytes) return this.protocolError(`job ${id}: ${n} bytes announced, ${job.bytes} asked for`);
    if (status === 0 && n === 0) return this.endJob();
    this.state = status === 0 ? { kind: 'pcm', left: n } : { kind: 'error', left: n, text: [] };
    if (n === 0) this.endJob('the synthesiser refused the job');
  }

  /** The job's last byte (or its error text) arrived: settle it and offer the daemon again. */
  private endJob(error?: string): void {
    this.state = { kind: 'header', have: [], length: 0 };
    const job = this.job;
    this.job = null;
    if (!job) return;
    this.setRef(false);
    if (error === undefined) {
      this.jobsDone++;
      job.stdout.end();
      job.resolve();
    } else {
      const e = new RenderError('fluidsynth', error, error);
      job.stdout.destroy(e);
      job.reject(e);
    }
    this.onIdle(this);
  }

  private protocolError(what: string): void {
    this.kill();
    this.died(`protocol error: ${what}`);
  }

  private died(why: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.markReady(false, why);
    this.onDead(this);
    const job = this.job;
    this.job = null;
    if (job) {
      const e = new SynthDaemonDied('fluidsynth', `the warm synthesiser ${why}`, this.stderr.toString());
      job.stdout.destroy(e);
      job.reject(e);
    }
  }
}

/** The daemons of this process, idle ones per SoundFont. */
class SynthPool {
  private readonly idle = new Map<string, SynthDaemon[]>();
  readonly all = new Set<SynthDaemon>();

  constructor() {
    process.once('exit', () => this.killAll());
  }

  acquire(bin: string, fontPath: string, sampleRate: number): SynthDaemon {
    const list = this.idle.get(fontPath) ?? [];
    for (let d = list.pop(); d; d = list.pop()) if (d.running) return d;
    return this.spawn(bin, fontPath, sampleRate);
  }

  private spawn(bin: string, fontPath: string, sampleRate: number): SynthDaemon {
    const daemon = new SynthDaemon(
      bin,
      fontPath,
      sampleRate,
      (d) => this.release(d),
      (d) => this.forget(d),
    );
    this.all.add(daemon);
    return daemon;
  }

  private release(d: SynthDaemon): void {
    if (!d.running) return;
    const list = this.idle.get(d.fontPath) ?? [];
    if (list.length >= MAX_IDLE_PER_FONT) return d.kill();
    list.push(d);
    this.idle.set(d.fontPath, list);
  }

  private forget(d: SynthDaemon): void {
    this.all.delete(d);
    const list = this.idle.get(d.fontPath);
    if (list?.includes(d)) list.splice(list.indexOf(d), 1);
  }

  /** Start daemons now so the first jobs find the SoundFont loaded. */
  prewarm(bin: string, fontPath: string, sampleRate: number, count: number): void {
    for (let i = this.idleCount(fontPath); i < count; i++) this.release(this.spawn(bin, fontPath, sampleRate));
  }

  idleCount(fontPath: string): number {
    return this.idle.get(fontPath)?.length ?? 0;
  }

  killAll(): void {
    for (const d of this.all) d.kill();
    this.idle.clear();
  }
}

export const synthPool = new SynthPool();

/**
 * Renders `spec` on a warm daemon for `fontPath`, tracked by `guard` (a failed or aborted render
 * kills the daemon, which is then never reused).
 */
export async function startWarmJob(fontPath: string, sampleRate: number, spec: WarmJobSpec, guard: ProcessGuard): Promise<WarmJob> {
  const bin = await synthdBinary();
  const daemon = synthPool.acquire(bin, fontPath, sampleRate);
  const job = daemon.start(spec);
  const untrack = guard.track(() => job.stop());
  job.exited.then(untrack, untrack);
  return job;
}

/** startWarmJob for a file job (WarmFileJobSpec). */
export async function startWarmFileJob(fontPath: string, sampleRate: number, spec: WarmFileJobSpec, guard: ProcessGuard): Promise<WarmJob & { stats: Promise<WarmFileStats> }> {
  const bin = await synthdBinary();
  const daemon = synthPool.acquire(bin, fontPath, sampleRate);
  const job = daemon.startToFile(spec);
  const untrack = guard.track(() => job.stop());
  job.exited.then(untrack, untrack);
  return job;
}

function parseStats(b: Buffer): WarmFileStats {
  const steps = b.readUInt32LE(12);
  if (b.length !== 16 + steps * 8) throw new Error(`statistics of ${b.length} bytes for ${steps} steps`);
  const stepPowers = new Float64Array(steps);
  for (let i = 0; i < steps; i++) stepPowers[i] = b.readDoubleLE(16 + i * 8);
  return { samplePeak: b.readDoubleLE(0), stepFrames: b.readUInt32LE(8), stepPowers };
}

/** Starts `count` daemons for a SoundFont ahead of the first job (a worker at start-up). */
export async function prewarmSynths(fontPath: string, sampleRate: number, count: number): Promise<void> {
  synthPool.prewarm(await synthdBinary(), fontPath, sampleRate, count);
}

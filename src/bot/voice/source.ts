/**
 * Where a track's Ogg Opus bytes come from, and the one ffmpeg stage voice playback may add.
 *
 * An OggSource keeps every byte of its track in memory (at most ~3.6 MB: 300 s at 96 kb/s) and
 * can be read from the start any number of times, even while it is still being produced. That
 * is what lets /volume restart the current track from where it is, and it also means a live
 * render is drained at full speed: a paused or slow player never stalls fluidsynth into its
 * render timeout.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { findTools } from '../../render/index.ts';

const STORED_CHUNK_BYTES = 16 * 1024;

export class OggSource {
  private readonly chunks: Buffer[] = [];
  private done = false;
  private failure: Error | undefined;
  private producer: Readable | undefined;
  private started = false;
  /** Readers waiting for more bytes. */
  private readonly waiting = new Set<() => void>();
  private readonly readers = new Set<Readable>();
  private readonly failureListeners: ((error: Error) => void)[] = [];
  private readonly completeListeners: (() => void)[] = [];

  /** `produce` is called once, on first prepare() or open(). */
  constructor(private readonly produce?: () => Readable) {}

  /** Bytes that are all there already (a stored result). */
  static fromBuffer(bytes: Buffer): OggSource {
    const source = new OggSource();
    for (let i = 0; i < bytes.length; i += STORED_CHUNK_BYTES) source.chunks.push(bytes.subarray(i, i + STORED_CHUNK_BYTES));
    source.done = true;
    source.started = true;
    return source;
  }

  get complete(): boolean {
    return this.done;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Start producing (idempotent). Errors surface in the readers, not here. */
  prepare(): void {
    if (this.started) return;
    this.started = true;
    try {
      this.producer = this.produce!();
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.producer.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.wake();
    });
    this.producer.once('end', () => {
      this.done = true;
      this.wake();
      for (const listener of this.completeListeners.splice(0)) listener();
    });
    this.producer.once('error', (error) => this.fail(error));
  }

  /** Called once if producing fails (a render error, a missing tool). */
  onFailure(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  /** Called once every byte has been produced (at once for a source that is complete already). */
  onComplete(listener: () => void): void {
    if (this.done) listener();
    else if (!this.failure) this.completeListeners.push(listener);
  }

  /** A new reader from the first byte. Destroying it leaves the source (and other readers) alone. */
  open(): Readable {
    this.prepare();
    let next = 0;
    const pump = (): void => {
      while (next < this.chunks.length) {
        if (!reader.push(this.chunks[next++])) return;
      }
      if (this.failure) reader.destroy(this.failure);
      else if (this.done) reader.push(null);
      else this.waiting.add(pump);
    };
    const reader: Readable = new Readable({
      read: () => pump(),
      destroy: (error, callback) => {
        this.waiting.delete(pump);
        this.readers.delete(reader);
        callback(error);
      },
    });
    this.readers.add(reader);
    return reader;
  }

  /** Stop producing (kills a render) and end every reader. */
  dispose(): void {
    this.failureListeners.length = 0;
    this.completeListeners.length = 0;
    this.producer?.destroy();
    this.producer = undefined;
    for (const reader of this.readers) reader.destroy();
    this.waiting.clear();
  }

  private fail(error: Error): void {
    if (this.done || this.failure) return;
    this.failure = error;
    this.completeListeners.length = 0;
    this.wake();
    for (const listener of this.failureListeners.splice(0)) listener(error);
  }

  private wake(): void {
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const pump of waiting) pump();
  }
}

export interface FfmpegOggOptions {
  /** What `input` is: Ogg Opus, or a stored mp3/wav. */
  inputFormat: 'ogg' | 'mp3' | 'wav';
  /** Start this many seconds into the input. */
  startSec?: number;
  /** Linear gain: 1 leaves the level alone. */
  volume?: number;
  bitrateKbps?: number;
}

const VOICE_KBPS = 96;
/** −1 dBFS: a boost above 100 % is limited instead of clipping. */
const BOOST_LIMIT = 0.891;

export function ffmpegFilters(opts: Pick<FfmpegOggOptions, 'startSec' | 'volume'>): string[] {
  const filters: string[] = [];
  if (opts.startSec && opts.startSec > 0) filters.push(`atrim=start=${opts.startSec.toFixed(3)}`, 'asetpts=PTS-STARTPTS');
  const volume = opts.volume ?? 1;
  if (volume !== 1) filters.push(`volume=${volume.toFixed(3)}`);
  if (volume > 1) filters.push(`alimiter=limit=${BOOST_LIMIT}:level=0`);
  return filters;
}

/**
 * Input → Ogg Opus (48 kHz stereo, 20 ms frames, a page per packet so bytes leave at once) through
 * an ffmpeg child process. Used only off the common path: a stored mp3/wav, a volume other than
 * 100 %, or a restart part-way into a track. Destroying the returned stream kills ffmpeg.
 */
export function ffmpegOgg(input: Readable, opts: FfmpegOggOptions): Readable {
  const { ffmpeg } = findTools();
  const filters = ffmpegFilters(opts);
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-f', opts.inputFormat, '-i', 'pipe:0'],
    ...(filters.length ? ['-af', filters.join(',')] : []),
    ...['-ar', '48000', '-ac', '2', '-c:a', 'libopus', '-b:a', `${opts.bitrateKbps ?? VOICE_KBPS}k`, '-frame_duration', '20'],
    ...['-page_duration', '20000', '-flush_packets', '1', '-f', 'ogg', 'pipe:1'],
  ];
  const child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  // ffmpeg may stop reading early (it was killed, or the input ended for it): not an error here.
  child.stdin.on('error', () => {});
  input.on('error', (error) => out.destroy(error));
  input.pipe(child.stdin);

  let exited = false;
  const out: Readable = new Readable({
    read: () => {
      child.stdout.resume();
    },
    destroy: (error, callback) => {
      input.destroy();
      if (!exited) child.kill('SIGKILL');
      callback(error);
    },
  });
  child.stdout.on('data', (chunk: Buffer) => {
    if (!out.push(chunk)) child.stdout.pause();
  });
  child.once('error', (error) => out.destroy(error));
  child.once('close', (code, signal) => {
    exited = true;
    if (out.destroyed) return;
    if (code === 0) out.push(null);
    else out.destroy(new Error(`ffmpeg failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
  });
  return out;
}

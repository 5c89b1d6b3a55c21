/**
 * fluidsynth adapter: renders a MIDI file to raw s16le PCM (48 kHz stereo) on stdout, and
 * collects that PCM while measuring loudness on the fly.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { RenderError, StderrTail } from './errors.ts';
import type { ProcessGuard } from './lifecycle.ts';
import { LoudnessMeter, type LoudnessResult } from './loudness.ts';
import type { SoundFont } from './soundfont.ts';

export const SAMPLE_RATE = 48_000;
export const CHANNELS = 2;
export const BYTES_PER_FRAME = CHANNELS * 2;

/**
 * Effects. Reverb is on by default: scoreToMidi writes a reverb send per role (CC91 12–70) as part
 * of the mix, and without it pads and chords lose a wet signal only ~5 dB below the dry one; it
 * costs ~15–40% more synthesis time. Chorus is off: our MIDI sends none (CC93), it costs time,
 * and on FluidR3's synth pads it raised the level by 13 LU into clipping.
 */
export interface SynthFlags {
  reverb?: boolean;
  chorus?: boolean;
}

const onOff = (on: boolean) => (on ? '1' : '0');

/** The synth flags shared by our renderer and the benchmark's bare pipeline. */
export function fluidsynthArgs(font: SoundFont, midiPath: string, flags: SynthFlags = {}, gain = font.gain): string[] {
  return [
    '-q', '-n', '-i',
    '-R', onOff(flags.reverb ?? true),
    '-C', onOff(flags.chorus ?? false),
    '-g', String(gain),
    '-r', String(SAMPLE_RATE),
    '-T', 'raw', '-O', 's16', '-E', 'little',
    // Load only the samples the piece uses: FluidR3 otherwise costs ~0.4 s of startup per render.
    '-o', 'synth.dynamic-sample-loading=1',
    // Write 4096 frames per write() instead of 64: a pipe reader then wakes ~60× less often, which
    // made rendering through a pipe ~30% faster here. Note timing is unchanged (the synth still
    // steps in 64-frame blocks).
    '-o', 'audio.period-size=4096',
    '-F', '-',
    font.path, midiPath,
  ];
}

/**
 * The environment fluidsynth runs in. It initialises SDL audio at start even when it writes to a
 * file; the dummy driver skips probing the ALSA devices and the hotplug thread (whose 100 ms sleep
 * fluidsynth waits out when it exits). Shared with the benchmark's floor, which gets the same help.
 */
export function fluidsynthEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, SDL_AUDIODRIVER: 'dummy' };
}

/** fluidsynth says this (and exits 0, rendering silence) when it cannot read a file. */
const UNREADABLE_INPUT = /not a SoundFont or MIDI file|No midi file specified/i;

export interface SynthProcess {
  stdout: Readable;
  /** Resolves when fluidsynth exits cleanly (or was stopped with `stop`); rejects with a RenderError otherwise. */
  exited: Promise<void>;
  readonly running: boolean;
  /** Kill it because its output is no longer needed (not a failure). */
  stop(): void;
}

export function spawnSynth(fluidsynth: string, args: string[], guard: ProcessGuard): SynthProcess {
  const child = spawn(fluidsynth, args, { stdio: ['ignore', 'pipe', 'pipe'], env: fluidsynthEnv() });
  const stderr = new StderrTail();
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  const untrack = guard.track(() => child.kill('SIGKILL'));
  let running = true;
  let stopped = false;
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (e) => {
      running = false;
      reject(new RenderError('fluidsynth', `could not start ${fluidsynth}: ${e.message}`, '', { cause: e }));
    });
    // 'close' waits for stdout/stderr to drain, so the stderr tail is complete.
    child.once('close', (code, signal) => {
      running = false;
      untrack();
      const tail = stderr.toString();
      if (signal && stopped) resolve();
      else if (signal) reject(new RenderError('fluidsynth', `killed by ${signal}`, tail));
      else if (code !== 0) reject(new RenderError('fluidsynth', `exited with code ${code}`, tail));
      else if (UNREADABLE_INPUT.test(tail)) reject(new RenderError('fluidsynth', 'could not read the MIDI or SoundFont', tail));
      else resolve();
    });
  });
  exited.catch((e: Error) => guard.fail(e));
  return {
    stdout: child.stdout,
    exited,
    get running() {
      return running;
    },
    stop() {
      stopped = true;
      child.kill('SIGKILL');
      // Its reader (ffmpeg) may have stopped reading: an undrained pipe would hold back 'close' for ever.
      child.stdout.destroy();
    },
  };
}

export interface CollectedPcm {
  /** Loudness of the frames in the measured window only (the audio we will output). */
  loudness: LoudnessResult;
  /** The meter itself, to combine with another render's (split rendering). */
  meter: LoudnessMeter;
}

/** Stream frames [from, to) are copied into `buffer` starting at frame `at` (s16le stereo). */
export interface FrameRoute {
  buffer: Buffer;
  from: number;
  to: number;
  at: number;
}

/**
 * Reads PCM from `stdout`, copying it where `routes` say as it arrives (no whole-piece buffers to
 * concatenate later) and measuring frames [measure.startFrame, +measure.frames) on the fly, so the
 * measurement is finished when fluidsynth is. With `stop`, reading ends at the last frame any route
 * or the measurement needs, and `stop` is called first (to stop fluidsynth): it would otherwise go
 * on rendering release and reverb tails past the end we cut at (about 5 s per render with FluidR3).
 */
export async function collectPcm(
  stdout: Readable,
  measure: { startFrame: number; frames: number },
  routes: readonly FrameRoute[],
  stop?: () => void,
): Promise<CollectedPcm> {
  const meter = new LoudnessMeter({ sampleRate: SAMPLE_RATE, channels: CHANNELS });
  let bytes = 0;
  const windowStart = measure.startFrame * BYTES_PER_FRAME;
  const windowEnd = (measure.startFrame + measure.frames) * BYTES_PER_FRAME;
  const lastByte = Math.max(windowEnd, ...routes.map((r) => r.to * BYTES_PER_FRAME));
  let next = windowStart; // first byte not yet measured (frame-aligned)
  let carry: Buffer = Buffer.alloc(0); // bytes from `next` up to the previous chunk's end (< one frame)
  for await (const chunk of stdout as AsyncIterable<Buffer>) {
    const chunkStart = bytes;
    bytes += chunk.length;
    for (const r of routes) {
      const from = Math.max(chunkStart, r.from * BYTES_PER_FRAME);
      const to = Math.min(bytes, r.to * BYTES_PER_FRAME);
      if (to > from) chunk.copy(r.buffer, r.at * BYTES_PER_FRAME + (from - r.from * BYTES_PER_FRAME), from - chunkStart, to - chunkStart);
    }
    if (bytes > windowStart && next < windowEnd) {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const dataStart = bytes - data.length;
      const from = Math.max(dataStart, windowStart);
      let to = Math.min(bytes, windowEnd);
      to -= (to - from) % BYTES_PER_FRAME;
      const slice = data.subarray(from - dataStart, to - dataStart);
      // Int16Array views need an even byte offset; pipe chunks almost always have one.
      const aligned = slice.byteOffset % 2 === 0 ? slice : Buffer.from(slice);
      meter.push(new Int16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2));
      carry = data.subarray(to - dataStart);
      next = to;
    }
    if (stop && bytes >= lastByte) {
      stop();
      break;
    }
  }
  return { loudness: meter.result(), meter };
}

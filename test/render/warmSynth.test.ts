/**
 * The warm synthesiser (src/render/warm/): same audio as the fluidsynth CLI, no job hears another,
 * a crashed or aborted daemon is replaced, and daemons die with the process that started them.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ToneMidi from '@tonejs/midi';
import { afterEach, describe, expect, it } from 'vitest';
import { RenderError } from '../../src/render/errors.ts';
import { ProcessGuard } from '../../src/render/lifecycle.ts';
import { renderAudio } from '../../src/render/render.ts';
import { resolveSoundFont } from '../../src/render/soundfont.ts';
import { fluidsynthArgs, fluidsynthEnv, SAMPLE_RATE, type SynthProcess } from '../../src/render/synth.ts';
import { findTools } from '../../src/render/tools.ts';
import { startWarmJob, SynthDaemon, synthdBinary, synthPool, type WarmJobSpec } from '../../src/render/warm/warmSynth.ts';
import { fixtureMidi } from '../support/midiFixtures.ts';
import { scratchDir } from './helpers.ts';

const run = promisify(execFile);
const font = resolveSoundFont();
const spec = (midi: Uint8Array, seconds: number): WarmJobSpec => ({ midi, frames: Math.round(seconds * SAMPLE_RATE), gain: font.gain, reverb: true, chorus: false });

async function pcmOf(job: SynthProcess): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of job.stdout as AsyncIterable<Buffer>) chunks.push(c);
  await job.exited;
  return Buffer.concat(chunks);
}

function newDaemon(bin: string): SynthDaemon {
  return new SynthDaemon(bin, font.path, SAMPLE_RATE, () => {}, () => {});
}

/** Largest sample difference between two s16 buffers of the same length. */
function maxDiff(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  const x = new Int16Array(a.buffer, a.byteOffset, a.length / 2);
  const y = new Int16Array(b.buffer, b.byteOffset, b.length / 2);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  return max;
}

function peak(samples: Int16Array): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  return max;
}

/** One note starting at `atSec`: whatever comes before it must be digital silence. */
function lateNote(atSec: number): Uint8Array {
  const midi = new ToneMidi.Midi();
  midi.header.setTempo(120);
  midi.addTrack().addNote({ midi: 60, ticks: Math.round(atSec * 2 * midi.header.ppq), durationTicks: midi.header.ppq, velocity: 0.8 });
  return midi.toArray();
}

/** Running (not gone, not a zombie waiting for its parent). */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// Renders below leave idle daemons in this process's pool; a render still running after a failed test must not confuse the next.
afterEach(() => synthPool.killAll());

// Renders of real pieces on a shared, busy machine: generous time per test.
describe('warm synthesiser', { timeout: 180_000 }, () => {
  it('renders what the fluidsynth CLI renders, and the same job twice identically after other work', async () => {
    const bin = await synthdBinary();
    const piece = fixtureMidi({ durationSec: 6 });
    const loud = fixtureMidi({ durationSec: 8, layers: 4 });
    const scratch = await scratchDir();
    try {
      await writeFile(scratch.path('piece.mid'), piece.bytes);
      const { stdout } = await run(findTools().fluidsynth, fluidsynthArgs(font, scratch.path('piece.mid')), { encoding: 'buffer', maxBuffer: 1 << 28, env: fluidsynthEnv() });
      const daemon = newDaemon(bin);
      try {
        const first = await pcmOf(daemon.start(spec(piece.bytes, 6)));
        await pcmOf(daemon.start(spec(loud.bytes, 8)));
        const again = await pcmOf(daemon.start(spec(piece.bytes, 6)));
        expect(first.length).toBe(6 * SAMPLE_RATE * 4);
        expect(again.equals(first)).toBe(true);
        // The CLI's s16 path and ours differ only in fluidsynth's dither (±2 LSB).
        expect(maxDiff(first, stdout.subarray(0, first.length))).toBeLessThanOrEqual(2);
        expect(daemon.jobsDone).toBe(3);
      } finally {
        daemon.kill();
      }
    } finally {
      await scratch.remove();
    }
  });

  it('never lets a job hear the tail of the job before it', async () => {
    const bin = await synthdBinary();
    const used = newDaemon(bin);
    const fresh = newDaemon(bin);
    try {
      // A loud, reverberant piece cut off mid-chord, then a piece that is silent for its first 2 s.
      await pcmOf(used.start(spec(fixtureMidi({ durationSec: 8, layers: 4 }).bytes, 4)));
      const next = await pcmOf(used.start(spec(lateNote(2), 3)));
      expect(next.equals(await pcmOf(fresh.start(spec(lateNote(2), 3))))).toBe(true);
      // Before the note only fluidsynth's ±1 dither: no tail of the piece before.
      const samples = new Int16Array(next.buffer, next.byteOffset, next.length / 2);
      expect(peak(samples.subarray(0, 2 * SAMPLE_RATE * 2 - 2 * 64))).toBeLessThanOrEqual(1);
      expect(peak(samples.subarray(2 * SAMPLE_RATE * 2))).toBeGreaterThan(1000);
    } finally {
      used.kill();
      fresh.kill();
    }
  });

  it('answers bad MIDI with a RenderError and goes on serving', async () => {
    const daemon = newDaemon(await synthdBinary());
    try {
      const bad = daemon.start(spec(new TextEncoder().encode('not midi at all'), 1));
      await expect(pcmOf(bad)).rejects.toThrow(/not a MIDI file/);
      expect((await pcmOf(daemon.start(spec(lateNote(0.1), 1)))).length).toBe(SAMPLE_RATE * 4);
    } finally {
      daemon.kill();
    }
  });

  it('a daemon killed mid-job is replaced and the render still succeeds', async () => {
    const long = fixtureMidi({ durationSec: 20 });
    const render = renderAudio({ midi: long.bytes, durationSec: long.durationSec, format: 'wav', tags: { title: 'crash' }, parallel: false });
    // Kill whichever daemon is busy with this render as soon as it has started.
    let killed: number | undefined;
    for (let i = 0; i < 400 && killed === undefined; i++) {
      const busy = [...synthPool.all].find((d) => d.busy);
      if (busy?.pid) {
        killed = busy.pid;
        process.kill(busy.pid, 'SIGKILL');
      } else await new Promise((r) => setTimeout(r, 5));
    }
    expect(killed).toBeDefined();
    const result = await render;
    expect(result.data.length).toBeGreaterThan(long.durationSec * SAMPLE_RATE * 4);
    expect([...synthPool.all].map((d) => d.pid)).not.toContain(killed);
  }, 180_000);

  it('an aborted render kills its daemon, which is never reused', async () => {
    const long = fixtureMidi({ durationSec: 120 });
    const controller = new AbortController();
    const pending = renderAudio({ midi: long.bytes, durationSec: long.durationSec, format: 'wav', tags: { title: 'abort' }, parallel: false, signal: controller.signal });
    let victim: SynthDaemon | undefined;
    for (let i = 0; i < 400 && !victim; i++) {
      victim = [...synthPool.all].find((d) => d.busy);
      if (!victim) await new Promise((r) => setTimeout(r, 5));
    }
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(RenderError);
    expect(victim).toBeDefined();
    for (let i = 0; i < 100 && victim!.running; i++) await new Promise((r) => setTimeout(r, 20));
    expect(victim!.running).toBe(false);
    expect(synthPool.all.has(victim!)).toBe(false);
  }, 180_000);

  it('a job the guard gives up on stops its daemon', async () => {
    const guard = new ProcessGuard({ what: 'test' });
    const job = await startWarmJob(font.path, SAMPLE_RATE, spec(fixtureMidi({ durationSec: 60 }).bytes, 60), guard);
    guard.fail(new Error('given up'));
    await expect(job.exited).rejects.toThrow(/killed/);
    expect(job.daemon.running).toBe(false);
  });

  it('dies with the process that started it, even one killed outright, and idle never holds a process open', async () => {
    const child = fileURLToPath(new URL('./fixtures/warmChild.ts', import.meta.url));
    // Node itself (not the tsx launcher, which would leave its own child running when killed).
    const node = ['--import', 'tsx'];
    // A worker that renders, then idles with its daemon warm, and is SIGKILLed.
    const worker = spawn(process.execPath, [...node, child, 'hold'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      worker.stdout.on('data', (d: Buffer) => {
        const m = /daemon (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      worker.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
    });
    expect(alive(pid)).toBe(true);
    worker.kill('SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);

    // A CLI-like process that renders and returns: its idle daemon must not keep it running.
    const started = Date.now();
    const { stdout } = await run(process.execPath, [...node, child, 'exit'], { timeout: 60_000 });
    const exiting = Number(/daemon (\d+)/.exec(stdout)?.[1]);
    expect(Date.now() - started).toBeLessThan(60_000);
    for (let i = 0; i < 100 && alive(exiting); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(exiting)).toBe(false);
  }, 180_000);
});

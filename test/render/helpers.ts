/** Test-side probes: ffprobe/ffmpeg measurements of rendered files, and this process's children. */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findTools } from '../../src/render/tools.ts';

const run = promisify(execFile);
const BIG = { maxBuffer: 1 << 30 };

export async function scratchDir(): Promise<{ dir: string; path: (name: string) => string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tunesmith-test-'));
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Probe {
  format: { duration?: string; format_name: string; tags?: Record<string, string> };
  streams: { codec_name: string; sample_rate?: string; channels?: number; duration?: string; tags?: Record<string, string> }[];
}

export async function ffprobe(path: string): Promise<Probe> {
  const { stdout } = await run(findTools().ffprobe, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path], BIG);
  return JSON.parse(stdout) as Probe;
}

/** All tags of a file, container and stream, keys lower-cased (Ogg keeps them per stream). */
export async function tagsOf(path: string): Promise<Record<string, string>> {
  const probe = await ffprobe(path);
  const all = { ...probe.format.tags, ...Object.assign({}, ...probe.streams.map((s) => s.tags ?? {})) } as Record<string, string>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Playable length as ffprobe decodes it: the sum of decoded frames (encoder delay/padding removed). */
export async function decodedDurationSec(path: string): Promise<number> {
  const tools = findTools();
  const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'frame=nb_samples:stream=sample_rate', '-of', 'json', path], BIG);
  const json = JSON.parse(stdout) as { frames: { nb_samples: number }[]; streams: { sample_rate: string }[] };
  const samples = json.frames.reduce((sum, f) => sum + f.nb_samples, 0);
  return samples / Number(json.streams[0]?.sample_rate);
}

export interface Ebur128 {
  integratedLufs: number;
  /** Sample peak or true peak (per `peak`), dBFS, the louder channel. */
  peakDb: number;
}

function parseEbur128(stderr: string): Ebur128 {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+|-inf)\s+LUFS/.exec(summary);
  const peak = /Peak:\s+(-?[\d.]+|-inf)\s+dBFS/.exec(summary);
  if (!integrated || !peak) throw new Error(`no ebur128 summary in ffmpeg output:\n${stderr.slice(-2000)}`);
  const num = (s: string) => (s === '-inf' ? -Infinity : Number(s));
  return { integratedLufs: num(integrated[1]!), peakDb: num(peak[1]!) };
}

/** ffmpeg's own EBU R128 meter on a file. */
export async function ebur128File(path: string, peak: 'sample' | 'true' = 'true'): Promise<Ebur128> {
  const { stderr } = await run(findTools().ffmpeg, ['-hide_banner', '-nostats', '-i', path, '-af', `ebur128=peak=${peak}:framelog=verbose`, '-f', 'null', '-'], BIG);
  return parseEbur128(stderr);
}

/** ffmpeg's EBU R128 meter on raw s16le 48 kHz stereo PCM. */
export function ebur128Pcm(pcm: Buffer, peak: 'sample' | 'true' = 'sample'): Promise<Ebur128> {
  return new Promise((resolve, reject) => {
    const args = ['-hide_banner', '-nostats', '-f', 's16le', '-ar', '48000', '-ch_layout', 'stereo', '-i', '-', '-af', `ebur128=peak=${peak}:framelog=verbose`, '-f', 'null', '-'];
    const child = spawn(findTools().ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(parseEbur128(stderr)) : reject(new Error(`ffmpeg ebur128 exited ${code}: ${stderr.slice(-500)}`))));
    child.stdin.end(pcm);
  });
}

/** Decoded interleaved s16 stereo samples of any audio file. */
export async function decodeS16(path: string): Promise<Int16Array> {
  const { stdout } = await run(findTools().ffmpeg, ['-v', 'error', '-i', path, '-f', 's16le', '-ac', '2', '-'], { ...BIG, encoding: 'buffer' });
  return new Int16Array(stdout.buffer, stdout.byteOffset, stdout.length / 2);
}

/** Live (non-zombie) child processes of this test process, as "pid command". */
export async function liveChildren(): Promise<string[]> {
  try {
    const { stdout } = await run('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)]);
    return stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^\d+\s+Z/.test(l) && !/\bps$/.test(l));
  } catch {
    return []; // ps exits 1 when there are no children
  }
}

/** Waits (briefly) until no fluidsynth/ffmpeg child is alive; returns those still alive. */
export async function renderChildrenAfterSettling(timeoutMs = 2000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = (await liveChildren()).filter((l) => /fluidsynth|ffmpeg/.test(l));
    if (!alive.length || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

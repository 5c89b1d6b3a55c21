import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import tonejs from '@tonejs/midi';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

async function tunesmith(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], { cwd: process.cwd(), timeout: 120_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

async function ffprobeDuration(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

describe('tunesmith CLI', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'tunesmith-cli-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('composes audio, MIDI and a picture from a prompt, and prints what it understood', async () => {
    const dir = path.join(out, 'a');
    const result = await tunesmith(['compose', 'upbeat synthwave intro for my stream, 12 seconds, 120bpm in A minor', '--seed', '42', '--out', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/style: synthwave/);
    expect(result.stdout).toMatch(/key:\s+A minor\s+tempo: 120 bpm/);
    expect(result.stdout).toMatch(/seed:\s+42/);
    expect(result.stdout).toMatch(/sections:.*ending/);
    expect(result.stdout).toMatch(/time:\s+compose \d+ ms/);
    expect(result.stderr).toMatch(/100% done/); // the progress line

    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['synthwave-happy-42.mid', 'synthwave-happy-42.ogg', 'synthwave-happy-42.png'].sort());
    expect(await ffprobeDuration(path.join(dir, 'synthwave-happy-42.ogg'))).toBeCloseTo(12, 1);
    expect(Math.abs((await ffprobeDuration(path.join(dir, 'synthwave-happy-42.ogg'))) - 12)).toBeLessThanOrEqual(0.02);
    const midi = new tonejs.Midi(await readFile(path.join(dir, 'synthwave-happy-42.mid')));
    expect(midi.header.tempos[0]!.bpm).toBeCloseTo(120, 3);
    expect(midi.tracks.length).toBeGreaterThanOrEqual(4);
    const png = PNG.sync.read(await readFile(path.join(dir, 'synthwave-happy-42.png')));
    expect(png.width).toBeGreaterThan(0);
  });

  it('writes byte-identical MIDI for the same request and seed', async () => {
    const args = ['compose', 'sad jazz, 8 seconds', '--seed', '7', '--format', 'wav'];
    const a = await tunesmith([...args, '--out', path.join(out, 'b1')]);
    const b = await tunesmith([...args, '--out', path.join(out, 'b2')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const [m1, m2] = await Promise.all([readFile(path.join(out, 'b1', 'jazz-sad-7.mid')), readFile(path.join(out, 'b2', 'jazz-sad-7.mid'))]);
    expect(m1.equals(m2)).toBe(true);
    expect(Math.abs((await ffprobeDuration(path.join(out, 'b1', 'jazz-sad-7.wav'))) - 8)).toBeLessThanOrEqual(0.02);
  });

  it('explains bad input with what is allowed and a suggestion, and exits 2 without writing files', async () => {
    const dir = path.join(out, 'c');
    const result = await tunesmith(['compose', '--style', 'synthwav', '--tempo', '500', '--out', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/style: "synthwav" is not a style I know\. Did you mean "synthwave"\?/);
    expect(result.stderr).toMatch(/tempo: 500 bpm is out of range\. Did you mean "240"\?/);
    expect(result.stderr).toMatch(/Allowed: 40–240 bpm/);
    await expect(readdir(dir)).rejects.toThrow();
  });

  it('lists the style and mood catalog', async () => {
    const result = await tunesmith(['styles']);
    expect(result.code).toBe(0);
    const styleLines = result.stdout.split('Moods:')[0]!.match(/^ {2}[a-z-]+ {2,}/gm) ?? [];
    const moodLines = result.stdout.split('Moods:')[1]!.match(/^ {2}[a-z-]+ {2,}/gm) ?? [];
    expect(styleLines.length).toBeGreaterThanOrEqual(12);
    expect(moodLines.length).toBeGreaterThanOrEqual(8);
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import tonejs from '@tonejs/midi';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripMidiEnvelope } from '../../src/provenance/containers.ts';

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
    // The notes are byte-identical; each file also carries its own signed manifest (with its creation time).
    expect(stripMidiEnvelope(m1)!.equals(stripMidiEnvelope(m2)!)).toBe(true);
    expect(m1.equals(m2)).toBe(false);
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

  /** Bad input is refused in one line per problem, before any work: no progress line, no stack, no files. */
  function expectRefusedUpFront(result: { stderr: string; stdout: string; code: number }, pattern: RegExp): void {
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(result.stderr).not.toMatch(/% done|composing|\n\s+at /);
    expect(result.stdout).toBe('');
  }

  it('refuses an unknown SoundFont in one line, with the nearest name and the choices, before composing', async () => {
    const dir = path.join(out, 'sf');
    const result = await tunesmith(['compose', 'calm lofi', '--duration', '2', '--soundfont', 'fluidr', '--out', dir]);
    expectRefusedUpFront(result, /^soundfont: "fluidr" is not a SoundFont I know\. Did you mean "fluidr3"\? Allowed: fluidr3, timgm6mb, musescore or a path to a \.sf2\/\.sf3 file\.$/);
    await expect(readdir(dir)).rejects.toThrow();
  });

  it('refuses a SoundFont path that is not a SoundFont, before composing', async () => {
    const fake = path.join(out, 'fake.sf2');
    await writeFile(fake, 'not a soundfont');
    expectRefusedUpFront(await tunesmith(['compose', '--duration', '2', '--soundfont', fake, '--out', path.join(out, 'sf2')]), /^soundfont: ".*fake\.sf2" cannot be used: it is not a SoundFont/);
  });

  it.each([
    ['inside a device file', () => '/dev/null/out', /^out: "\/dev\/null\/out" is inside \/dev\/null, which is a file, not a folder\./],
    ['a regular file', (dir: string) => path.join(dir, 'a-file'), /^out: ".*a-file" is a file, not a folder\. Did you mean ".*"\?/],
    ['inside a regular file', (dir: string) => path.join(dir, 'a-file', 'sub'), /^out: ".*a-file\/sub" is inside .*a-file, which is a file, not a folder\./],
    ['in /sys, which even root cannot write', () => '/sys/kernel/nope', /^out: "\/sys\/kernel\/nope" cannot be made: permission denied/],
    ['in /proc, where mkdir -p would spin for ever', () => '/proc/tunesmith-nope/out', /^out: "\/proc\/tunesmith-nope\/out" cannot be made/],
  ])('refuses an --out folder %s in one line, before any work', async (_, where, pattern) => {
    await writeFile(path.join(out, 'a-file'), 'x');
    expectRefusedUpFront(await tunesmith(['compose', 'calm lofi', '--duration', '2', '--out', where(out)]), pattern);
  });

  it('prints one line and where the help is for a usage error, not the whole help', async () => {
    for (const args of [['compose', '--bogus'], ['compose', '--tempo']]) {
      const result = await tunesmith(args);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(2);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[1]).toBe('Run "tunesmith compose --help" for the options.');
    }
    const help = await tunesmith(['compose', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--soundfont/);
  });

  it('refuses a seed beyond the range quoting it exactly, with the range', async () => {
    expectRefusedUpFront(await tunesmith(['compose', '--seed', '9007199254740993', '--out', path.join(out, 'seed')]), /^seed: "9007199254740993" is out of range\. Allowed: a whole number from 0 to 4294967295\.$/);
    expectRefusedUpFront(await tunesmith(['compose', 'lofi, seed 9007199254740993', '--out', path.join(out, 'seed')]), /"9007199254740993" is out of range/);
  });

  it('trims the format like every other field and reads German key names', async () => {
    const dir = path.join(out, 'trim');
    const result = await tunesmith(['compose', 'calm piano', '--format', 'wav ', '--key', 'h moll', '--duration', '2', '--seed', '5', '--out', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/key:\s+B minor/);
    expect((await readdir(dir)).some((f) => f.endsWith('.wav'))).toBe(true);
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

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('tunesmith verify (npm run verify FILE)', () => {
  let out: string;
  let env: NodeJS.ProcessEnv;
  const tunesmith = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, timeout: 120_000 });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const e = error as { stdout: string; stderr: string; code: number };
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  };
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'tunesmith-verify-'));
    env = { ...process.env, TUNESMITH_DATA_DIR: path.join(out, 'data') };
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('answers unmodified for what this instance wrote, modified for a changed byte, and refuses what it cannot check', { timeout: 180_000 }, async () => {
    const made = await tunesmith(['compose', 'happy chiptune', '--duration', '3', '--seed', '9', '--format', 'wav', '--out', path.join(out, 'files')]);
    expect(made.code, made.stderr).toBe(0);
    const files = await readdir(path.join(out, 'files'));
    const wav = path.join(out, 'files', files.find((f) => f.endsWith('.wav'))!);
    const mid = path.join(out, 'files', files.find((f) => f.endsWith('.mid'))!);

    for (const file of [wav, mid]) {
      const ok = await tunesmith(['verify', file]);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^Made by this Tunesmith instance on \d{4}-\d\d-\d\d from chiptune, happy, 3 s, seed 9 \(“happy chiptune”\), unmodified/);
      expect(ok.stdout).toMatch(/same MIDI bytes/);
    }

    const bytes = await readFile(wav);
    bytes[bytes.length - 1000]! ^= 0x10;
    const changed = path.join(out, 'changed.wav');
    await writeFile(changed, bytes);
    const bad = await tunesmith(['verify', changed]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^Modified after it was made: .*its audio bytes differ from the ones signed/);

    const notOurs = await tunesmith(['verify', 'package.json']);
    expect(notOurs.code).toBe(2);
    expect(notOurs.stdout.trim()).toBe('This is not a file Tunesmith writes: only Ogg Opus, MP3, WAV, MIDI and its PNG piano rolls can be checked.');
    const missing = await tunesmith(['verify', path.join(out, 'nope.ogg')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^Cannot read .*nope\.ogg: no such file\.$/);
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('tunesmith kit (npm run kit)', () => {
  let out: string;
  let env: NodeJS.ProcessEnv;
  const tunesmith = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, timeout: 240_000 });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const e = error as { stdout: string; stderr: string; code: number };
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  };
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'tunesmith-kitcli-'));
    env = { ...process.env, TUNESMITH_DATA_DIR: path.join(out, 'data') };
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('refuses bad options, one line each, before making anything', async () => {
    const dir = path.join(out, 'bad');
    const bad = await tunesmith(['kit', 'My Stream', '--style', 'lofy', '--intro', '45', '--stinger', 'x', '--out', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^style: .*Did you mean "lofi"\?/),
      'intro: "45" is not a length I can make for the intro. Allowed: 10–20 seconds.',
      'stinger: "x" is not a length I can make for the stinger. Allowed: 2–4 seconds.',
    ]);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('writes one zip whose files verify as made here', { timeout: 240_000 }, async () => {
    const dir = path.join(out, 'kit');
    const made = await tunesmith(['kit', 'CLI Stream', '--style', 'synthwave', '--mood', 'energetic', '--seed', '12', '--brb', '30', '--starting', '60', '--out', dir]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^Streamer kit “CLI Stream”: synthwave, energetic, .+ bpm, seed 12/);
    const zip = unzipSync(await import('node:fs/promises').then((fs) => fs.readFile(path.join(dir, 'cli-stream-kit.zip'))));
    const stinger = path.join(out, 'stinger.ogg');
    await writeFile(stinger, zip['cli-stream-stinger.ogg']!);
    const verified = await tunesmith(['verify', stinger]);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/the stinger of the streamer kit “CLI Stream”, synthwave, energetic, 3 s/);
  });
});

/**
 * The systemd units in deploy/systemd are checked by systemd itself (`systemd-analyze verify`,
 * from Debian's systemd package, listed in scripts/setup.sh): any warning (an unknown key, a value
 * it cannot parse, a missing binary) fails the test. They must also start what `npm start` and
 * `npm run worker` start, and give a graceful shutdown the time it needs.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const UNITS = new URL('../../deploy/systemd/', import.meta.url);
const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** [section] → key → values, as systemd reads a unit file (comments and blank lines skipped). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) sections.set(section[1]!, (current = new Map()));
    else {
      const [key, ...rest] = line.split('=');
      current!.set(key!.trim(), [...(current!.get(key!.trim()) ?? []), rest.join('=').trim()]);
    }
  }
  return sections;
}

async function verify(files: { name: string; as?: string }[]): Promise<{ code: number; output: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-units-'));
  dirs.push(dir);
  for (const f of files) await copyFile(new URL(f.name, UNITS), path.join(dir, f.name));
  // A template is verified through an instance of it.
  for (const f of files) if (f.as) await symlink(path.join(dir, f.name), path.join(dir, f.as));
  const targets = files.map((f) => path.join(dir, f.as ?? f.name));
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', ...targets], { cwd: dir, timeout: 30_000, env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
    return { code: 0, output: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() };
  }
}

describe('deploy/systemd units', () => {
  it('pass systemd-analyze verify without a single warning', async () => {
    const result = await verify([{ name: 'tunesmith-bot.service' }, { name: 'tunesmith-worker@.service', as: 'tunesmith-worker@1.service' }, { name: 'tunesmith-workers.target' }]);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('the check catches a broken unit (so the test above can fail)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-units-'));
    dirs.push(dir);
    const broken = (await readFile(new URL('tunesmith-bot.service', UNITS), 'utf8')).replace('Restart=always', 'Restart=sometimes').replace('ExecStart=', 'ExecStrt=');
    await (await import('node:fs/promises')).writeFile(path.join(dir, 'tunesmith-bot.service'), broken);
    const { stderr } = await run('systemd-analyze', ['verify', path.join(dir, 'tunesmith-bot.service')], { timeout: 30_000 }).catch((e: { stderr: string }) => ({ stderr: e.stderr }));
    expect(stderr).toMatch(/Unknown key 'ExecStrt'|restart specifier/);
  });

  it('start what npm start and npm run worker start, with time for a graceful stop', async () => {
    const bot = parseUnit(await readFile(new URL('tunesmith-bot.service', UNITS), 'utf8'));
    const worker = parseUnit(await readFile(new URL('tunesmith-worker@.service', UNITS), 'utf8'));
    expect(pkg.scripts.start).toBe('tsx src/bot/shards.ts');
    expect(bot.get('Service')!.get('ExecStart')).toEqual(['/usr/bin/node --import tsx src/bot/shards.ts']);
    expect(pkg.scripts.worker).toBe('tsx src/worker/main.ts');
    expect(worker.get('Service')!.get('ExecStart')).toEqual(['/usr/bin/node --import tsx src/worker/main.ts']);
    for (const unit of [bot, worker]) {
      const service = unit.get('Service')!;
      expect(service.get('KillMode')).toEqual(['mixed']);
      expect(service.get('Restart')).toEqual(['always']);
      expect(service.get('EnvironmentFile')).toEqual(['/opt/tunesmith/.env']);
    }
    // SHUTDOWN_GRACE_SEC defaults to 20: a worker needs 20 + 10 s, the shard manager 20 + 15 + its own.
    expect(Number(worker.get('Service')!.get('TimeoutStopSec')![0])).toBeGreaterThanOrEqual(30);
    expect(Number(bot.get('Service')!.get('TimeoutStopSec')![0])).toBeGreaterThanOrEqual(50);
    expect(worker.get('Install')!.get('WantedBy')).toEqual(['tunesmith-workers.target']);
  });
});

/**
 * What a fresh machine needs: every Debian package in scripts/setup.sh's DEBIAN_PACKAGES is installed, and each thing the code looks for is found. A package
 * the code or tests use but the list lacks fails here on a machine that has only the base image.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveSoundFont, SOUNDFONT_NAMES } from '../../src/render/soundfont.ts';
import { findTools } from '../../src/render/tools.ts';

const setupScript = readFileSync(new URL('../../scripts/setup.sh', import.meta.url), 'utf8');
const listed = (/^DEBIAN_PACKAGES=\(\n([\s\S]*?)\n\)$/m.exec(setupScript)?.[1] ?? '')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim())
  .filter(Boolean);

const owner = (file: string) => execFileSync('dpkg-query', ['-S', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0]!.trim();
/** The package that ships a file; through the link where Debian's alternatives made it (MuseScore_General.sf3). */
function packageOf(file: string): string {
  try {
    return owner(file);
  } catch {
    return owner(realpathSync(file));
  }
}
const commandPath = (cmd: string) => execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();

describe('DEBIAN_PACKAGES in scripts/setup.sh', () => {
  it('is found', () => expect(listed.length).toBeGreaterThanOrEqual(7));

  it('every listed package is installed', () => {
    for (const pkg of listed) {
      const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
      expect(status, `${pkg}: run bash scripts/setup.sh`).toBe('install ok installed');
    }
  });

  it('lists the package behind every tool and SoundFont the code uses', () => {
    const tools = findTools();
    const used = [tools.ffmpeg, tools.ffprobe, tools.fluidsynth, ...['redis-server', 'redis-sentinel', 'redis-cli', 'systemd-analyze', 'setpriv'].map(commandPath)];
    for (const name of SOUNDFONT_NAMES) used.push(resolveSoundFont(name, {}).path);
    for (const file of used) expect(listed, `${file} comes from a package setup.sh does not install`).toContain(packageOf(file));
  });
});

/**
 * Dynamics of rendered audio.
 *
 *   loudness range  EBU R128 LRA as ffmpeg's ebur128 filter reports it for the whole file
 *                   (the spread of 3 s short-term loudness, 10th to 95th percentile, gated).
 *   section spread  the integrated loudness (BS.1770, gated, src/render/loudness.ts) of each
 *                   section's audio; the spread is loudest − quietest, in LU. Sections shorter
 *                   than 3 s (one short-term window) and the final cadence ("ending") are left out.
 */
import { spawn } from 'node:child_process';
import { measureLoudness } from '../../render/loudness.ts';
import type { Pcm } from './dropouts.ts';

export const MIN_SECTION_SEC = 3;

/** LRA in LU of an audio file, by ffmpeg's ebur128 filter. */
export function loudnessRange(path: string, ffmpeg = 'ffmpeg'): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostats', '-i', path, '-filter_complex', 'ebur128', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const all = [...err.matchAll(/LRA:\s+(-?[\d.]+) LU/g)];
      const last = all[all.length - 1];
      if (code !== 0 || !last) reject(new Error(`ffmpeg ebur128 failed (exit ${code}): ${err.slice(-300)}`));
      else resolve(Number(last[1]));
    });
  });
}

export interface SectionLoudness {
  name: string;
  lufs: number;
}

export function sectionLoudness(pcm: Pcm, sections: readonly { name: string; startSec: number; endSec: number }[]): { sections: SectionLoudness[]; spreadLu: number | null } {
  const out: SectionLoudness[] = [];
  for (const s of sections) {
    if (s.name === 'ending' || s.endSec - s.startSec < MIN_SECTION_SEC) continue;
    const from = Math.round(s.startSec * pcm.sampleRate) * pcm.channels;
    const to = Math.min(pcm.samples.length, Math.round(s.endSec * pcm.sampleRate) * pcm.channels);
    const lufs = measureLoudness(pcm.samples.subarray(from, to), { sampleRate: pcm.sampleRate, channels: pcm.channels }).integratedLufs;
    out.push({ name: s.name, lufs });
  }
  const finite = out.map((s) => s.lufs).filter(Number.isFinite);
  return { sections: out, spreadLu: finite.length >= 2 ? Math.max(...finite) - Math.min(...finite) : null };
}

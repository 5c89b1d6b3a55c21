/**
 * Finds ffmpeg, ffprobe and fluidsynth (env TUNESMITH_FFMPEG / _FFPROBE / _FLUIDSYNTH, else PATH)
 * and the SoundFont, and checks ffmpeg has the encoders we use. Everything missing is reported in
 * one MissingToolError. Results are cached per distinct environment, so the check runs once.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { MissingToolError, type MissingThing } from './errors.ts';
import { resolveSoundFont, type SoundFont } from './soundfont.ts';

export interface Toolchain {
  ffmpeg: string;
  ffprobe: string;
  fluidsynth: string;
}

export interface RenderSetup {
  tools: Toolchain;
  soundfont: SoundFont;
}

const TOOLS: { key: keyof Toolchain; env: string; debianPackage: string }[] = [
  { key: 'ffmpeg', env: 'TUNESMITH_FFMPEG', debianPackage: 'ffmpeg' },
  { key: 'ffprobe', env: 'TUNESMITH_FFPROBE', debianPackage: 'ffmpeg' },
  { key: 'fluidsynth', env: 'TUNESMITH_FLUIDSYNTH', debianPackage: 'fluidsynth' },
];
/** Encoders of the formats we write (Debian's ffmpeg has both). */
const REQUIRED_ENCODERS = ['libopus', 'libmp3lame'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const toolCache = new Map<string, Toolchain | MissingThing[]>();

/** Paths of the three programs; throws MissingToolError naming every one that is missing. */
export function findTools(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const cacheKey = JSON.stringify([env.PATH, ...TOOLS.map((t) => env[t.env])]);
  let found = toolCache.get(cacheKey);
  if (!found) {
    const tools: Partial<Toolchain> = {};
    const missing: MissingThing[] = [];
    for (const t of TOOLS) {
      const override = env[t.env]?.trim();
      const path = override ? (isExecutable(override) ? override : undefined) : onPath(t.key, env);
      if (path) tools[t.key] = path;
      else {
        const detail = override ? `${t.env} points to ${override}, which is not an executable file` : `not found on PATH (or set ${t.env})`;
        missing.push({ what: t.key, detail, debianPackage: t.debianPackage });
      }
    }
    found = missing.length ? missing : (tools as Toolchain);
    toolCache.set(cacheKey, found);
  }
  if (Array.isArray(found)) throw new MissingToolError(found);
  return found;
}

const encoderCache = new Map<string, Promise<void>>();

/** ffmpeg's encoder list through fluent-ffmpeg (which caches it for its own checks too). */
function checkEncoders(ffmpegPath: string): Promise<void> {
  let pending = encoderCache.get(ffmpegPath);
  if (!pending) {
    pending = new Promise<void>((resolve, reject) => {
      ffmpeg.setFfmpegPath(ffmpegPath);
      ffmpeg.getAvailableEncoders((err, encoders) => {
        if (err) return reject(new MissingToolError([{ what: 'ffmpeg', detail: `${ffmpegPath} does not run (${err.message})`, debianPackage: 'ffmpeg' }]));
        const absent = REQUIRED_ENCODERS.filter((e) => !(e in encoders));
        if (absent.length) {
          return reject(new MissingToolError([{ what: `ffmpeg encoder ${absent.join(', ')}`, detail: `${ffmpegPath} was built without it`, debianPackage: 'ffmpeg' }]));
        }
        resolve();
      });
    });
    pending.catch(() => encoderCache.delete(ffmpegPath));
    encoderCache.set(ffmpegPath, pending);
  }
  return pending;
}

/** Everything a render needs, checked: tools, encoders, SoundFont. Missing pieces are reported together. */
export async function checkRenderSetup(soundfont?: string, env: NodeJS.ProcessEnv = process.env): Promise<RenderSetup> {
  const problems: MissingThing[] = [];
  let tools: Toolchain | undefined;
  let font: SoundFont | undefined;
  try {
    tools = findTools(env);
  } catch (e) {
    if (!(e instanceof MissingToolError)) throw e;
    problems.push(...e.missing);
  }
  try {
    font = resolveSoundFont(soundfont, env);
  } catch (e) {
    if (!(e instanceof MissingToolError)) throw e;
    problems.push(...e.missing);
  }
  if (problems.length || !tools || !font) throw new MissingToolError(problems);
  await checkEncoders(tools.ffmpeg);
  return { tools, soundfont: font };
}

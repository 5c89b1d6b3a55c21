/**
 * Which SoundFont fluidsynth plays: a short name (fluidr3, timgm6mb, musescore) or a path to any
 * .sf2/.sf3, from the caller's option or env TUNESMITH_SOUNDFONT. Each font carries the synth
 * gain that keeps its loudest presets from clipping fluidsynth's s16 output (see soundfonts/README.md).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Check, FieldProblem } from '../core/request.ts';
import { closest } from '../core/suggest.ts';
import { MissingToolError } from './errors.ts';

export const SOUNDFONT_ENV = 'TUNESMITH_SOUNDFONT';
const SYSTEM_DIRS = ['/usr/share/sounds/sf2', '/usr/share/sounds/sf3'];

export interface SoundFont {
  /** Short name for a known font, else the file name. */
  name: string;
  path: string;
  /** fluidsynth master gain (-g). */
  gain: number;
}

interface KnownFont {
  files: string[];
  gain: number;
  debianPackage: string;
}

/**
 * Gains measured with 6-note fortissimo chords on the hottest GM presets (strings, brass, synth
 * lead, distortion guitar): at -g 0.8 FluidR3 peaks up to +3.6 dBFS and TimGM6mb up to +2.8 dBFS,
 * so both sit about 6–8 dB lower; TimGM6mb's leads are hotter, hence a little less.
 */
const KNOWN: Record<string, KnownFont> = {
  fluidr3: { files: ['FluidR3_GM.sf2'], gain: 0.4, debianPackage: 'fluid-soundfont-gm' },
  timgm6mb: { files: ['TimGM6mb.sf2'], gain: 0.35, debianPackage: 'timgm6mb-soundfont' },
  // MuseScore_General is mastered hotter than FluidR3 (setup.sh installs the .sf3 from -small).
  musescore: {
    files: ['MuseScore_General.sf3', 'MuseScore_General.sf2'],
    gain: 0.3,
    debianPackage: 'musescore-general-soundfont-small',
  },
};
export const DEFAULT_SOUNDFONT = 'fluidr3';
export const SOUNDFONT_NAMES = Object.keys(KNOWN);
/** Unknown fonts: conservative; the renderer re-renders quieter if the synth output clips anyway. */
const CUSTOM_FONT_GAIN = 0.3;

const ALLOWED = `${SOUNDFONT_NAMES.join(', ')} or a path to a .sf2/.sf3 file`;

/** A name that is neither a known SoundFont nor a path. */
export class UnknownSoundFontError extends Error {
  readonly suggestion: string | undefined;
  readonly problem: FieldProblem;
  constructor(name: string) {
    const suggestion = closest(name, SOUNDFONT_NAMES);
    const problem: FieldProblem = { field: 'soundfont', message: `"${name}" is not a SoundFont I know.`, allowed: ALLOWED, suggestion };
    super(`${problem.message}${suggestion ? ` Did you mean "${suggestion}"?` : ''} Choose ${ALLOWED}.`);
    this.name = 'UnknownSoundFontError';
    this.suggestion = suggestion;
    this.problem = problem;
  }
}

/** Whether a choice names a known SoundFont or a file (checked without touching the disk). */
export function soundFontChoiceProblem(choice: string): FieldProblem | undefined {
  const wanted = choice.trim();
  if (looksLikePath(wanted) || KNOWN[wanted.toLowerCase()]) return undefined;
  return new UnknownSoundFontError(choice).problem;
}

function looksLikePath(choice: string): boolean {
  return choice.includes('/') || /\.sf[23]$/i.test(choice);
}

/** fluidsynth renders silence (and exits 0) for a bad font, so check the RIFF/sfbk header ourselves. */
function soundFontProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    const head = Buffer.alloc(12);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, 12, 0);
    } finally {
      closeSync(fd);
    }
    const riff = head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'sfbk';
    return riff ? undefined : `${path} is not a SoundFont (no RIFF sfbk header)`;
  } catch {
    return `${path} does not exist or cannot be read`;
  }
}

function resolvePath(path: string): SoundFont {
  const problem = soundFontProblem(path);
  if (problem) {
    throw new MissingToolError([
      {
        what: `SoundFont "${path}"`,
        detail: `${problem} (set ${SOUNDFONT_ENV} to an existing .sf2/.sf3 or to one of ${SOUNDFONT_NAMES.join(', ')}; the default comes from fluid-soundfont-gm)`,
        debianPackage: KNOWN[DEFAULT_SOUNDFONT]?.debianPackage,
      },
    ]);
  }
  const file = basename(path);
  const known = Object.entries(KNOWN).find(([, k]) => k.files.some((f) => f.toLowerCase() === file.toLowerCase()));
  return { name: known?.[0] ?? file, path, gain: known?.[1].gain ?? CUSTOM_FONT_GAIN };
}

function resolveName(name: string): SoundFont {
  const key = name.toLowerCase().trim();
  const known = KNOWN[key];
  if (!known) throw new UnknownSoundFontError(name);
  for (const dir of SYSTEM_DIRS) {
    for (const file of known.files) {
      const path = `${dir}/${file}`;
      if (!soundFontProblem(path)) return { name: key, path, gain: known.gain };
    }
  }
  throw new MissingToolError([
    {
      what: `SoundFont "${key}"`,
      detail: `none of ${known.files.join(', ')} found in ${SYSTEM_DIRS.join(' or ')}`,
      debianPackage: known.debianPackage,
    },
  ]);
}

/**
 * The caller's SoundFont choice checked as a request field (before any work): an unknown name,
 * a missing file or a known font that is not installed is a problem saying what to do.
 */
export function checkSoundFont(choice?: string, env: NodeJS.ProcessEnv = process.env): Check<SoundFont> {
  const fromEnv = !choice?.trim() && env[SOUNDFONT_ENV]?.trim() ? ` (from ${SOUNDFONT_ENV})` : '';
  const field = `soundfont${fromEnv}`;
  const wanted = choice?.trim() || env[SOUNDFONT_ENV]?.trim() || DEFAULT_SOUNDFONT;
  if (looksLikePath(wanted)) {
    const problem = soundFontProblem(wanted);
    if (problem) return { ok: false, problem: { field, message: `"${wanted}" cannot be used: ${problem.replace(wanted, 'it')}.`, allowed: ALLOWED } };
  }
  try {
    return { ok: true, value: resolveSoundFont(choice, env) };
  } catch (error) {
    if (error instanceof UnknownSoundFontError) return { ok: false, problem: { ...error.problem, field } };
    if (error instanceof MissingToolError) {
      const missing = error.missing[0];
      const install = missing?.debianPackage ? `; install it with: sudo apt-get install ${missing.debianPackage}` : '';
      return { ok: false, problem: { field, message: `"${wanted}" is not installed (${missing?.detail ?? error.message})${install}.`, allowed: ALLOWED } };
    }
    throw error;
  }
}

/** Resolve the caller's choice, else env TUNESMITH_SOUNDFONT, else the default (FluidR3_GM). */
export function resolveSoundFont(choice?: string, env: NodeJS.ProcessEnv = process.env): SoundFont {
  const wanted = choice?.trim() || env[SOUNDFONT_ENV]?.trim() || DEFAULT_SOUNDFONT;
  return looksLikePath(wanted) ? resolvePath(wanted) : resolveName(wanted);
}

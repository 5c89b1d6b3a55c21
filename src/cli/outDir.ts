/**
 * The CLI's --out folder, checked before any work so a bad one costs a line, not a rendered
 * piece and a stack trace. `checkOutDir` only looks (it runs with the other option checks, so
 * every problem is reported at once and a refused request leaves nothing behind);
 * `makeOutDir` then creates the missing folders one level at a time and writes a probe file,
 * which is the only sure test of "can be written" (root passes every permission check, yet
 * /sys and /proc refuse it, and Node's recursive mkdir spins for ever under /proc).
 */
import { constants } from 'node:fs';
import { access, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkFormat, type AudioFormat, type FieldProblem } from '../core/request.ts';
import { checkSoundFont } from '../render/soundfont.ts';

const ALLOWED = 'a folder you can write to (made if missing)';

const problem = (dir: string, message: string, suggestion?: string): FieldProblem => ({ field: 'out', message: `"${dir}" ${message}`, allowed: ALLOWED, suggestion });

/** Why a file-system call failed, in words. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOENT':
      return 'this place does not take new folders';
    case 'ENOTDIR':
      return 'part of the path is a file';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

async function isWritableDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory() && (await access(dir, constants.W_OK).then(() => true));
  } catch {
    return false;
  }
}

/** The nearest folder the path would go into, and the levels below it that do not exist yet. */
async function existingAncestor(resolved: string): Promise<{ existing: string; missing: string[]; isDirectory: boolean } | { error: unknown; at: string }> {
  const missing: string[] = [];
  for (let at = resolved; ; at = path.dirname(at)) {
    try {
      const info = await stat(at);
      return { existing: at, missing, isDirectory: info.isDirectory() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a level above is a file; the walk up finds which.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { error, at };
      if (path.dirname(at) === at) return { error, at };
      missing.unshift(at);
    }
  }
}

/** Read-only checks: the path is, or can become, a folder inside one we may write to. */
export async function checkOutDir(dir: string): Promise<FieldProblem | undefined> {
  if (!dir.trim()) return problem(dir, 'is not a folder name.', 'out');
  const resolved = path.resolve(dir);
  const found = await existingAncestor(resolved);
  if ('error' in found) return problem(dir, `cannot be checked: ${reason(found.error)} at ${found.at}.`);
  const { existing, isDirectory } = found;
  if (!isDirectory) {
    if (existing !== resolved) return problem(dir, `is inside ${existing}, which is a file, not a folder.`);
    // Most likely a file name was given for the folder: suggest the folder it is in, as typed.
    const parent = path.dirname(dir);
    return problem(dir, 'is a file, not a folder.', (await isWritableDirectory(parent)) ? parent : undefined);
  }
  try {
    await access(existing, constants.W_OK);
  } catch (error) {
    return problem(dir, `cannot be written: ${reason(error)} (${existing}).`);
  }
  return undefined;
}

/** Creates the folder (level by level) and proves it takes files; a problem if it cannot. */
export async function makeOutDir(dir: string): Promise<FieldProblem | undefined> {
  const resolved = path.resolve(dir);
  const found = await existingAncestor(resolved);
  if ('error' in found) return problem(dir, `cannot be made: ${reason(found.error)} at ${found.at}.`);
  for (const level of found.missing) {
    try {
      await mkdir(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await isWritableDirectory(level))) continue;
      return problem(dir, `cannot be made: ${reason(error)} (${level}).`);
    }
  }
  const probe = path.join(resolved, `.tunesmith-write-test-${process.pid}`);
  try {
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    return problem(dir, `cannot be written: ${reason(error)}.`);
  }
  return undefined;
}

/**
 * The output options every CLI command that writes files shares (--format, --soundfont, --out),
 * checked together: their problems are added to `problems`; the format when it is valid.
 */
export async function checkOutputOptions(flags: { format: string; soundfont?: string; out: string }, problems: FieldProblem[]): Promise<AudioFormat | undefined> {
  const format = checkFormat(flags.format);
  if (!format.ok) problems.push(format.problem);
  const soundfont = checkSoundFont(flags.soundfont);
  if (!soundfont.ok) problems.push(soundfont.problem);
  const out = await checkOutDir(flags.out);
  if (out) problems.push(out);
  return format.ok ? format.value : undefined;
}

/**
 * `tunesmith verify FILE` (`npm run verify FILE`): the /verify answer on the command line, against
 * this instance's key (TUNESMITH_DATA_DIR). The size is checked before the file is read.
 * Exit status: 0 unmodified, 1 modified or not signed by this instance, 2 not a file that can be checked.
 */
import { open, stat } from 'node:fs/promises';
import { recomposeMidi } from '../pipeline.ts';
import { instanceKey } from '../provenance/keys.ts';
import { MAX_VERIFY_BYTES, verifyFile } from '../provenance/verify.ts';

export async function runVerify(file: string): Promise<number> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      console.error(`${file} is not a file.`);
      return 2;
    }
    size = info.size;
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
    return 2;
  }
  if (size > MAX_VERIFY_BYTES) {
    console.error(`${file} is too large to check (${(size / 2 ** 20).toFixed(1)} MiB; at most ${MAX_VERIFY_BYTES / 2 ** 20} MiB).`);
    return 2;
  }
  const handle = await open(file, 'r');
  const bytes = Buffer.alloc(size);
  try {
    await handle.read(bytes, 0, size, 0);
  } finally {
    await handle.close();
  }
  const verdict = await verifyFile(bytes, { key: await instanceKey(), recompose: (recipe) => recomposeMidi(recipe) });
  console.log(verdict.message);
  for (const line of verdict.checks) console.log(`  ${line}`);
  return verdict.status === 'unmodified' ? 0 : verdict.status === 'unreadable' ? 2 : 1;
}

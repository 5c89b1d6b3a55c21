/**
 * `npx tsx scripts/bench-midi-input.ts`: the MIDI bad-input cases of issue 14 (test/support/badMidi.ts),
 * each in a fresh process, read by Tunesmith's bounded reader (midiToScore) and by @tonejs/midi's
 * parser as used before it (20 s cut-off): parse time, peak RSS, outcome.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BAD_MIDI_CASES } from '../test/support/badMidi.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../test/support/midiCaseChild.ts', import.meta.url));

async function measure(index: number, reader: string): Promise<string> {
  const started = performance.now();
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, String(index), reader], { timeout: 20_000, maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ms: number; maxRssMb: number; outcome: string };
    return `${r.ms.toFixed(1)} ms, ${r.maxRssMb.toFixed(0)} MB, ${r.outcome.slice(0, 70)}`;
  } catch (error) {
    const e = error as { killed?: boolean; signal?: string; stderr?: string };
    if (e.killed || e.signal) return `still running after ${((performance.now() - started) / 1000).toFixed(0)} s (killed)`;
    return `crashed: ${(e.stderr ?? '').split('\n').find((l) => /Error/.test(l))?.slice(0, 70) ?? 'unknown'}`;
  }
}

console.log('case | Tunesmith (bounded reader) | @tonejs/midi parser');
for (const [i, c] of BAD_MIDI_CASES.entries()) console.log(`${c.name} | ${await measure(i, 'tunesmith')} | ${await measure(i, 'tonejs')}`);

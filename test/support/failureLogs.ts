/**
 * When a test fails (a timeout included), print the last lines of every live bot harness's log, so
 * a failure on CI says what the bot was doing rather than only "timed out in 60000 ms".
 */
import { afterAll, afterEach } from 'vitest';

// Per test file: each file runs in its own module context (vitest isolates files).
const live = new Map<string, () => string[]>();

/**
 * Register a log source (a harness, a worker process) for the failure dump. Sources stay until the
 * file's tests end: its own afterAll (which stops the harness) runs before the dump below.
 */
export function watchLogs(name: string, lines: () => string[]): void {
  live.set(`${name} #${live.size + 1}`, lines);
}

function dump(what: string): void {
  for (const [name, lines] of live) {
    const tail = lines().slice(-40);
    process.stderr.write(`\n--- ${what}: last ${tail.length} log lines of ${name} ---\n${tail.join('\n')}\n`);
  }
}

let dumped = false;
afterEach((ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  dumped = true;
  dump(`failed "${ctx.task.name}"`);
});

// Vitest parses the first parameter as a fixture list: it must be a destructuring pattern.
// eslint-disable-next-line no-empty-pattern
afterAll(({}, suite) => {
  if (suite.result?.state === 'fail' || suite.tasks.some((t) => t.result?.state === 'fail' || t.result?.errors?.length)) {
    if (!dumped) dump('a hook failed');
  }
  live.clear();
});

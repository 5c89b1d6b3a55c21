/**
 * Finishes a background training run unattended: waits for the trainer process to exit, and if
 * the run reached its last step, runs the inference benchmark and the full evaluation (which also
 * redraws loss.png and re-renders MODEL_CARD.md), then commits models/melody under the git lock.
 *
 *   setsid nohup nice -n 10 node --import tsx scripts/train-finish.ts --pid <trainer pid> > data/train-finish.log 2>&1 &
 *
 * --no-commit skips the commit; --pieces sets the evaluation size (default 200).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    pid: { type: 'string' },
    pieces: { type: 'string', default: '200' },
    'no-commit': { type: 'boolean', default: false },
  },
});
const root = join(import.meta.dirname, '..');
const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const pid = Number(args.pid);
if (!pid) throw new Error('--pid of the trainer is required');
log(`waiting for trainer ${pid}`);
while (alive(pid)) await new Promise((r) => setTimeout(r, 30_000));

const state = JSON.parse(readFileSync(join(root, 'models/melody/checkpoint/state.json'), 'utf8')) as { step: number; hyper: { maxSteps: number } };
if (state.step < state.hyper.maxSteps) {
  log(`trainer stopped at step ${state.step}/${state.hyper.maxSteps}: not evaluating (resume with npm run train -- --model melody --steps ${state.hyper.maxSteps})`);
  process.exit(0);
}
const run = (script: string, ...rest: string[]) => {
  log(`running ${script} ${rest.join(' ')}`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, ...rest], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  console.log(out);
};
run('scripts/eval-bench.ts', '20');
run('scripts/eval.ts', '--pieces', args.pieces);
if (!args['no-commit']) {
  execFileSync('flock', ['/tmp/git.lock', 'sh', '-c', `git add models/melody && git commit -q -m "melody model: final weights (step ${state.step}), evaluation, loss curve and card" -- models/melody`], { cwd: root, stdio: 'inherit' });
  log('committed models/melody');
}

/**
 * Lists the accompaniment model's pieces whose whole score does not read as the requested key
 * (the key-accuracy row of `scripts/eval-accomp.ts`, without the rest of the evaluation). Used to
 * choose ACCOMP_TONIC_BIAS on seeds other than the evaluation's (2024):
 *
 *   npx tsx scripts/accomp-key-check.ts --plans 300 --seed 11
 *
 * Needs data/accomp/train.json (npx tsx scripts/prepare-accomp.ts) for the Markov fit the evaluation shares.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { accompEvalRequests, generatorWithAccompaniment } from '../src/neural/accompEvaluate.ts';
import { AccompMarkov } from '../src/neural/accompMarkov.ts';
import { loadAccompModel } from '../src/neural/accompModel.ts';
import { DEFAULT_ACCOMP_DIR } from '../src/neural/accompModelFiles.ts';
import { loadMelodyModel } from '../src/neural/melodyModel.ts';
import { neuralMelodyGenerator } from '../src/neural/generator.ts';
import { controlCheck } from '../src/neural/evaluate.ts';

const { values: args } = parseArgs({ options: { plans: { type: 'string', default: '300' }, seed: { type: 'string', default: '7' } } });
const plans = Number(args.plans);
const seed = Number(args.seed);
const model = await loadAccompModel(DEFAULT_ACCOMP_DIR);
const melody = await loadMelodyModel();
const markov = AccompMarkov.fit(JSON.parse(readFileSync(join(import.meta.dirname, '../data/accomp/train.json'), 'utf8')));
const gen = generatorWithAccompaniment(neuralMelodyGenerator(melody), 'model', { model, markov });
let out = 0;
for (const [i, req] of accompEvalRequests(plans, seed).entries()) {
  const r = await controlCheck(req, gen);
  if (r.key) continue;
  out++;
  console.log(`plan ${i}: ${req.style} ${req.mood} in ${req.key!.tonic} ${req.key!.mode} reads otherwise (the lead alone ${r.keyMelodyOnly ? 'does' : 'does not'} read in key)`);
}
console.log(`${out} of ${plans} pieces out of key (seed ${seed})`);

/**
 * Evaluates the melody model against the rule-based generator and a first-order Markov baseline.
 *
 *   npm run eval                       # 200 pieces per system, NLL on the test split
 *   npm run eval -- --pieces 20        # quicker
 *
 * Needs data/melody (npm run prepare-data). Writes models/melody/eval.json and EVAL.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSplit } from '../src/neural/dataset.ts';
import { evaluate, reportMarkdown } from '../src/neural/evaluate.ts';
import { loadMelodyModel } from '../src/neural/melodyModel.ts';
import { DEFAULT_MODEL_DIR } from '../src/neural/modelFiles.ts';
import { writeModelCard } from '../src/neural/modelCard.ts';
import { writeLossCurve } from '../src/neural/lossCurve.ts';
import { DATA_DIR } from '../src/neural/dataset.ts';

const { values: args } = parseArgs({
  options: {
    pieces: { type: 'string', default: '200' },
    seed: { type: 'string', default: '2024' },
    split: { type: 'string', default: 'test' },
    model: { type: 'string', default: DEFAULT_MODEL_DIR },
    out: { type: 'string' },
  },
});

const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);
const model = await loadMelodyModel(args.model);
const split = args.split === 'valid' ? 'valid' : 'test';
const report = await evaluate({
  model,
  train: loadSplit('train'),
  heldOut: loadSplit(split),
  heldOutName: split,
  pieces: Number(args.pieces),
  seed: Number(args.seed),
  log,
});
const out = args.out ?? args.model;
const md = `# Melody model evaluation\n\nModel ${model.version}, trained ${JSON.stringify(model.meta.training.step)} steps; ${report.pieces} generated pieces per system (16 bars, 4/4, seeded requests ${args.seed}).\n\n${reportMarkdown(report)}\n`;
writeFileSync(join(out, 'eval.json'), JSON.stringify({ model: model.version, training: model.meta.training, seed: Number(args.seed), ...report }, null, 1));
writeFileSync(join(out, 'EVAL.md'), md);
console.log(md);
if (out === DEFAULT_MODEL_DIR) {
  console.log(writeLossCurve(out));
  writeModelCard(out, DATA_DIR);
}

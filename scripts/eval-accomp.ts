/**
 * Evaluates the accompaniment model against the rule-based arranger and a first-order Markov
 * baseline (src/neural/accompEvaluate.ts). Run by `npm run eval` after the melody evaluation, or alone:
 *
 *   npx tsx scripts/eval-accomp.ts                  # 150 plans per system, 1000 bootstrap rounds
 *   npx tsx scripts/eval-accomp.ts --pieces 30      # quicker
 *
 * Needs data/accomp (npx tsx scripts/prepare-accomp.ts). Writes models/accomp/eval.json and EVAL.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { accompReportMarkdown, evaluateAccomp } from '../src/neural/accompEvaluate.ts';
import { loadAccompModel } from '../src/neural/accompModel.ts';
import { DEFAULT_ACCOMP_DIR } from '../src/neural/accompModelFiles.ts';
import { writeAccompModelCard } from '../src/neural/accompModelCard.ts';
import type { AccompPiece } from '../src/neural/accompRepresentation.ts';
import { loadMelodyModel } from '../src/neural/melodyModel.ts';

const { values: args } = parseArgs({
  options: {
    'accomp-pieces': { type: 'string', default: '150' },
    'accomp-rounds': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '2024' },
    'accomp-model': { type: 'string', default: DEFAULT_ACCOMP_DIR },
    'accomp-split': { type: 'string', default: 'test' },
    'accomp-temperature': { type: 'string' },
    'accomp-control': { type: 'string' },
    'accomp-out': { type: 'string' },
  },
  strict: false,
});

const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);
const dataDir = join(import.meta.dirname, '../data/accomp');
const load = (s: string) => JSON.parse(readFileSync(join(dataDir, `${s}.json`), 'utf8')) as AccompPiece[];
const model = await loadAccompModel(String(args['accomp-model']));
const melody = await loadMelodyModel();
const report = await evaluateAccomp({
  model,
  melody,
  train: load('train'),
  heldOut: load(args['accomp-split'] === 'valid' ? 'valid' : 'test'),
  referenceSplit: args['accomp-split'] === 'valid' ? 'valid' : 'test',
  temperature: args['accomp-temperature'] === undefined ? undefined : Number(args['accomp-temperature']),
  controlPieces: args['accomp-control'] === undefined ? undefined : Number(args['accomp-control']),
  pieces: Number(args['accomp-pieces']),
  seed: Number(args.seed),
  bootstrapRounds: Number(args['accomp-rounds']),
  log,
});
const out = String(args['accomp-model']);
const outDir = args['accomp-out'] === undefined ? out : String(args['accomp-out']);
const md = `# Accompaniment model evaluation\n\nModel ${model.version}, trained ${JSON.stringify(model.meta.training.step)} steps (validation loss ${Number(model.meta.training.valLoss).toFixed(3)} nats/step).\n\n${accompReportMarkdown(report)}\n`;
writeFileSync(join(outDir, 'eval.json'), JSON.stringify({ model: model.version, training: { ...model.meta.training, history: undefined }, seed: Number(args.seed), ...report }, null, 1));
writeFileSync(join(outDir, 'EVAL.md'), md);
console.log(md);
if (outDir === DEFAULT_ACCOMP_DIR) {
  writeAccompModelCard(out, dataDir, accompReportMarkdown(report));
  console.log(`wrote ${join(out, 'MODEL_CARD.md')}`);
}

/**
 * Evaluates the melody model against the rule-based generator and a first-order Markov baseline,
 * then the accompaniment model (scripts/eval-accomp.ts) unless --only melody.
 *
 *   npm run eval                       # 200 pieces per system, NLL on the test split
 *   npm run eval -- --pieces 20        # quicker
 *   npm run eval -- --only accomp      # the accompaniment model only
 *
 * Needs data/melody (npm run prepare-data) and data/accomp (npx tsx scripts/prepare-accomp.ts: its
 * pieces keep whole key segments, the same-shape melody reference). Writes models/melody/eval.json
 * and EVAL.md (and models/accomp's).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSplit } from '../src/neural/dataset.ts';
import { MELODY_EVAL_BARS, evaluate, realMelodyExcerpts, reportMarkdown } from '../src/neural/evaluate.ts';
import type { AccompPiece } from '../src/neural/accompRepresentation.ts';
import { readFileSync } from 'node:fs';
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
    only: { type: 'string' },
    rounds: { type: 'string', default: '1000' },
  },
  strict: false,
});
if (args.only !== undefined && args.only !== 'melody' && args.only !== 'accomp') throw new Error(`--only must be "melody" or "accomp", not "${String(args.only)}"`);
if (args.only === 'accomp') {
  await import('./eval-accomp.ts');
  process.exit(0);
}

const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);
const model = await loadMelodyModel(String(args.model));
const split = args.split === 'valid' ? 'valid' : 'test';
const accompPieces = JSON.parse(readFileSync(join(import.meta.dirname, `../data/accomp/${split}.json`), 'utf8')) as AccompPiece[];
const grids = realMelodyExcerpts(accompPieces);
const report = await evaluate({
  model,
  train: loadSplit('train'),
  heldOut: loadSplit(split),
  heldOutName: split,
  pieces: Number(args.pieces),
  seed: Number(args.seed),
  reference: { grids, name: `${grids.length} POP909 ${split} excerpts of ${MELODY_EVAL_BARS} bars from each key segment's first melody bar (rests and gaps kept, as in the generated pieces)` },
  bootstrapRounds: Number(args.rounds),
  log,
});
const out = String(args.out ?? args.model);
const md = `# Melody model evaluation\n\nModel ${model.version}, trained ${JSON.stringify(model.meta.training.step)} steps; ${report.pieces} generated pieces per system (${MELODY_EVAL_BARS} bars, 4/4, seeded requests ${args.seed}).\n\n${reportMarkdown(report)}\n`;
writeFileSync(join(out, 'eval.json'), JSON.stringify({ model: model.version, training: model.meta.training, seed: Number(args.seed), ...report }, null, 1));
writeFileSync(join(out, 'EVAL.md'), md);
console.log(md);
if (out === DEFAULT_MODEL_DIR) {
  console.log(writeLossCurve(out));
  writeModelCard(out, DATA_DIR);
}
if (args.only !== 'melody') await import('./eval-accomp.ts');

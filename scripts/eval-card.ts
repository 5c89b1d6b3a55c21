/**
 * Re-renders models/melody/MODEL_CARD.md (and splits.json) from the artefacts in models/melody and
 * data/melody/stats.json. `npm run eval` calls the same renderer at its end.
 *
 *   npx tsx scripts/eval-card.ts
 */
import { DATA_DIR } from '../src/neural/dataset.ts';
import { writeModelCard } from '../src/neural/modelCard.ts';
import { DEFAULT_MODEL_DIR } from '../src/neural/modelFiles.ts';

writeModelCard(DEFAULT_MODEL_DIR, DATA_DIR);
console.log(`wrote ${DEFAULT_MODEL_DIR}/MODEL_CARD.md`);

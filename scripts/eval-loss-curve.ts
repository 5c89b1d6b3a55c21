/**
 * Draws models/melody/loss.png (+ loss.json) from the checkpoint's training history.
 *
 *   npx tsx scripts/eval-loss-curve.ts [model dir]
 */
import { writeLossCurve } from '../src/neural/lossCurve.ts';
import { DEFAULT_MODEL_DIR } from '../src/neural/modelFiles.ts';

console.log(writeLossCurve(process.argv[2] ?? DEFAULT_MODEL_DIR));

/**
 * 🎲 Variation: the same request with a new random seed, composed as a new reply (through
 * submitCompose, so server settings and queue limits apply as for /compose).
 */
import { randomInt } from 'node:crypto';
import { LIMITS } from '../../core/request.ts';
import { submitCompose } from '../submit.ts';
import { registerComponent } from './index.ts';
import { loadSource, tell, TOO_OLD } from './source.ts';

registerComponent('var', async (interaction, ctx, resultId) => {
  const source = await loadSource(interaction, ctx, resultId, { keep: false });
  if (!source) return tell(interaction, TOO_OLD);
  let seed = randomInt(LIMITS.seed.min, LIMITS.seed.max);
  if (seed === source.request.seed) seed = (seed + 1) % LIMITS.seed.max;
  await submitCompose(interaction, ctx, {
    request: { ...source.request, seed },
    understood: [],
    format: source.render.format,
    soundfont: source.render.soundfont,
  });
});

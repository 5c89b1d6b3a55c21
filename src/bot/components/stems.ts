/**
 * 🎚️ Stems: every track of the piece rendered on its own (src/stems.ts) by a worker, posted as
 * one zip in a new public reply, with the usual progress edits. The same server rules as for
 * composing apply (allowed channels, longest piece, cooldown): stems cost a render per track.
 */
import { formatLength } from '../../midi/transform.ts';
import { checkServerRules, deliveryFor, enqueueFor } from '../submit.ts';
import { registerComponent } from './index.ts';
import { loadSource, tell, TOO_OLD } from './source.ts';

registerComponent('stems', async (interaction, ctx, resultId) => {
  // keep: a source rebuilt from the posted MIDI is stored, so the worker finds it.
  const source = await loadSource(interaction, ctx, resultId, { keep: true });
  if (!source) return tell(interaction, TOO_OLD);
  const settings = await checkServerRules(interaction, ctx, source.summary.durationSec, (max) => `This server allows pieces up to ${max} s; this one lasts ${Math.round(source.summary.durationSec)} s.`);
  if (!settings) return;
  await enqueueFor(
    interaction,
    ctx,
    {
      kind: 'stems',
      requestId: interaction.id,
      request: source.request,
      render: source.render,
      delivery: deliveryFor(interaction),
      understood: [],
      enqueuedAt: Date.now(),
      source: { resultId },
    },
    `stems of “${source.summary.title}” (${formatLength(source.summary.durationSec)})`,
    { kind: 'stems', source: resultId },
  );
});

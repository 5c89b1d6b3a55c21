/**
 * Queue a re-render or an extension for a button press, with the same server settings as
 * /compose (allowed channels, longest piece, cooldown; see src/bot/submit.ts), then a public
 * deferred reply that the usual progress edits and delivery fill in.
 */
import type { CompositionRequest } from '../../core/request.ts';
import type { ComposeJobInput, RenderSpec, Transform } from '../../queue/jobs.ts';
import type { BotContext } from '../context.ts';
import { checkServerRules, deliveryFor, enqueueFor } from '../submit.ts';
import type { ComponentInteraction } from './index.ts';

export type DerivedJob =
  | { kind: 'rerender'; sourceId: string; transform: Transform; request: CompositionRequest; render: RenderSpec; what: string }
  | { kind: 'extend'; sourceId: string; request: CompositionRequest; render: RenderSpec; what: string };

/** Returns the job id, or null when refused (the user has been told why). */
export async function submitDerived(interaction: ComponentInteraction, ctx: BotContext, job: DerivedJob): Promise<string | null> {
  const settings = await checkServerRules(interaction, ctx, job.request.durationSec, (max) => `This server allows pieces up to ${max} s; that would make ${Math.round(job.request.durationSec)} s. Pick a shorter option.`);
  if (!settings) return null;
  const common = { requestId: interaction.id, request: job.request, render: job.render, delivery: deliveryFor(interaction), understood: [], enqueuedAt: Date.now(), source: { resultId: job.sourceId } };
  const input: ComposeJobInput = job.kind === 'rerender' ? { ...common, kind: 'rerender', transform: job.transform } : { ...common, kind: 'extend' };
  return enqueueFor(interaction, ctx, input, job.what, { kind: job.kind, source: job.sourceId });
}

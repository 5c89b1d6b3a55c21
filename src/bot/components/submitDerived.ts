/**
 * Queue a re-render or an extension for a button press, with the same server settings as
 * /compose (allowed channels, longest piece, cooldown; see src/bot/submit.ts), then a public
 * deferred reply that the usual progress edits and delivery fill in.
 */
import { MessageFlags } from 'discord.js';
import type { CompositionRequest } from '../../core/request.ts';
import type { Delivery, RenderSpec, Transform } from '../../queue/jobs.ts';
import { QueueRejection } from '../../queue/producer.ts';
import type { BotContext } from '../context.ts';
import type { ComponentInteraction } from './index.ts';
import { uploadLimitOf } from './source.ts';

export type DerivedJob =
  | { kind: 'rerender'; sourceId: string; transform: Transform; request: CompositionRequest; render: RenderSpec; what: string }
  | { kind: 'extend'; sourceId: string; request: CompositionRequest; render: RenderSpec; what: string };

async function refuse(interaction: ComponentInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) {
    await interaction.deleteReply().catch(() => {});
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }
}

/** Returns the job id, or null when refused (the user has been told why). */
export async function submitDerived(interaction: ComponentInteraction, ctx: BotContext, job: DerivedJob): Promise<string | null> {
  const settings = await ctx.settings.get(interaction.guildId);
  if (settings.allowedChannelIds.length && !settings.allowedChannelIds.includes(interaction.channelId)) {
    await refuse(interaction, `I only compose in ${settings.allowedChannelIds.map((id) => `<#${id}>`).join(', ')} on this server (a server setting). Try one of those channels.`);
    return null;
  }
  if (job.request.durationSec > settings.maxDurationSec) {
    await refuse(interaction, `This server allows pieces up to ${settings.maxDurationSec} s; that would make ${Math.round(job.request.durationSec)} s. Pick a shorter option.`);
    return null;
  }
  const left = await ctx.settings.takeCooldown(interaction.guildId, interaction.user.id, settings.cooldownSec);
  if (left > 0) {
    await refuse(interaction, `Easy there! You can compose again in ${left} s (this server's cooldown is ${settings.cooldownSec} s).`);
    return null;
  }

  if (!interaction.deferred && !interaction.replied) await interaction.deferReply();
  const delivery: Delivery = {
    applicationId: interaction.applicationId,
    interactionToken: interaction.token,
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    userId: interaction.user.id,
    interactionAt: interaction.createdTimestamp,
    uploadLimitBytes: uploadLimitOf(interaction),
  };
  const requestId = interaction.id;
  const common = { requestId, request: job.request, render: job.render, delivery, understood: [], enqueuedAt: Date.now(), source: { resultId: job.sourceId } };
  try {
    const result = await ctx.producer.submit(job.kind === 'rerender' ? { ...common, kind: 'rerender', transform: job.transform } : { ...common, kind: 'extend' });
    ctx.progress.track(result.jobId, delivery, job.what, result.status === 'queued' ? result.position : 0);
    ctx.logger.info({ requestId, kind: job.kind, source: job.sourceId, status: result.status, user: interaction.user.id, guild: interaction.guildId }, 'derived piece queued');
    return result.jobId;
  } catch (error) {
    if (error instanceof QueueRejection) {
      await ctx.settings.clearCooldown(interaction.guildId, interaction.user.id);
      await refuse(interaction, error.message);
      return null;
    }
    throw error;
  }
}

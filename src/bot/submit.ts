/**
 * Queue a composition for an interaction (a slash command or a button): server settings first
 * (allowed channels, longest piece, cooldown), then defer, enqueue, and show the queue position.
 * Every refusal is an ephemeral message saying what to do.
 */
import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type StringSelectMenuInteraction } from 'discord.js';
import type { AudioFormat, CompositionRequest } from '../core/request.ts';
import type { Delivery } from '../queue/jobs.ts';
import { QueueRejection } from '../queue/producer.ts';
import type { BotContext } from './context.ts';

export type RepliableInteraction = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction;

export interface SubmitOptions {
  request: CompositionRequest;
  understood: string[];
  format?: AudioFormat;
  soundfont?: string;
}

async function refuse(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) {
    await interaction.deleteReply().catch(() => {});
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }
}

/** Returns the job id, or null when the request was refused (the user has been told why). */
export async function submitCompose(interaction: RepliableInteraction, ctx: BotContext, opts: SubmitOptions): Promise<string | null> {
  const settings = await ctx.settings.get(interaction.guildId);
  if (settings.allowedChannelIds.length && !settings.allowedChannelIds.includes(interaction.channelId)) {
    await refuse(interaction, `I only compose in ${settings.allowedChannelIds.map((id) => `<#${id}>`).join(', ')} on this server (a server setting). Try one of those channels.`);
    return null;
  }
  if (opts.request.durationSec > settings.maxDurationSec) {
    await refuse(interaction, `This server allows pieces up to ${settings.maxDurationSec} s; you asked for ${opts.request.durationSec} s. Try duration:${settings.maxDurationSec}.`);
    return null;
  }
  const left = await ctx.settings.takeCooldown(interaction.guildId, interaction.user.id, settings.cooldownSec);
  if (left > 0) {
    await refuse(interaction, `Easy there! You can compose again in ${left} s (this server's cooldown is ${settings.cooldownSec} s).`);
    return null;
  }

  await interaction.deferReply();
  const delivery: Delivery = {
    applicationId: interaction.applicationId,
    interactionToken: interaction.token,
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    userId: interaction.user.id,
    interactionAt: interaction.createdTimestamp,
    // Discord states the upload limit that applies to this interaction (boosts included).
    ...(interaction.attachmentSizeLimit ? { uploadLimitBytes: interaction.attachmentSizeLimit } : {}),
  };
  const requestId = interaction.id;
  try {
    const result = await ctx.producer.submit({
      requestId,
      request: opts.request,
      render: { format: opts.format ?? settings.defaultFormat, soundfont: opts.soundfont },
      delivery,
      understood: opts.understood,
      enqueuedAt: Date.now(),
    });
    const what = `${opts.request.style} · ${opts.request.mood} · ${opts.request.durationSec} s · seed ${opts.request.seed}`;
    ctx.progress.track(result.jobId, delivery, what, result.status === 'queued' ? result.position : 0);
    ctx.logger.info({ requestId, status: result.status, user: interaction.user.id, guild: interaction.guildId }, 'composition queued');
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

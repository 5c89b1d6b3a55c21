/**
 * Queue a composition for an interaction (a slash command or a button): server settings first
 * (allowed channels, longest piece, cooldown), then defer, enqueue, and show the queue position.
 * Every refusal is an ephemeral message saying what to do.
 */
import { ApplicationIntegrationType, InteractionContextType, MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type MessageContextMenuCommandInteraction, type StringSelectMenuInteraction } from 'discord.js';
import { buildRequest, type BuiltRequest } from '../core/buildRequest.ts';
import { notUnderstood } from '../core/notUnderstood.ts';
import { RequestError, type AudioFormat, type CompositionRequest, type RequestInput } from '../core/request.ts';
import { notUnderstoodMessage, problemsMessage } from './messages.ts';
import type { ComposeJobInput, Delivery } from '../queue/jobs.ts';
import { uploadLimitOf } from './components/source.ts';
import { QueueRejection } from '../queue/producer.ts';
import type { BotContext } from './context.ts';

export type RepliableInteraction = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | MessageContextMenuCommandInteraction;

export interface SubmitOptions {
  request: CompositionRequest;
  understood: string[];
  /** Prompt words not used, listed under the result. */
  ignored?: string[];
  format?: AudioFormat;
  soundfont?: string;
}

/** An ephemeral refusal, whether or not the interaction was already deferred. */
export async function refuse(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) {
    await interaction.deleteReply().catch(() => {});
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }
}

/**
 * The server's rules for anything that composes: allowed channels, longest piece, cooldown.
 * Returns the settings, or null when refused (the member has been told why).
 */
export async function checkServerRules(interaction: RepliableInteraction, ctx: BotContext, durationSec: number, tooLong: (max: number) => string) {
  const checked = await serverRules(ctx, { guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id }, durationSec, tooLong);
  if (!checked.ok) {
    await refuse(interaction, checked.refusal);
    return null;
  }
  return checked.settings;
}

/**
 * The same rules for any request, however it came (a command, a button, a mention, a reply):
 * the settings, or why not. `reason` tells a flood (the cooldown) from a request that cannot work here.
 */
export type RulesResult =
  | { ok: true; settings: Awaited<ReturnType<BotContext['settings']['get']>> }
  | { ok: false; refusal: string; reason: 'channel' | 'length' | 'cooldown' };

export async function serverRules(ctx: BotContext, where: { guildId: string | null; channelId: string; userId: string }, durationSec: number, tooLong: (max: number) => string): Promise<RulesResult> {
  const settings = await ctx.settings.get(where.guildId);
  if (settings.allowedChannelIds.length && !settings.allowedChannelIds.includes(where.channelId)) {
    return { ok: false, refusal: `I only compose in ${settings.allowedChannelIds.map((id) => `<#${id}>`).join(', ')} on this server (a server setting). Try one of those channels.`, reason: 'channel' };
  }
  if (durationSec > settings.maxDurationSec) return { ok: false, refusal: tooLong(settings.maxDurationSec), reason: 'length' };
  const left = await ctx.settings.takeCooldown(where.guildId, where.userId, settings.cooldownSec);
  if (left > 0) return { ok: false, refusal: `Easy there! You can compose again in ${left} s (this server's cooldown is ${settings.cooldownSec} s).`, reason: 'cooldown' };
  return { ok: true, settings };
}

/**
 * Whether the bot itself may post where the interaction happened: its DM, or a server that added
 * it; not a group DM, nor a server where only the member installed the app.
 */
export function botCanPostIn(interaction: RepliableInteraction): boolean {
  if (interaction.context === InteractionContextType.PrivateChannel) return false;
  if (interaction.guildId) return interaction.authorizingIntegrationOwners[ApplicationIntegrationType.GuildInstall] !== undefined;
  return true;
}

/** Where the result of this interaction goes: its reply, edited through the interaction token. */
export function deliveryFor(interaction: RepliableInteraction): Delivery {
  return {
    applicationId: interaction.applicationId,
    interactionToken: interaction.token,
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    userId: interaction.user.id,
    interactionAt: interaction.createdTimestamp,
    // Discord states the upload limit that applies to this interaction (boosts included).
    uploadLimitBytes: uploadLimitOf(interaction),
    botCanPost: botCanPostIn(interaction),
  };
}

/**
 * Defer publicly, enqueue, and start the progress edits. Returns the job id, or null when a
 * queue limit refused it (the member has been told why and their cooldown is given back).
 */
export async function enqueueFor(interaction: RepliableInteraction, ctx: BotContext, job: ComposeJobInput, what: string, log: Record<string, unknown> = {}): Promise<string | null> {
  // Written before the deferral: if this process dies before the queue has the job, another
  // shard's sweep queues it (intents.ts), so an accepted request is never lost.
  await ctx.intents.record(job);
  try {
    if (!interaction.deferred && !interaction.replied) await interaction.deferReply();
    const result = await ctx.producer.submit(job);
    // A cached result is already on its way (its delivery job was queued by submit): no progress
    // edits for it, which would only hold the result back behind the edit throttle, and could
    // even land after it.
    if (result.status !== 'cached') ctx.progress.track(result.jobId, job.delivery!, what, result.status === 'queued' ? result.position : 0);
    ctx.logger.info({ requestId: job.requestId, status: result.status, user: interaction.user.id, guild: interaction.guildId, ...log }, 'job queued');
    return result.jobId;
  } catch (error) {
    if (error instanceof QueueRejection) {
      await ctx.settings.clearCooldown(interaction.guildId, interaction.user.id);
      await refuse(interaction, error.message);
      return null;
    }
    throw error;
  } finally {
    await ctx.intents.clear(job.requestId).catch((error: Error) => ctx.logger.warn({ requestId: job.requestId, err: error.message }, 'could not clear the request from the intent journal; a sweep will find it queued'));
  }
}

/** Returns the job id, or null when the request was refused (the user has been told why). */
export async function submitCompose(interaction: RepliableInteraction, ctx: BotContext, opts: SubmitOptions): Promise<string | null> {
  const settings = await checkServerRules(interaction, ctx, opts.request.durationSec, (max) => `This server allows pieces up to ${max} s; you asked for ${opts.request.durationSec} s. Try duration:${max}.`);
  if (!settings) return null;
  const job: ComposeJobInput = {
    requestId: interaction.id,
    request: opts.request,
    render: { format: opts.format ?? settings.defaultFormat, soundfont: opts.soundfont },
    delivery: deliveryFor(interaction),
    understood: opts.understood,
    ignored: opts.ignored ?? [],
    enqueuedAt: Date.now(),
  };
  const what = `${opts.request.style} · ${opts.request.mood} · ${opts.request.durationSec} s · seed ${opts.request.seed}`;
  return enqueueFor(interaction, ctx, job, what);
}

/**
 * The request for a prompt (and options), or null after one ephemeral reply that says what was wrong
 * or that nothing was understood: /compose and "Compose from this message" alike.
 */
export async function requestOrExplain(interaction: RepliableInteraction, input: RequestInput): Promise<BuiltRequest | null> {
  let built: BuiltRequest;
  try {
    built = buildRequest(input);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    await interaction.reply({ content: problemsMessage(error.problems), flags: MessageFlags.Ephemeral });
    return null;
  }
  const unknown = notUnderstood(input, built);
  if (unknown) {
    await interaction.reply({ content: notUnderstoodMessage(unknown), flags: MessageFlags.Ephemeral });
    return null;
  }
  return built;
}

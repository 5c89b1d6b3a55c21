/**
 * /kit — a streamer kit: intro, outro, "be right back" loop, "starting soon" loop and a stinger,
 * in one key, tempo and sound, sharing one theme (src/core/kit.ts). Every option is checked before
 * anything is queued; the parts are one BullMQ flow (src/queue/kitFlow.ts) rendered in parallel by
 * the workers; the reply shows each part's progress and is edited once into the finished zip.
 */
import { MessageFlags, SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { buildRequest } from '../src/core/buildRequest.ts';
import { KIT_LENGTHS, KitRequestSchema } from '../src/core/kit.ts';
import { FORMATS, LIMITS, RequestError, type AudioFormat } from '../src/core/request.ts';
import { moodChoices, styleChoices } from '../src/bot/choices.ts';
import type { BotContext } from '../src/bot/context.ts';
import { problemsMessage } from '../src/bot/messages.ts';
import { checkServerRules, deliveryFor, refuse } from '../src/bot/submit.ts';
import { submitKitFlow } from '../src/queue/kitFlow.ts';
import { QueueRejection } from '../src/queue/producer.ts';

export const data = new SlashCommandBuilder()
  .setName('kit')
  .setDescription('A streamer kit: intro, outro, BRB and starting-soon loops, and a stinger that belong together')
  .addStringOption((o) => o.setName('name').setDescription('Your stream or kit name, e.g. "Late Night Lofi"').setRequired(true).setMaxLength(60))
  .addStringOption((o) => o.setName('style').setDescription('Style, e.g. lofi, synthwave, chiptune').setAutocomplete(true))
  .addStringOption((o) => o.setName('mood').setDescription('Mood, e.g. calm, energetic, happy').setAutocomplete(true))
  .addIntegerOption((o) => o.setName('seed').setDescription('Repeat an earlier kit exactly').setMinValue(LIMITS.seed.min).setMaxValue(LIMITS.seed.max))
  .addStringOption((o) => o.setName('format').setDescription('Audio format (default: the server setting, Ogg Opus)').addChoices(...FORMATS.map((f) => ({ name: f, value: f }))))
  .addIntegerOption((o) => o.setName('intro').setDescription(`Intro length in seconds (${KIT_LENGTHS.intro.min}–${KIT_LENGTHS.intro.max}, default ${KIT_LENGTHS.intro.default})`).setMinValue(KIT_LENGTHS.intro.min).setMaxValue(KIT_LENGTHS.intro.max))
  .addIntegerOption((o) => o.setName('outro').setDescription(`Outro length in seconds (${KIT_LENGTHS.outro.min}–${KIT_LENGTHS.outro.max}, default ${KIT_LENGTHS.outro.default})`).setMinValue(KIT_LENGTHS.outro.min).setMaxValue(KIT_LENGTHS.outro.max))
  .addIntegerOption((o) => o.setName('brb').setDescription(`"Be right back" loop length in seconds (${KIT_LENGTHS.brb.min}–${KIT_LENGTHS.brb.max}, default ${KIT_LENGTHS.brb.default})`).setMinValue(KIT_LENGTHS.brb.min).setMaxValue(KIT_LENGTHS.brb.max))
  .addIntegerOption((o) => o.setName('starting').setDescription(`"Starting soon" loop length in seconds (${KIT_LENGTHS.starting.min}–${KIT_LENGTHS.starting.max}, default ${KIT_LENGTHS.starting.default})`).setMinValue(KIT_LENGTHS.starting.min).setMaxValue(KIT_LENGTHS.starting.max))
  .addIntegerOption((o) => o.setName('stinger').setDescription(`Stinger length in seconds (${KIT_LENGTHS.stinger.min}–${KIT_LENGTHS.stinger.max}, default ${KIT_LENGTHS.stinger.default})`).setMinValue(KIT_LENGTHS.stinger.min).setMaxValue(KIT_LENGTHS.stinger.max));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const o = interaction.options;
  let built;
  try {
    // The same checks (and friendly suggestions) as /compose for style, mood and seed.
    built = buildRequest({ style: o.getString('style') ?? undefined, mood: o.getString('mood') ?? undefined, seed: o.getInteger('seed') ?? undefined });
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    await interaction.reply({ content: problemsMessage(error.problems), flags: MessageFlags.Ephemeral });
    return;
  }
  const lengths = { ...Object.fromEntries((['intro', 'outro', 'brb', 'starting', 'stinger'] as const).flatMap((p) => (o.getInteger(p) === null ? [] : [[p, o.getInteger(p)]]))) };
  const kit = KitRequestSchema.safeParse({ name: o.getString('name', true), style: built.request.style, mood: built.request.mood, seed: built.request.seed, lengths: { ...defaults(), ...lengths } });
  if (!kit.success) {
    await interaction.reply({ content: `I can't make that kit: ${kit.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`, flags: MessageFlags.Ephemeral });
    return;
  }
  const longest = Math.max(...Object.values(kit.data.lengths));
  const settings = await checkServerRules(interaction, ctx, longest, (max) => `A kit's "starting soon" loop lasts ${longest} s, and this server allows pieces up to ${max} s, so I can't make a kit here.`);
  if (!settings) return;
  try {
    await ctx.producer.admit(interaction.user.id, interaction.guildId);
  } catch (error) {
    if (!(error instanceof QueueRejection)) throw error;
    await ctx.settings.clearCooldown(interaction.guildId, interaction.user.id);
    await refuse(interaction, error.message);
    return;
  }
  await interaction.deferReply();
  const delivery = deliveryFor(interaction);
  try {
    const format = (o.getString('format') ?? settings.defaultFormat) as AudioFormat;
    const { jobId, children } = await submitKitFlow(ctx.redis, { requestId: interaction.id, kit: kit.data, render: { format }, delivery }, { attempts: ctx.config.JOB_ATTEMPTS, backoffMs: ctx.config.JOB_BACKOFF_MS });
    ctx.progress.trackKit(jobId, delivery, kit.data.name, children);
    ctx.logger.info({ requestId: interaction.id, user: interaction.user.id, guild: interaction.guildId, kind: 'kit' }, 'kit queued');
  } catch (error) {
    await ctx.settings.clearCooldown(interaction.guildId, interaction.user.id);
    await refuse(interaction, 'I could not queue the kit just now. Try again in a moment.');
    throw error;
  }
}

function defaults() {
  return { intro: KIT_LENGTHS.intro.default, outro: KIT_LENGTHS.outro.default, brb: KIT_LENGTHS.brb.default, starting: KIT_LENGTHS.starting.default, stinger: KIT_LENGTHS.stinger.default };
}

export async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
  const focused = interaction.options.getFocused(true);
  await interaction.respond(focused.name === 'style' ? styleChoices(focused.value) : focused.name === 'mood' ? moodChoices(focused.value) : []);
}

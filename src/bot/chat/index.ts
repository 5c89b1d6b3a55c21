/**
 * Talking to Tunesmith: a message that mentions the bot, or any DM to it, is a prompt (composed
 * as /compose would, the result posted as a reply that progress edits fill in); a reply to a
 * result (or a mention in a thread started from one) is an edit of that piece (src/core/edit.ts →
 * src/bot/chat/editPlan.ts → a compose, re-render or extend job).
 *
 * Discord delivers the content of exactly these messages without the privileged Message Content
 * intent: DMs, messages that mention the bot (a reply pings its author unless the writer turns
 * that off) and the bot's own. Everything else arrives with empty content and is ignored here.
 *
 * Never answers a bot (itself included), a webhook or a system message. Requests count against
 * the same cooldown and queue limits as /compose; a flood gets one short notice, not one per message.
 */
import { randomInt } from 'node:crypto';
import { Events, type Client, type Message } from 'discord.js';
import { buildRequest } from '../../core/buildRequest.ts';
import { StyleCatalog } from '../../core/catalog/index.ts';
import { editWords, isEmptyEdit, parseEdit, type EditChange } from '../../core/edit.ts';
import { listWords, notUnderstood } from '../../core/notUnderstood.ts';
import { RequestError } from '../../core/request.ts';
import { closest } from '../../core/suggest.ts';
import { midiToScore, SourceMidiError } from '../../midi/transformSource.ts';
import { ComposeJobSchema, resultIdFor, type ComposeJobInput, type Delivery } from '../../queue/jobs.ts';
import { QueueRejection } from '../../queue/producer.ts';
import type { PieceSource } from '../../queue/resultStore.ts';
import { midiFromMessage, sourceFromMidi } from '../components/source.ts';
import type { BotContext } from '../context.ts';
import { CHAT } from '../locales.ts';
import { notUnderstoodMessage, problemsMessage, progressContent } from '../messages.ts';
import { serverRules, type RulesResult } from '../submit.ts';
import { editNote, planEdit } from './editPlan.ts';
import { ChatState } from './state.ts';
import { targetOf, type Target } from './target.ts';
import { stripDiscordMarkup } from './text.ts';

const EXAMPLE_STYLES = ['lofi', 'cinematic', 'funk'];

export function attachChat(client: Client, ctx: BotContext): ChatState {
  const state = new ChatState(ctx.redis, ctx.config.RESULT_TTL_SEC);
  client.on(Events.MessageCreate, (message) => {
    onMessage(message, ctx, state).catch((error: unknown) => {
      ctx.logger.error({ requestId: message.id, err: error instanceof Error ? error.stack : String(error) }, 'message handling failed');
    });
  });
  return state;
}

/** True when the message is for the bot: a DM, or a mention, from a person. */
export function isAddressed(message: Pick<Message, 'author' | 'webhookId' | 'system' | 'mentions'> & { inGuild(): boolean }, botId: string): boolean {
  if (message.author.bot || message.author.id === botId || message.webhookId || message.system) return false;
  return !message.inGuild() || message.mentions.users.has(botId);
}

async function say(message: Message, content: string): Promise<Message> {
  return message.reply({ content: content.slice(0, 1900), allowedMentions: { repliedUser: false, parse: [] } });
}

async function onMessage(message: Message, ctx: BotContext, state: ChatState): Promise<void> {
  const me = ctx.client.user?.id;
  if (!me || !isAddressed(message, me)) return;
  const log = ctx.logger.child({ requestId: message.id, user: message.author.id, guild: message.guildId });
  if (!(await state.allowMessage(message.author.id, ctx.config.USER_REQUESTS_PER_MINUTE * 2))) {
    log.info('chat flood: message ignored');
    if (await state.firstNotice(message.author.id, 60)) await say(message, CHAT.flood(60));
    return;
  }
  const text = stripDiscordMarkup(message.content);
  const target = await targetOf(message, me);
  log.info({ kind: target ? 'edit' : 'compose', dm: !message.inGuild() }, 'message');
  if (target) await onEdit(message, text, target, ctx, state);
  else await onCompose(message, text, ctx, state);
}

function examples(): string {
  return EXAMPLE_STYLES.map((id) => `• \`${StyleCatalog.style(id).examplePrompt}\``).join('\n');
}

async function onCompose(message: Message, text: string, ctx: BotContext, state: ChatState): Promise<void> {
  if (!text) {
    await say(message, `${CHAT.emptyPrompt} ${CHAT.examplesIntro}\n${examples()}`);
    return;
  }
  const input = { prompt: text };
  let built;
  try {
    built = buildRequest(input);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    await say(message, problemsMessage(error.problems));
    return;
  }
  const unknown = notUnderstood(input, built);
  if (unknown) {
    await say(message, notUnderstoodMessage(unknown));
    return;
  }
  const r = built.request;
  const rules = await serverRules(ctx, where(message), r.durationSec, (max) => CHAT.tooLong(max, r.durationSec));
  if (!rules.ok) return refuseInChat(message, rules, state);
  await enqueueFromMessage(message, ctx, state, {
    kind: 'compose',
    delivery: null,
    requestId: message.id,
    request: r,
    render: { format: rules.settings.defaultFormat },
    understood: built.understood,
    ignored: built.ignored,
    enqueuedAt: Date.now(),
  }, `${r.style} · ${r.mood} · ${r.durationSec} s · seed ${r.seed}`);
}

function where(message: Message) {
  return { guildId: message.guildId, channelId: message.channelId, userId: message.author.id };
}

/** Refusals that come from asking too often get one notice per window; others are always said. */
async function refuseInChat(message: Message, rules: Extract<RulesResult, { ok: false }>, state: ChatState): Promise<void> {
  if (rules.reason !== 'cooldown' || (await state.firstNotice(message.author.id, 30))) await say(message, CHAT.refused(rules.refusal));
}

/** The edit not understood: the words, edits that work, and the nearest words the bot knows. */
export function editNotUnderstoodMessage(ignored: string[]): string {
  const vocabulary = [...new Set([...editWords(), ...StyleCatalog.moods.flatMap((m) => [m.id, ...m.aliases]), ...StyleCatalog.styles.map((s) => s.id)])].filter((w) => !w.includes(' '));
  const nearest: string[] = [];
  for (const word of ignored) {
    const near = closest(word.toLowerCase(), vocabulary);
    if (near && !nearest.includes(near)) nearest.push(near);
  }
  return [
    CHAT.notUnderstoodEdit(ignored.length ? listWords(ignored) : 'that'),
    CHAT.editExamplesIntro,
    ...CHAT.editExamples.slice(0, 3).map((e) => `• \`${e}\``),
    nearest.length ? CHAT.nearest(nearest.slice(0, 3).map((w) => `**${w}**`).join(', ')) : '',
  ].filter(Boolean).join('\n');
}

/** The piece's source: stored, else rebuilt from the MIDI file on the result message (and kept). */
async function sourceFor(target: Target, ctx: BotContext): Promise<PieceSource | null> {
  const stored = await ctx.results.getSource(target.resultId);
  if (stored) return stored;
  const file = await midiFromMessage(target.message);
  if (!file) return null;
  try {
    const source = sourceFromMidi(file.data, file.audioName);
    await ctx.results.putSource(target.resultId, source);
    ctx.logger.info({ resultId: target.resultId }, 'stored result expired: rebuilt the source from the posted MIDI file');
    return source;
  } catch (error) {
    if (error instanceof SourceMidiError) return null;
    throw error;
  }
}

async function onEdit(message: Message, text: string, target: Target, ctx: BotContext, state: ChatState): Promise<void> {
  const edit = parseEdit(text);
  if (isEmptyEdit(edit)) {
    await say(message, text ? editNotUnderstoodMessage(edit.ignored) : `${CHAT.editExamplesIntro}\n${CHAT.editExamples.map((e) => `• \`${e}\``).join('\n')}`);
    return;
  }
  const source = await sourceFor(target, ctx);
  if (!source) {
    await say(message, CHAT.tooOld);
    return;
  }
  let change: EditChange = edit.change;
  if (change.repeat) {
    const conversation = await state.recall(target.resultId);
    if (!conversation) {
      await say(message, CHAT.nothingToRepeat);
      return;
    }
    change = conversation.change;
  }
  let tracks;
  try {
    tracks = midiToScore(source.midi).tracks.map((t) => ({ role: t.role, program: t.program }));
  } catch (error) {
    if (!(error instanceof SourceMidiError)) throw error;
    await say(message, CHAT.tooOld);
    return;
  }
  const settings = await ctx.settings.get(message.guildId);
  const plan = planEdit({ request: source.request, summary: source.summary, render: source.render, tracks }, change, { maxDurationSec: settings.maxDurationSec, randomSeed: () => randomInt(0, 2 ** 32) });
  if (plan.kind === 'refuse') {
    await say(message, CHAT.cannotEdit(plan.message));
    return;
  }
  const rules = await serverRules(ctx, where(message), plan.request.durationSec, (max) => CHAT.tooLong(max, Math.round(plan.request.durationSec)));
  if (!rules.ok) return refuseInChat(message, rules, state);

  const base = { requestId: message.id, request: plan.request, render: plan.render, delivery: null, understood: [], ignored: edit.ignored, enqueuedAt: Date.now() };
  const job: ComposeJobInput =
    plan.kind === 'compose'
      ? { kind: 'compose', ...base }
      : plan.kind === 'rerender'
        ? { kind: 'rerender', ...base, source: { resultId: target.resultId }, transform: plan.transform }
        : { kind: 'extend', ...base, source: { resultId: target.resultId } };
  const newResultId = resultIdFor(ComposeJobSchema.parse(job));
  await state.remember(newResultId, { change, parent: target.resultId });
  // The words not understood are listed in the result's embed (job.ignored), as for any prompt.
  const note = `✏️ ${editNote(plan)}`;
  await enqueueFromMessage(message, ctx, state, job, `${plan.kind === 'compose' ? 'composing' : plan.kind === 'rerender' ? 're-rendering' : 'extending'} “${source.summary.title}”`, note);
}

/**
 * Reply with a progress message, enqueue with that reply as the delivery, and track progress.
 * A queue limit turns the reply into one notice (or removes it when a notice was just given).
 */
async function enqueueFromMessage(message: Message, ctx: BotContext, state: ChatState, job: ComposeJobInput, what: string, note?: string): Promise<string | null> {
  const reply = await say(message, progressContent('queued', 0, { what }));
  const delivery: Delivery = {
    applicationId: ctx.config.DISCORD_APPLICATION_ID,
    channelId: message.channelId,
    guildId: message.guildId,
    userId: message.author.id,
    interactionAt: Date.now(),
    replyMessageId: reply.id,
    ...(note ? { note } : {}),
  };
  try {
    const result = await ctx.producer.submit({ ...job, delivery });
    if (result.status !== 'cached') ctx.progress.track(result.jobId, delivery, what, result.status === 'queued' ? result.position : 0);
    ctx.logger.info({ requestId: job.requestId, status: result.status, kind: job.kind ?? 'compose', user: message.author.id, guild: message.guildId }, 'job queued (message)');
    return result.jobId;
  } catch (error) {
    if (!(error instanceof QueueRejection)) {
      await reply.edit({ content: CHAT.failed }).catch(() => {});
      throw error;
    }
    await ctx.settings.clearCooldown(message.guildId, message.author.id);
    if (await state.firstNotice(message.author.id, Math.max(5, error.retryAfterSec))) await reply.edit({ content: CHAT.refused(error.message) });
    else await reply.delete().catch(() => {});
    return null;
  }
}

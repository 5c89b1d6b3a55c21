/**
 * The bot's DeliverFn: turns a finished (or failed) job into the final reply. Edits the deferred
 * reply while the interaction token lives; after 15 minutes posts in the channel instead.
 * An edit is idempotent, so a redelivery after a crash shows the same single message.
 *
 * Upload limits: a delivery must never fail because a file is too big. The bot learns the limit
 * from the interaction (Discord's attachment_size_limit, carried in the job's delivery) or else
 * from the server's boost tier (GET /guilds/:id, cached). The whole message is kept under it
 * (Discord documents the limit per file; staying under it for all files together is safe either
 * way): the audio is re-encoded smaller (lower bitrate, or MP3 instead of WAV), then the piano
 * roll is left out, then the audio — each step said in the message. If Discord still answers
 * 413 / 40005 (the limit changed, or the guess was wrong) the bot assumes half the size it sent
 * and tries again; the last resort is the embed with no files at all.
 */
import type { Job } from 'bullmq';
import { AttachmentBuilder, Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { DeliveryOutcome } from '../queue/deliveryWorker.ts';
import type { DeliverJob, Delivery } from '../queue/jobs.ts';
import type { StoredBundle, StoredPiece } from '../queue/resultStore.ts';
import { DEFAULT_UPLOAD_LIMIT_BYTES, fitAudio, uploadLimitForTier, type FittedAudio } from '../render/transformFit.ts';
import { EXPIRED_ELSEWHERE, failureContent, midiFileName, resultMessage, type ResultMessageOptions } from './messages.ts';
import type { ProgressTracker } from './progress.ts';
import { editOriginal, editReplyMessage, followUp, postToChannel, postToUserDm, tokenAlive, type ReplyBody } from './webhook.ts';

/** Room for the multipart envelope and the JSON payload next to the files. */
const ENVELOPE_BYTES = 16 * 1024;
const GUILD_LIMIT_CACHE_MS = 10 * 60 * 1000;
const MAX_SIZE_RETRIES = 4;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

export function isTooLarge(error: unknown): boolean {
  const e = error as { status?: number; code?: number | string } | null;
  return !!e && (e.status === 413 || e.code === 40005);
}

/** Server upload limits by boost tier, looked up once per server every ten minutes. */
export class GuildUploadLimits {
  private readonly cache = new Map<string, { bytes: number; at: number }>();
  constructor(private readonly rest: REST) {}

  async get(guildId: string | null): Promise<number> {
    if (!guildId) return DEFAULT_UPLOAD_LIMIT_BYTES;
    const hit = this.cache.get(guildId);
    if (hit && Date.now() - hit.at < GUILD_LIMIT_CACHE_MS) return hit.bytes;
    let bytes = DEFAULT_UPLOAD_LIMIT_BYTES;
    try {
      const guild = (await this.rest.get(Routes.guild(guildId))) as { premium_tier?: number };
      bytes = uploadLimitForTier(guild.premium_tier);
    } catch {
      // Unknown: assume the smallest limit (a 413 would correct a wrong guess anyway).
    }
    this.cache.set(guildId, { bytes, at: Date.now() });
    return bytes;
  }
}

export interface FittedMessage {
  body: ReplyBody;
  /** Bytes of all files in the message. */
  bytes: number;
}

/**
 * The result message with its files kept under `limitBytes` (see the file comment for the
 * order of steps). `known` says whether the limit is Discord's own figure (it is then named).
 */
export async function fitResultMessage(
  resultId: string,
  piece: StoredPiece,
  opts: Omit<ResultMessageOptions, 'audio' | 'attachPng' | 'note'>,
  limitBytes: number,
  known = true,
): Promise<FittedMessage> {
  const budget = Math.max(0, limitBytes - ENVELOPE_BYTES);
  const s = piece.summary;
  const midi = piece.midi.length;
  const png = piece.png.length;
  const limitText = known ? ` (${formatBytes(limitBytes)})` : '';
  const build = (audio: { data: Buffer; name: string } | null, attachPng: boolean, attachMidi: boolean, note?: string): FittedMessage => ({
    body: resultMessage(resultId, piece, { ...opts, audio, attachPng, attachMidi, note }),
    bytes: (audio?.data.length ?? 0) + (attachPng ? png : 0) + (attachMidi ? midi : 0),
  });

  if (piece.audio.length + midi + png <= budget) return build({ data: piece.audio, name: s.audioFile }, true, true);

  const fitted = (f: FittedAudio) => ({ data: f.data, name: s.audioFile.replace(/\.[a-z0-9]+$/, `.${f.extension}`) });
  const how = (f: FittedAudio) => (f.format === s.format ? `a lower bitrate (${f.bitrateKbps} kbps)` : `${f.format.toUpperCase()} at ${f.bitrateKbps} kbps instead of ${s.format.toUpperCase()}`);
  const withPng = await fitAudio(piece.audio, s.format, s.durationSec, budget - midi - png);
  if (withPng) return build(fitted(withPng), true, true, `📦 The ${s.format.toUpperCase()} file would exceed this server's upload limit${limitText}, so I used ${how(withPng)}.`);
  const withoutPng = await fitAudio(piece.audio, s.format, s.durationSec, budget - midi);
  if (withoutPng) {
    return build(fitted(withoutPng), false, true, `📦 The ${s.format.toUpperCase()} file would exceed this server's upload limit${limitText}, so I used ${how(withoutPng)} and left out the piano roll.`);
  }
  const noAudio = `📦 The audio would exceed this server's upload limit${limitText} even at a low bitrate, so it is not attached. Try 🔊 Play in voice, or ask for a shorter piece.`;
  if (midi + png <= budget) return build(null, true, true, noAudio);
  if (midi <= budget) return build(null, false, true, noAudio);
  return build(null, false, false, `📦 This server's upload limit${limitText} is too small for any of the files, so none are attached.`);
}

/**
 * A zip (stems) as one attachment when it fits the upload limit; otherwise what it would have
 * held, its size, the limit, and what to do instead: the CLI's --stems, or a length that fits.
 */
export function bundleMessage(bundle: StoredBundle, limitBytes: number, known = true): ReplyBody {
  const budget = Math.max(0, limitBytes - ENVELOPE_BYTES);
  if (bundle.zip.length <= budget) return { content: bundle.info.text, files: [new AttachmentBuilder(bundle.zip, { name: bundle.info.fileName })] };
  const perSec = bundle.zip.length / Math.max(1, bundle.info.durationSec);
  const fits = Math.floor(budget / perSec);
  const limitText = known ? ` (${formatBytes(limitBytes)})` : '';
  const what = bundle.info.what || `“${bundle.info.title}”`;
  const instead = bundle.info.instead || `Make them on your own machine with \`npm run compose -- --stems\` and the same seed, or ask for a shorter piece.${fits >= 5 ? ` A piece of about ${fits} s would fit.` : ''}`;
  return {
    content: `📦 ${what} come${what.startsWith('The stems') ? '' : 's'} to ${formatBytes(bundle.zip.length)} zipped, more than this server's upload limit${limitText}, so ${what.startsWith('The stems') ? 'they are' : 'it is'} not attached. ${instead}`,
  };
}

export function createDiscordDelivery(rest: REST, progress: ProgressTracker, logger: Logger) {
  const limits = new GuildUploadLimits(rest);
  const send = (delivery: Delivery, body: ReplyBody, requestId: string) => {
    if (delivery.note) body = { ...body, content: [delivery.note, body.content].filter(Boolean).join('\n') };
    if (delivery.replyMessageId) return editReplyMessage(rest, delivery, body);
    if (tokenAlive(delivery)) return delivery.post === 'followUp' ? followUp(rest, delivery, body) : editOriginal(rest, delivery, body);
    if (delivery.botCanPost === false) {
      logger.info({ requestId }, 'interaction token expired where the bot cannot post: sending it to the member’s DM');
      return postToUserDm(rest, delivery, { ...body, content: [EXPIRED_ELSEWHERE, body.content].filter(Boolean).join('\n') });
    }
    logger.info({ requestId }, 'interaction token expired: posting in the channel instead');
    return postToChannel(rest, delivery, body);
  };

  return async (delivery: Delivery | null, outcome: DeliveryOutcome, job: Job<DeliverJob>): Promise<void> => {
    if (!delivery) return; // a job with nowhere to go (CLI, bench)
    const composeJobId = String(job.id).replace(/^deliver-/, '');
    if (outcome.outcome === 'failure') {
      await progress.finish(composeJobId);
      // A follow-up's failure is told to the member who asked, not to the channel.
      if (delivery.post === 'followUp' && tokenAlive(delivery)) await followUp(rest, delivery, { content: failureContent(outcome.message), ephemeral: true });
      else await send({ ...delivery, note: undefined }, { content: failureContent(outcome.message) }, outcome.requestId);
      return;
    }
    if (outcome.outcome === 'bundle') {
      await progress.finish(composeJobId);
      const known = delivery.uploadLimitBytes !== undefined;
      const limit = delivery.uploadLimitBytes ?? (await limits.get(delivery.guildId));
      try {
        await send(delivery, bundleMessage(outcome.bundle, limit, known), outcome.requestId);
      } catch (error) {
        if (!isTooLarge(error)) throw error;
        // Discord says it is too large after all: say so instead of the file.
        await send(delivery, bundleMessage(outcome.bundle, Math.min(limit, outcome.bundle.zip.length) - 1, false), outcome.requestId);
      }
      return;
    }
    // A cached result goes straight out (it was never tracked, so there is no reply to update).
    if (!outcome.cached) await progress.stage(composeJobId, 'uploading', 0.95);
    const resultId = job.data.outcome === 'success' ? job.data.resultId : '';
    const opts = { understood: outcome.understood, ignored: outcome.ignored, cached: outcome.cached };
    const known = delivery.uploadLimitBytes !== undefined;
    let limit = delivery.uploadLimitBytes ?? (await limits.get(delivery.guildId));
    let fitted = await fitResultMessage(resultId, outcome.piece, opts, limit, known);
    await progress.finish(composeJobId);
    for (let attempt = 0; attempt <= MAX_SIZE_RETRIES + 1; attempt++) {
      try {
        await send(delivery, fitted.body, outcome.requestId);
        if (fitted.body.files?.length !== 3) logger.info({ requestId: outcome.requestId, limit, bytes: fitted.bytes }, 'result fitted under the upload limit');
        return;
      } catch (error) {
        if (!isTooLarge(error)) throw error;
        // Discord refused the size: the limit is lower than we thought. Never give up over size.
        limit = Math.floor(Math.min(limit, fitted.bytes + ENVELOPE_BYTES) / 2);
        logger.warn({ requestId: outcome.requestId, attempt, nextLimit: limit }, 'upload too large for this server: trying smaller');
        fitted = await fitResultMessage(resultId, outcome.piece, opts, attempt < MAX_SIZE_RETRIES ? limit : 0, false);
      }
    }
    throw new Error('Discord refused even a message without files as too large');
  };
}

/**
 * The piece a button builds on. Normally it is in the result store (Redis, kept for
 * RESULT_TTL_SEC and across bot restarts). When it has expired, the message the button sits on
 * still has the piece's MIDI file, and that file carries the request, the seed and every note:
 * the bot downloads it (only from its own message, bounded in size and time), reads it back into
 * a source, and — for Extend and Re-render, whose jobs run on a worker — keeps that source in
 * the store so the worker finds it. Without either, the user is told the piece is too old.
 */
import { MessageFlags, type Message } from 'discord.js';
import { FORMATS, type AudioFormat } from '../../core/request.ts';
import { midiToScore, SourceMidiError } from '../../midi/transformSource.ts';
import { scoreSummaryFields } from '../../queue/composeWorker.ts';
import type { PieceSource } from '../../queue/resultStore.ts';
import { uploadLimitForTier } from '../../render/transformFit.ts';
import type { BotContext } from '../context.ts';
import type { ComponentInteraction } from './index.ts';

const MAX_MIDI_BYTES = 2 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 2500;

export const TOO_OLD = 'This piece is too old: I no longer have it, and its MIDI file is not on this message. Use /compose with its seed (shown in the result) to make it again.';

/** The upload limit Discord states for this interaction, else the one its server's boost tier gives. */
export function uploadLimitOf(interaction: { guild: { premiumTier?: number } | null; attachmentSizeLimit?: number }): number {
  const stated = interaction.attachmentSizeLimit;
  return typeof stated === 'number' && stated > 0 ? stated : uploadLimitForTier(interaction.guild?.premiumTier);
}

/** The MIDI file attached to a message, downloaded; null if there is none or it cannot be had. */
export async function midiFromMessage(message: Message | null | undefined): Promise<{ data: Buffer; name: string; audioName?: string } | null> {
  if (!message) return null;
  const attachments = [...message.attachments.values()];
  const mid = attachments.find((a) => a.name.toLowerCase().endsWith('.mid'));
  if (!mid || mid.size > MAX_MIDI_BYTES) return null;
  try {
    const response = await fetch(mid.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) return null;
    const data = Buffer.from(await response.arrayBuffer());
    if (data.length > MAX_MIDI_BYTES) return null;
    const audio = attachments.find((a) => /\.(ogg|mp3|wav)$/i.test(a.name));
    return { data, name: mid.name, audioName: audio?.name };
  } catch {
    return null;
  }
}

/** A source read back from a posted MIDI file (throws SourceMidiError if it is not one of ours). */
export function sourceFromMidi(midi: Buffer, audioName?: string): PieceSource {
  const score = midiToScore(midi);
  const request = JSON.parse(score.meta.requestJson);
  const ext = audioName?.split('.').pop()?.toLowerCase();
  const format: AudioFormat = (FORMATS as readonly string[]).includes(ext ?? '') ? (ext as AudioFormat) : 'ogg';
  return {
    summary: {
      ...scoreSummaryFields(score),
      format,
      audioFile: audioName ?? `tunesmith-${score.meta.style}-${score.meta.mood}-${score.meta.seed}.${format}`,
    },
    request,
    // The SoundFont is not in the file: a rebuilt source renders with the default one.
    render: { format },
    midi,
  };
}

/**
 * The source for `resultId`: from the store, else rebuilt from the MIDI file on the button's
 * message (and kept in the store when `keep`, so a worker can read it). Null: too old.
 */
export async function loadSource(interaction: ComponentInteraction, ctx: BotContext, resultId: string, opts: { keep: boolean }): Promise<PieceSource | null> {
  const stored = await ctx.results.getSource(resultId);
  if (stored) return stored;
  const file = await midiFromMessage(interaction.message);
  if (!file) return null;
  try {
    const source = sourceFromMidi(file.data, file.audioName);
    if (opts.keep) await ctx.results.putSource(resultId, source);
    ctx.logger.info({ requestId: interaction.id, resultId }, 'stored result expired: rebuilt the source from the message’s MIDI file');
    return source;
  } catch (error) {
    if (error instanceof SourceMidiError) return null;
    throw error;
  }
}

/** An ephemeral answer whether or not the interaction was deferred. */
export async function tell(interaction: ComponentInteraction, content: string): Promise<void> {
  if (interaction.deferred) await interaction.editReply({ content, components: [] });
  else if (interaction.replied) await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

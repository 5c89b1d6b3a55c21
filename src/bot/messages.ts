/**
 * Message building, kept apart from Discord calls so it can be unit-tested: progress lines,
 * the result embed with its files and buttons, and friendly errors.
 */
import { KIT_LENGTHS, type KitPart } from '../core/kit.ts';
import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, type APIEmbed } from 'discord.js';
import { listWords, type NotUnderstood } from '../core/notUnderstood.ts';
import { formatProblem, type FieldProblem } from '../core/request.ts';
import type { StoredPiece } from '../queue/resultStore.ts';

export type ProgressStage = 'queued' | 'composing' | 'rendering' | 'uploading';

const STAGE_LABEL: Record<ProgressStage, string> = {
  queued: 'Queued',
  composing: 'Composing',
  rendering: 'Rendering',
  uploading: 'Uploading',
};

export function textProgressBar(fraction: number, width = 16): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * width);
  return `\`${'█'.repeat(filled)}${'░'.repeat(width - filled)}\` ${Math.round(f * 100)}%`;
}

/** The in-progress reply: stage, bar, and the queue position while waiting. */
export function progressContent(stage: ProgressStage, fraction: number, opts: { position?: number; what?: string } = {}): string {
  const head = stage === 'queued' && opts.position && opts.position > 0 ? `⏳ Queued — position ${opts.position}` : `🎼 ${STAGE_LABEL[stage]}…`;
  return [head, textProgressBar(fraction), opts.what ? `-# ${opts.what}` : ''].filter(Boolean).join('\n');
}

/**
 * Custom ids carry the action and the result id, so buttons work after a restart. The panels
 * that the Extend and Re-render buttons open add their choices after the result id (Discord
 * allows 100 characters; a result id is 32).
 */
export const CUSTOM_ID = {
  variation: (resultId: string) => `ts:var:${resultId}`,
  extend: (resultId: string) => `ts:ext:${resultId}`,
  play: (resultId: string) => `ts:play:${resultId}`,
  rerender: (resultId: string) => `ts:rr:${resultId}`,
  midi: (resultId: string) => `ts:midi:${resultId}`,
  stems: (resultId: string) => `ts:stems:${resultId}`,
  /** A target length on the Extend panel. */
  extendTo: (resultId: string, seconds: number) => `ts:ext:${resultId}:${seconds}`,
  /** A menu (field t/k/i/s) or the go button on the Re-render panel, with every choice so far. */
  rerenderPanel: (resultId: string, field: string, state: string) => `ts:rr:${resultId}:${field}:${state}`,
};

export interface KitPartState {
  stage: 'queued' | 'working' | 'done';
  fraction: number;
}

/** A kit's reply while it is made: one line per part, each with its own bar. */
export function kitProgressContent(name: string, parts: Record<KitPart, KitPartState>): string {
  const lines = (Object.entries(parts) as [KitPart, KitPartState][]).map(([part, p]) => {
    const label = KIT_LENGTHS[part].label;
    if (p.stage === 'done') return `✅ ${label}`;
    if (p.stage === 'queued') return `⏳ ${label}: waiting for a worker`;
    return `🎼 ${label}: ${textProgressBar(p.fraction, 12)} ${Math.round(p.fraction * 100)} %`;
  });
  const done = Object.values(parts).filter((p) => p.stage === 'done').length;
  return [`🎬 Making your streamer kit “${name}” — ${done}/${lines.length} parts done (they render in parallel):`, ...lines].join('\n');
}

export function parseCustomId(id: string): { action: string; resultId: string; extra: string[] } | null {
  const [ns, action, resultId, ...extra] = id.split(':');
  if (ns !== 'ts' || !action || !resultId) return null;
  return { action, resultId, extra };
}

const mmss = (s: number) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

export interface ResultMessage {
  content: string;
  embeds: APIEmbed[];
  files: AttachmentBuilder[];
  components: ActionRowBuilder<ButtonBuilder>[];
}

export interface ResultMessageOptions {
  understood: string[];
  /** Prompt words that were not used (the CLI summary lists them too). */
  ignored?: string[];
  userId?: string;
  cached?: boolean;
  attachMidi?: boolean;
  /** Shown in the embed, e.g. why a smaller audio file was posted. */
  note?: string;
  /** Post this audio instead of the stored file (re-encoded to fit an upload limit); null: none. */
  audio?: { data: Buffer; name: string } | null;
  /** false: no piano-roll picture (it would not fit the upload limit). */
  attachPng?: boolean;
}

/** The .mid file name that goes with an audio file name. */
export function midiFileName(audioFile: string): string {
  return audioFile.replace(/\.[a-z0-9]+$/, '.mid');
}

export function resultMessage(resultId: string, piece: StoredPiece, opts: ResultMessageOptions): ResultMessage {
  const s = piece.summary;
  const pngName = 'piano-roll.png';
  const midiName = midiFileName(s.audioFile);
  const attachPng = opts.attachPng !== false;
  const embed = new EmbedBuilder()
    .setTitle(s.title)
    .setColor(0x5865f2)
    .setDescription(
      [opts.understood.length ? `**Understood:** ${opts.understood.join(' · ')}` : '', opts.ignored?.length ? `**Ignored:** ${listWords(opts.ignored, 'and')}` : '', s.derivation ?? '', opts.note ?? '', opts.cached ? '-# Served from a piece composed earlier with the same request and seed.' : '']
        .filter(Boolean)
        .join('\n')
        .slice(0, 4000) || 'Your piece is ready.',
    )
    .addFields(
      { name: 'Style', value: s.style, inline: true },
      { name: 'Mood', value: s.mood, inline: true },
      { name: 'Key', value: s.key, inline: true },
      { name: 'Tempo', value: `${s.bpm} bpm`, inline: true },
      { name: 'Meter', value: s.meter, inline: true },
      { name: 'Length', value: `${mmss(s.durationSec)}${s.loop ? ' (loop)' : ''}`, inline: true },
      { name: 'Seed', value: String(s.seed), inline: true },
      { name: 'Model', value: s.generator, inline: true },
      { name: 'Sections', value: s.sections.join(' · ').slice(0, 1000) || '—', inline: false },
    )
    .setFooter({ text: 'AI-generated with Tunesmith' });
  if (attachPng) embed.setImage(`attachment://${pngName}`);
  const audio = opts.audio === undefined ? { data: piece.audio, name: s.audioFile } : opts.audio;
  const files: AttachmentBuilder[] = [];
  if (audio) files.push(new AttachmentBuilder(audio.data, { name: audio.name }));
  if (opts.attachMidi !== false) files.push(new AttachmentBuilder(piece.midi, { name: midiName }));
  if (attachPng) files.push(new AttachmentBuilder(piece.png, { name: pngName }));
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(CUSTOM_ID.variation(resultId)).setLabel('Variation').setEmoji('🎲').setStyle(ButtonStyle.Primary),
    new ButtonBuilder().setCustomId(CUSTOM_ID.extend(resultId)).setLabel('Extend').setEmoji('➕').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(CUSTOM_ID.play(resultId)).setLabel('Play in voice').setEmoji('🔊').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(CUSTOM_ID.rerender(resultId)).setLabel('Re-render').setEmoji('🎛️').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(CUSTOM_ID.midi(resultId)).setLabel('MIDI').setEmoji('🎹').setStyle(ButtonStyle.Secondary),
  );
  // A row holds five buttons: the sixth starts a second row.
  const more = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId(CUSTOM_ID.stems(resultId)).setLabel('Stems').setEmoji('🎚️').setStyle(ButtonStyle.Secondary));
  return { content: opts.userId ? `<@${opts.userId}>` : '', embeds: [embed.toJSON()], files, components: [buttons, more] };
}

/** An invalid request, explained for a non-programmer. */
export function problemsMessage(problems: FieldProblem[]): string {
  const lines = problems.map((p) => `• ${formatProblem(p)}`);
  return `I can't compose that yet:\n${lines.join('\n')}`.slice(0, 1900);
}

/** The ephemeral answer to a prompt of which nothing was understood (nothing is composed). */
export function notUnderstoodMessage(n: NotUnderstood): string {
  return [
    `🤔 I didn't understand ${listWords(n.words)}, so I haven't composed anything.`,
    'Describe a style, a mood or a length, for example:',
    ...n.examples.map((e) => `• \`${e}\``),
    n.nearest.length ? `Nearest words I know: ${n.nearest.map((w) => `**${w}**`).join(', ')}. /styles lists every style and mood.` : '/styles lists every style and mood.',
  ].join('\n').slice(0, 1900);
}

export function failureContent(message: string): string {
  return `⚠️ ${message}`;
}

/** Said above a result sent to the member's DM because the place they asked in was out of reach. */
export const EXPIRED_ELSEWHERE = 'Your piece took longer than Discord lets me answer there (15 minutes), so here it is.';

/**
 * 🎛️ Re-render: the button opens an ephemeral panel with four menus (tempo, key, instruments,
 * SoundFont) and a Re-render button. Nothing is composed again: the job transforms the stored
 * notes (src/midi/transform.ts) and renders them.
 *
 * The panel keeps no state in memory: every component's custom id carries all the choices made
 * so far — `ts:rr:<resultId>:<field>:<tempo%>.<semitones>.<preset|->.<font|->` — so a choice
 * updates the panel in place and the panel keeps working after a bot restart.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  StringSelectMenuBuilder,
  StringSelectMenuOptionBuilder,
  type MessageActionRowComponentBuilder,
} from 'discord.js';
import { formatKey, parseKey, tonicPitchClass } from '../../core/keys.ts';
import { LIMITS } from '../../core/request.ts';
import type { KeySignature } from '../../core/score.ts';
import { formatLength, INSTRUMENT_PRESETS, presetById, rerenderRequest, scaledBpm, spellTonic } from '../../midi/transform.ts';
import { TransformSchema, type Transform } from '../../queue/jobs.ts';
import type { PieceSource } from '../../queue/resultStore.ts';
import { resolveSoundFont, SOUNDFONT_NAMES } from '../../render/soundfont.ts';
import { CUSTOM_ID } from '../messages.ts';
import { registerComponent } from './index.ts';
import { loadSource, tell, TOO_OLD } from './source.ts';
import { submitDerived } from './submitDerived.ts';

export interface PanelState {
  tempoPct: number;
  transpose: number;
  preset: string | null;
  font: string | null;
}

export const NO_CHANGE: PanelState = { tempoPct: 100, transpose: 0, preset: null, font: null };
const TEMPO_CHOICES = [70, 80, 90, 100, 110, 125, 150];
const FONT_LABELS: Record<string, string> = { fluidr3: 'FluidR3 GM (default, full)', timgm6mb: 'TimGM6mb (small, lo-fi)', musescore: 'MuseScore General' };

export function encodeState(s: PanelState): string {
  return `${s.tempoPct}.${s.transpose}.${s.preset ?? '-'}.${s.font ?? '-'}`;
}

export function decodeState(text: string | undefined): PanelState | null {
  const m = /^(\d{2,3})\.(-?\d{1,2})\.([a-z0-9-]{1,16})\.([a-z0-9-]{1,16})$/.exec(text ?? '');
  if (!m) return null;
  const state = { tempoPct: Number(m[1]), transpose: Number(m[2]), preset: m[3] === '-' ? null : m[3]!, font: m[4] === '-' ? null : m[4]! };
  if (!TEMPO_CHOICES.includes(state.tempoPct) || Math.abs(state.transpose) > 11) return null;
  if (state.preset && !presetById(state.preset)) return null;
  if (state.font && !SOUNDFONT_NAMES.includes(state.font)) return null;
  return state;
}

export function transformOf(s: PanelState): Transform {
  return TransformSchema.parse({ tempoScale: s.tempoPct / 100, transpose: s.transpose, ...(s.preset ? { instruments: s.preset } : {}) });
}

/** SoundFonts this machine has (the panel offers only those). */
function installedFonts(): string[] {
  return SOUNDFONT_NAMES.filter((name) => {
    try {
      resolveSoundFont(name);
      return true;
    } catch {
      return false;
    }
  });
}

function sourceKey(source: PieceSource): KeySignature {
  return parseKey(source.summary.key) ?? { tonic: 'C', mode: 'major' };
}

/** The panel's text and components for a state; choices that would break a limit are not offered. */
export function rerenderPanel(resultId: string, source: PieceSource, state: PanelState, maxDurationSec: number) {
  const s = source.summary;
  const key = sourceKey(source);
  const id = (field: string) => CUSTOM_ID.rerenderPanel(resultId, field, encodeState(state));
  const maxLength = Math.min(maxDurationSec, LIMITS.duration.max);

  const tempo = new StringSelectMenuBuilder().setCustomId(id('t')).setPlaceholder('Tempo');
  for (const pct of TEMPO_CHOICES) {
    const bpm = scaledBpm(s.bpm, pct / 100, false);
    const length = (s.durationSec * s.bpm) / bpm;
    if (pct !== 100 && (bpm < LIMITS.tempo.min || bpm > LIMITS.tempo.max || length > maxLength || length < LIMITS.duration.min)) continue;
    const label = pct === 100 ? `Tempo: keep ${s.bpm} bpm (${formatLength(s.durationSec)})` : `Tempo ${pct}%: ${Number(bpm.toFixed(1))} bpm, lasts ${formatLength(length)}`;
    tempo.addOptions(new StringSelectMenuOptionBuilder().setLabel(label).setValue(String(pct)).setDefault(pct === state.tempoPct));
  }

  const keys = new StringSelectMenuBuilder().setCustomId(id('k')).setPlaceholder('Key');
  for (let shift = -6; shift <= 5; shift++) {
    const target = { tonic: spellTonic(tonicPitchClass(key) + shift, key.mode), mode: key.mode };
    const label = shift === 0 ? `Key: keep ${formatKey(key)}` : `Key: ${formatKey(target)} (${shift > 0 ? '+' : ''}${shift})`;
    keys.addOptions(new StringSelectMenuOptionBuilder().setLabel(label).setValue(String(shift)).setDefault(shift === state.transpose));
  }

  const instruments = new StringSelectMenuBuilder().setCustomId(id('i')).setPlaceholder('Instruments');
  instruments.addOptions(new StringSelectMenuOptionBuilder().setLabel('Instruments: keep').setValue('-').setDefault(state.preset === null));
  for (const p of INSTRUMENT_PRESETS) {
    instruments.addOptions(new StringSelectMenuOptionBuilder().setLabel(`Instruments: ${p.label}`).setDescription(p.description).setValue(p.id).setDefault(state.preset === p.id));
  }

  const fonts = new StringSelectMenuBuilder().setCustomId(id('s')).setPlaceholder('SoundFont');
  const current = source.render.soundfont ?? 'fluidr3';
  fonts.addOptions(new StringSelectMenuOptionBuilder().setLabel(`SoundFont: keep (${current})`).setValue('-').setDefault(state.font === null));
  for (const name of installedFonts()) {
    if (name === current) continue;
    fonts.addOptions(new StringSelectMenuOptionBuilder().setLabel(`SoundFont: ${FONT_LABELS[name] ?? name}`).setValue(name).setDefault(state.font === name));
  }

  const unchanged = encodeState(state) === encodeState(NO_CHANGE);
  const go = new ButtonBuilder().setCustomId(id('go')).setLabel('Re-render').setEmoji('🎛️').setStyle(ButtonStyle.Primary).setDisabled(unchanged);
  const rows = [tempo, keys, instruments, fonts].map((menu) => new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(menu));
  rows.push(new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(go));
  const content = `🎛️ **Re-render** “${s.title}” — pick what to change, then press **Re-render**. The notes stay the same; nothing is composed again. A tempo change makes the piece shorter or longer.`;
  return { content, components: rows };
}

registerComponent('rr', async (interaction, ctx, resultId, extra) => {
  const settings = await ctx.settings.get(interaction.guildId);
  if (extra.length === 0) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const source = await loadSource(interaction, ctx, resultId, { keep: true });
    if (!source) return tell(interaction, TOO_OLD);
    await interaction.editReply(rerenderPanel(resultId, source, NO_CHANGE, settings.maxDurationSec));
    return;
  }

  const [field, encoded] = extra;
  const state = decodeState(encoded);
  if (!state) return tell(interaction, 'This menu is from an older version of the bot. Press 🎛️ Re-render on the piece again.');
  const source = await ctx.results.getSource(resultId);
  if (!source) {
    if (interaction.isStringSelectMenu()) return void (await interaction.update({ content: TOO_OLD, components: [] }));
    return tell(interaction, TOO_OLD);
  }

  if (interaction.isStringSelectMenu()) {
    const value = interaction.values[0] ?? '';
    const next: PanelState = { ...state };
    if (field === 't') next.tempoPct = Number(value);
    else if (field === 'k') next.transpose = Number(value);
    else if (field === 'i') next.preset = value === '-' ? null : value;
    else if (field === 's') next.font = value === '-' ? null : value;
    const checked = decodeState(encodeState(next)) ?? state;
    await interaction.update(rerenderPanel(resultId, source, checked, settings.maxDurationSec));
    return;
  }

  if (field !== 'go') return tell(interaction, 'Unknown re-render action. Press 🎛️ Re-render on the piece again.');
  const transform = transformOf(state);
  let request;
  try {
    request = rerenderRequest(source.request, { bpm: source.summary.bpm, durationSec: source.summary.durationSec, key: sourceKey(source) }, transform);
  } catch (error) {
    if (error instanceof RangeError) return tell(interaction, `I can't re-render it like that: ${error.message}. Pick another tempo.`);
    throw error;
  }
  await submitDerived(interaction, ctx, {
    kind: 'rerender',
    sourceId: resultId,
    transform,
    request,
    render: { format: source.render.format, ...((state.font ?? source.render.soundfont) ? { soundfont: state.font ?? source.render.soundfont } : {}) },
    what: `re-rendering “${source.summary.title}”`,
  });
});

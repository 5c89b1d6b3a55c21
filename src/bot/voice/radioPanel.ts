/**
 * The radio panel: one message, edited in place, with what plays (style, mood, energy, key,
 * tempo, the section and what it does), the votes of the open window, what the room chose last,
 * and the steering buttons. Custom ids are `ts:radio:<guildId>:<choice>`.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type BaseMessageOptions } from 'discord.js';
import { RADIO_CHOICES, type RadioChoice } from '../../core/catalog/radio.ts';
import type { SectionSpec } from '../../core/radioPlan.ts';

export interface PanelView {
  guildId: string;
  voiceChannelId: string;
  startedBy: string;
  spec: SectionSpec | null;
  holding: boolean;
  votes: Partial<Record<RadioChoice, number>>;
  voters: number;
  result: { choice: RadioChoice | null; counts: Partial<Record<RadioChoice, number>>; voters: number; from: number | null } | null;
  /** Why the radio stopped, or null while it plays. */
  off: string | null;
}

export const radioCustomId = (guildId: string, choice: RadioChoice) => `ts:radio:${guildId}:${choice}`;

export function choiceWords(choice: RadioChoice): string {
  const c = RADIO_CHOICES.find((x) => x.id === choice)!;
  return `${c.emoji} ${c.label.toLowerCase()}`;
}

function countsLine(counts: Partial<Record<RadioChoice, number>>): string {
  return RADIO_CHOICES.filter((c) => counts[c.id]).map((c) => `${c.emoji} ${counts[c.id]}`).join(' · ');
}

const OFF_WORDS: Record<string, string> = {
  stopped: 'stopped with /radio stop',
  empty: 'everyone left the voice channel',
  idle: 'nothing was playing',
  kicked: 'I was removed from the voice channel',
  disconnected: 'the voice connection was lost',
  shutdown: 'the bot is restarting; it will resume',
  'join-failed': 'I could not join the voice channel',
};

export function panelContent(v: PanelView): string {
  const lines = [`📻 **Tunesmith radio** in <#${v.voiceChannelId}> — started by <@${v.startedBy}>`];
  if (v.off) {
    lines.push(`⏹️ The radio is off: ${OFF_WORDS[v.off] ?? v.off}.`);
    return lines.join('\n');
  }
  const s = v.spec;
  if (!s) lines.push('⏳ Composing the first section…');
  else {
    lines.push(`**Style** ${s.style} · **Mood** ${s.mood} · **Energy** ${s.energy} · **Key** ${s.key.tonic} ${s.key.mode} · **Tempo** ${Math.round(s.bpm)} bpm`);
    lines.push(`🎵 Section ${s.index + 1} (${Math.round(s.lengthSamples / 48_000)} s): ${s.note}`);
    if (v.holding) lines.push('⏳ The next section is late: holding the last bar until it is ready.');
  }
  if (v.voters) lines.push(`🗳️ This window: ${countsLine(v.votes)} (${v.voters} vote${v.voters > 1 ? 's' : ''}); the majority moves the next section one step.`);
  else lines.push('🗳️ Listeners in the voice channel can vote (one vote each per window; a window closes a few seconds after its first vote); the majority moves the next section one step, heard within 30 s.');
  const r = v.result;
  if (r?.choice && r.from !== null) lines.push(`✅ The room chose **${choiceWords(r.choice)}** (${r.counts[r.choice]} of ${r.voters}): from section ${r.from + 1}.`);
  else if (r) lines.push(`⚖️ Last window was a tie (${countsLine(r.counts)}): nothing changed.`);
  return lines.join('\n');
}

export function panelMessage(v: PanelView): BaseMessageOptions & { content: string } {
  const rows = v.off
    ? []
    : [
        new ActionRowBuilder<ButtonBuilder>().addComponents(RADIO_CHOICES.slice(0, 5).map((c) => new ButtonBuilder().setCustomId(radioCustomId(v.guildId, c.id)).setLabel(c.label).setEmoji(c.emoji).setStyle(ButtonStyle.Secondary))),
        new ActionRowBuilder<ButtonBuilder>().addComponents(RADIO_CHOICES.slice(5).map((c) => new ButtonBuilder().setCustomId(radioCustomId(v.guildId, c.id)).setLabel(c.label).setEmoji(c.emoji).setStyle(ButtonStyle.Secondary))),
      ];
  return { content: panelContent(v), components: rows.map((r) => r.toJSON()), allowedMentions: { parse: [] } };
}

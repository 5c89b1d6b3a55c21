/**
 * ➕ Extend: the button opens an ephemeral panel of target lengths (buttons whose custom ids
 * carry the length, `ts:ext:<resultId>:<seconds>`); pressing one queues an `extend` job whose
 * reply is public, like a new /compose. The longer piece opens with the original note for note
 * (see src/core/extend.ts).
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, MessageFlags } from 'discord.js';
import { barSeconds } from '../../core/plan/timing.ts';
import { LIMITS } from '../../core/request.ts';
import { formatLength } from '../../midi/transform.ts';
import type { SourceSummary } from '../../queue/resultStore.ts';
import { CUSTOM_ID } from '../messages.ts';
import { registerComponent } from './index.ts';
import { loadSource, tell, TOO_OLD } from './source.ts';
import { submitDerived } from './submitDerived.ts';

/**
 * Up to five longer lengths worth offering: 2× and 3× the piece and round lengths, each at least
 * two bars longer (room for new music before the ending), none above `maxSec`.
 */
export function extendChoices(summary: Pick<SourceSummary, 'durationSec' | 'bpm' | 'meter'>, maxSec: number): number[] {
  const [n, d] = summary.meter.split('/').map(Number);
  const bar = barSeconds(summary.bpm, { numerator: n ?? 4, denominator: d ?? 4 });
  const min = summary.durationSec + Math.max(2 * bar, 2);
  const max = Math.min(maxSec, LIMITS.duration.max);
  const candidates = [summary.durationSec * 2, summary.durationSec * 3, 15, 30, 60, 90, 120, 180, 240, 300].map((s) => Math.round(s));
  return [...new Set(candidates)].filter((s) => s >= min && s <= max).sort((a, b) => a - b).slice(0, 5);
}

registerComponent('ext', async (interaction, ctx, resultId, extra) => {
  if (extra.length === 0) {
    // The panel: answer ephemerally first (reading an expired piece's MIDI may take a moment).
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const source = await loadSource(interaction, ctx, resultId, { keep: true });
    if (!source) return tell(interaction, TOO_OLD);
    const settings = await ctx.settings.get(interaction.guildId);
    const choices = extendChoices(source.summary, settings.maxDurationSec);
    if (!choices.length) {
      return tell(interaction, `“${source.summary.title}” can't be made longer here: this server allows pieces up to ${settings.maxDurationSec} s, and it already lasts ${formatLength(source.summary.durationSec)}.`);
    }
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      choices.map((s) => new ButtonBuilder().setCustomId(CUSTOM_ID.extendTo(resultId, s)).setLabel(formatLength(s)).setStyle(ButtonStyle.Primary)),
    );
    const loopNote = source.summary.loop ? ' The loop plays once, then the music goes on and ends.' : '';
    await interaction.editReply({
      content: `➕ **Extend** “${source.summary.title}” (${formatLength(source.summary.durationSec)}) — pick the new length. The original plays note for note, then new music in the same tempo, key and progression, and an ending.${loopNote}`,
      components: [row],
    });
    return;
  }

  const seconds = Number(extra[0]);
  if (!Number.isInteger(seconds) || seconds < LIMITS.duration.min || seconds > LIMITS.duration.max) return tell(interaction, 'That length is not one I can make. Press ➕ Extend again.');
  const source = await ctx.results.getSource(resultId);
  if (!source) return tell(interaction, TOO_OLD);
  if (seconds <= source.summary.durationSec) return tell(interaction, 'That is not longer than the piece. Pick a longer length.');
  await submitDerived(interaction, ctx, {
    kind: 'extend',
    sourceId: resultId,
    request: { ...source.request, durationSec: seconds, loop: false },
    render: source.render,
    what: `extending “${source.summary.title}” to ${formatLength(seconds)}`,
  });
});

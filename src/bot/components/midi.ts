/** 🎹 MIDI: the piece's MIDI file as an ephemeral reply, for whoever pressed the button. */
import { AttachmentBuilder, MessageFlags } from 'discord.js';
import { midiFileName } from '../messages.ts';
import { formatBytes } from '../delivery.ts';
import { registerComponent } from './index.ts';
import { midiFromMessage, tell, TOO_OLD, uploadLimitOf } from './source.ts';

registerComponent('midi', async (interaction, ctx, resultId) => {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const stored = await ctx.results.getSource(resultId);
  const file = stored ? { data: stored.midi, name: midiFileName(stored.summary.audioFile), title: stored.summary.title } : await midiFromMessage(interaction.message);
  if (!file) return tell(interaction, TOO_OLD);
  const limit = uploadLimitOf(interaction);
  if (file.data.length > limit) return tell(interaction, `The MIDI file (${formatBytes(file.data.length)}) is larger than this server's upload limit (${formatBytes(limit)}), so I can't post it here.`);
  const title = 'title' in file ? `“${file.title}”` : 'this piece';
  await interaction.editReply({
    content: `🎹 The MIDI file of ${title}: open it in any DAW or notation app to edit the notes. Only you can see this.`,
    files: [new AttachmentBuilder(file.data, { name: file.name })],
  });
});

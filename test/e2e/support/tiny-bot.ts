import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  Events,
  MessageFlags,
  SlashCommandBuilder,
  StringSelectMenuBuilder,
  type Client,
  type Interaction,
} from 'discord.js';

/**
 * A tiny command handler standing in for the real bot in the fake's self-tests: it uses the
 * same discord.js calls a real bot makes (deferReply → editReply with files, followUp,
 * update, respond) so the tests prove the fake against real client behaviour.
 */

export const STYLES = ['jazz', 'jig', 'baroque', 'blues', 'chiptune'];

export const TINY_COMMANDS = [
  new SlashCommandBuilder()
    .setName('compose')
    .setDescription('Compose a piece')
    .addStringOption((o) => o.setName('style').setDescription('Musical style').setAutocomplete(true))
    .addIntegerOption((o) => o.setName('length').setDescription('Seconds').setMinValue(5).setMaxValue(120)),
  new SlashCommandBuilder().setName('ping').setDescription('Replies pong, ephemerally'),
  new SlashCommandBuilder().setName('slow').setDescription('Defers only after a delay'),
].map((c) => c.toJSON());

export interface TinyBot {
  /** Errors thrown by handlers (e.g. DiscordAPIError from the fake). */
  errors: unknown[];
  /** Delay before /slow defers. */
  slowDelayMs: number;
  /** Resolves a pending /compose job (it defers, then waits for this before the final edit). */
  gates: Map<string, () => void>;
  /** When true, /compose waits on `gates` before its final edit. */
  gated: boolean;
}

export function attachTinyBot(client: Client, files: { ogg: Buffer; midi: Buffer }): TinyBot {
  const bot: TinyBot = { errors: [], slowDelayMs: 0, gates: new Map(), gated: false };
  client.on(Events.InteractionCreate, (i) => {
    handle(i, bot, files).catch((e: unknown) => bot.errors.push(e));
  });
  return bot;
}

async function handle(i: Interaction, bot: TinyBot, files: { ogg: Buffer; midi: Buffer }): Promise<void> {
  if (i.isAutocomplete()) {
    const typed = String(i.options.getFocused()).toLowerCase();
    await i.respond(STYLES.filter((s) => s.startsWith(typed)).map((s) => ({ name: s, value: s })));
    return;
  }
  if (i.isChatInputCommand()) {
    if (i.commandName === 'ping') {
      await i.reply({ content: 'pong', flags: MessageFlags.Ephemeral });
    } else if (i.commandName === 'slow') {
      await new Promise((r) => setTimeout(r, bot.slowDelayMs));
      await i.deferReply();
    } else if (i.commandName === 'compose') {
      const style = i.options.getString('style') ?? 'jazz';
      const length = i.options.getInteger('length') ?? 30;
      await i.deferReply();
      await i.editReply('Composing… 50%');
      if (bot.gated) await new Promise<void>((resolve) => bot.gates.set(i.id, resolve));
      await i.editReply({
        content: 'Done',
        embeds: [new EmbedBuilder().setTitle('Your piece').addFields(
          { name: 'Style', value: style, inline: true },
          { name: 'Length', value: `${length} s`, inline: true },
        )],
        files: [new AttachmentBuilder(files.ogg, { name: 'piece.ogg' }), new AttachmentBuilder(files.midi, { name: 'piece.mid' })],
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('again').setLabel('Again').setStyle(ButtonStyle.Primary),
            new ButtonBuilder().setCustomId('midi').setLabel('MIDI').setStyle(ButtonStyle.Secondary),
          ),
          new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
            new StringSelectMenuBuilder().setCustomId('mood').setPlaceholder('Mood').addOptions(
              { label: 'Happy', value: 'happy' },
              { label: 'Sad', value: 'sad' },
            ),
          ),
        ],
      });
      await i.followUp({ content: 'Seed: 42', flags: MessageFlags.Ephemeral });
    }
    return;
  }
  if (i.isButton()) {
    if (i.customId === 'again') await i.update({ content: 'Again!', components: [] });
    if (i.customId === 'midi') {
      await i.reply({ files: [new AttachmentBuilder(files.midi, { name: 'piece.mid' })], flags: MessageFlags.Ephemeral });
    }
    return;
  }
  if (i.isStringSelectMenu() && i.customId === 'mood') {
    await i.reply({ content: `Mood: ${i.values.join(',')}`, flags: MessageFlags.Ephemeral });
  }
}

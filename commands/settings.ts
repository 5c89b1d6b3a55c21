/**
 * /settings — per-server settings: default audio format, longest piece, per-member cooldown, the
 * channels the bot may compose in, and the DJ role for voice controls.
 *
 * `/settings show` is for every member: knowing the cooldown or the longest piece is harmless and
 * explains a refusal. Every change needs Manage Server. Discord's `default_member_permissions`
 * applies to a whole command, not a subcommand, so it is left unset and the handler checks the
 * permission at run time for every subcommand but `show` (the discord.js guide's pattern for
 * per-subcommand permissions). Settings live in Redis (src/bot/settings.ts) and are read on every command, so a change
 * applies to the next /compose and survives restarts.
 */
import {
  ChannelType,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { BotContext } from '../src/bot/context.ts';
import type { ResolvedSettings } from '../src/bot/settings.ts';
import { checkStyle, FORMATS, formatProblem, LIMITS, type AudioFormat } from '../src/core/request.ts';
import { VOLUME, type VoiceManager } from '../src/bot/voice/manager.ts';

const FORMAT_LABEL: Record<AudioFormat, string> = { ogg: 'Ogg Opus', mp3: 'MP3', wav: 'WAV' };

export const data = new SlashCommandBuilder()
  .setName('settings')
  .setDescription('Server settings for Tunesmith (anyone may look; changes need Manage Server)')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) => s.setName('show').setDescription("Show this server's Tunesmith settings"))
  .addSubcommand((s) =>
    s
      .setName('format')
      .setDescription('Default audio format for new pieces')
      .addStringOption((o) => o.setName('format').setDescription('Ogg Opus is small and good; WAV is large').setRequired(true).addChoices(...FORMATS.map((f) => ({ name: FORMAT_LABEL[f], value: f })))),
  )
  .addSubcommand((s) =>
    s
      .setName('max-duration')
      .setDescription('Longest piece members may ask for')
      .addIntegerOption((o) => o.setName('seconds').setDescription(`${LIMITS.duration.min}–${LIMITS.duration.max} seconds`).setRequired(true).setMinValue(LIMITS.duration.min).setMaxValue(LIMITS.duration.max)),
  )
  .addSubcommand((s) =>
    s
      .setName('cooldown')
      .setDescription('Seconds each member waits between requests (0 = none)')
      .addIntegerOption((o) => o.setName('seconds').setDescription('0–3600 seconds').setRequired(true).setMinValue(0).setMaxValue(3600)),
  )
  .addSubcommand((s) =>
    s
      .setName('allow-channel')
      .setDescription('Let me compose in this channel (once any is set, only those channels)')
      .addChannelOption((o) => o.setName('channel').setDescription('A text channel').setRequired(true).addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement)),
  )
  .addSubcommand((s) =>
    s
      .setName('remove-channel')
      .setDescription('Stop composing in this channel')
      .addChannelOption((o) => o.setName('channel').setDescription('A channel from the list').setRequired(true).addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement)),
  )
  .addSubcommand((s) => s.setName('all-channels').setDescription('Let me compose in every channel again'))
  .addSubcommand((s) =>
    s
      .setName('dj-role')
      .setDescription('Who may use voice controls (skip, stop, volume) and start or stop the radio')
      .addRoleOption((o) => o.setName('role').setDescription('Leave empty to let everyone use them')),
  )
  .addSubcommand((s) =>
    s
      .setName('radio-styles')
      .setDescription('Styles /radio may play')
      .addStringOption((o) => o.setName('styles').setDescription('Comma-separated, e.g. lofi, jazz, ambient; leave empty for every style')),
  )
  .addSubcommand((s) => s.setName('reset').setDescription('Back to the defaults'));

export function settingsEmbed(settings: ResolvedSettings, note?: string): EmbedBuilder {
  return new EmbedBuilder()
    .setTitle('Tunesmith settings for this server')
    .setColor(0x5865f2)
    .setDescription(note ?? 'Change them with /settings format, max-duration, cooldown, allow-channel, remove-channel, all-channels, dj-role, radio-styles or reset.')
    .addFields(
      { name: 'Default format', value: FORMAT_LABEL[settings.defaultFormat], inline: true },
      { name: 'Longest piece', value: `${settings.maxDurationSec} s`, inline: true },
      { name: 'Cooldown', value: settings.cooldownSec ? `${settings.cooldownSec} s per member` : 'none', inline: true },
      { name: 'Channels', value: settings.allowedChannelIds.length ? settings.allowedChannelIds.map((id) => `<#${id}>`).join(', ') : 'every channel', inline: false },
      { name: 'DJ role (voice controls)', value: settings.djRoleId ? `<@&${settings.djRoleId}>` : 'everyone', inline: false },
      { name: 'Radio styles', value: settings.radioStyles.length ? settings.radioStyles.join(', ') : 'every style', inline: false },
    );
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const reply = (content: string, settings?: ResolvedSettings) =>
    interaction.reply({ ...(settings ? { embeds: [settingsEmbed(settings, content)] } : { content }), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  if (!interaction.inGuild() || !interaction.guildId) {
    await reply('Settings belong to a server: use /settings in one.');
    return;
  }
  const guildId = interaction.guildId;
  const sub = interaction.options.getSubcommand(true);
  const mayChange = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
  if (sub !== 'show' && !mayChange) {
    await reply('Only members with the **Manage Server** permission can change Tunesmith’s settings. Ask a server admin; anyone can see them with /settings show.');
    return;
  }
  const current = await ctx.settings.get(guildId);
  let next: ResolvedSettings;
  let note: string;
  switch (sub) {
    case 'show':
      await reply(
        mayChange ? 'Current settings. Change them with the other /settings commands.' : 'Current settings. Members with the **Manage Server** permission can change them with the other /settings commands.',
        current,
      );
      return;
    case 'format': {
      const format = interaction.options.getString('format', true) as AudioFormat;
      next = await ctx.settings.update(guildId, { defaultFormat: format });
      note = `✅ New pieces are now ${FORMAT_LABEL[format]} unless a member picks another format.`;
      break;
    }
    case 'max-duration': {
      const seconds = interaction.options.getInteger('seconds', true);
      next = await ctx.settings.update(guildId, { maxDurationSec: seconds });
      note = `✅ Members can now ask for pieces up to ${seconds} s.`;
      break;
    }
    case 'cooldown': {
      const seconds = interaction.options.getInteger('seconds', true);
      next = await ctx.settings.update(guildId, { cooldownSec: seconds });
      note = seconds ? `✅ Each member now waits ${seconds} s between requests.` : '✅ No cooldown between requests any more.';
      break;
    }
    case 'allow-channel': {
      const channel = interaction.options.getChannel('channel', true);
      if (current.allowedChannelIds.includes(channel.id)) {
        await reply(`<#${channel.id}> is already allowed.`, current);
        return;
      }
      if (current.allowedChannelIds.length >= 25) {
        await reply('At most 25 channels can be listed. Remove one first.', current);
        return;
      }
      next = await ctx.settings.update(guildId, { allowedChannelIds: [...current.allowedChannelIds, channel.id] });
      note = `✅ I now compose only in ${next.allowedChannelIds.map((id) => `<#${id}>`).join(', ')}.`;
      break;
    }
    case 'remove-channel': {
      const channel = interaction.options.getChannel('channel', true);
      if (!current.allowedChannelIds.includes(channel.id)) {
        await reply(`<#${channel.id}> was not in the list.`, current);
        return;
      }
      next = await ctx.settings.update(guildId, { allowedChannelIds: current.allowedChannelIds.filter((id) => id !== channel.id) });
      note = next.allowedChannelIds.length ? `✅ Removed <#${channel.id}>.` : `✅ Removed <#${channel.id}>; the list is empty, so I compose in every channel again.`;
      break;
    }
    case 'all-channels':
      next = await ctx.settings.update(guildId, { allowedChannelIds: [] });
      note = '✅ I compose in every channel again.';
      break;
    case 'dj-role': {
      const role = interaction.options.getRole('role');
      next = await ctx.settings.update(guildId, { djRoleId: role?.id ?? null });
      note = role ? `✅ Voice controls now need the <@&${role.id}> role.` : '✅ Everyone can use voice controls.';
      break;
    }
    case 'radio-styles': {
      const text = interaction.options.getString('styles') ?? '';
      const styles: string[] = [];
      for (const word of text.split(/[,;]+/).map((w) => w.trim()).filter(Boolean)) {
        const style = checkStyle(word);
        if (!style.ok) {
          await reply(formatProblem(style.problem), current);
          return;
        }
        if (!styles.includes(style.value)) styles.push(style.value);
      }
      next = await ctx.settings.update(guildId, { radioStyles: styles.slice(0, 25) });
      note = styles.length ? `✅ The radio now plays only ${styles.join(', ')}.` : '✅ The radio may play every style again.';
      break;
    }
    case 'reset':
      next = await ctx.settings.reset(guildId);
      // The voice volume is a stored setting too: back to 100 % now, not only after a restart.
      await (ctx.services.voice as VoiceManager | undefined)?.setVolume(guildId, VOLUME.default);
      note = '✅ Back to the defaults (the voice volume too).';
      break;
    default:
      await reply(`I don't know /settings ${sub}. The server's commands may be out of date.`);
      return;
  }
  ctx.logger.info({ requestId: interaction.id, guild: guildId, user: interaction.user.id, setting: sub }, 'server settings changed');
  await reply(note, next);
}

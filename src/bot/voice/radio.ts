/**
 * The radio (issue 15): `/radio start` and `/radio stop` (commands/radio.ts), the panel's vote
 * buttons, and resuming every radio that was on when the bot stopped. The bot composes and
 * renders nothing here: sections come from the workers (src/queue/radioWorker.ts) through Redis,
 * and the bot only hands their packets to the voice connection (radioStation.ts, radioFeed.ts).
 *
 * Who may start and stop: Manage Server or the DJ role (/settings dj-role) when one is set,
 * anyone otherwise. Styles: the server's radio allow-list (/settings radio-styles), all when
 * empty. Start options override the guild's taste (radioStore.ts): what its listeners chose most.
 */
import { Queue } from 'bullmq';
import { MessageFlags, PermissionFlagsBits, type ButtonInteraction, type ChatInputCommandInteraction, type StringSelectMenuInteraction, type VoiceBasedChannel } from 'discord.js';
import type { Logger } from 'pino';
import { StyleCatalog, type Energy } from '../../core/catalog/index.ts';
import { isRadioChoice, resumeRadio, startRadio, type RadioChoice } from '../../core/radioPlan.ts';
import { checkMood, checkStyle, ENERGIES, formatProblem } from '../../core/request.ts';
import { closest } from '../../core/suggest.ts';
import { RADIO_QUEUE, type RadioJob } from '../../queue/radioJobs.ts';
import { QUEUE_PREFIX } from '../../queue/jobs.ts';
import { logRedisErrors } from '../../queue/redisErrors.ts';
import { registerComponent } from '../components/index.ts';
import type { BotContext } from '../context.ts';
import type { ResolvedSettings } from '../settings.ts';
import { VoiceJoinError, type VoiceManager } from './manager.ts';
import { choiceWords } from './radioPanel.ts';
import { RadioStation } from './radioStation.ts';
import { RadioStore } from './radioStore.ts';
import { missingVoicePermissions } from './rules.ts';
import { say } from './text.ts';

type Interaction = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction;

async function tell(interaction: Interaction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) await interaction.editReply({ content, allowedMentions: { parse: [] } });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

export const radioSay = {
  djOnly: (roleId: string) => `Only members with the <@&${roleId}> role (or Manage Server) can start or stop the radio here. This is a server setting (/settings dj-role).`,
  styleNotAllowed: (style: string, allowed: string[], nearest: string) => `The radio here plays only ${allowed.join(', ')} (a server setting, /settings radio-styles): "${style}" is not on the list. Nearest allowed: ${nearest}.`,
  alreadyOn: (channelId: string) => `The radio is already on in <#${channelId}>. Use its panel to steer it, or /radio stop.`,
  busy: (channelId: string) => `Something else is playing in <#${channelId}>. /stop it first, then start the radio.`,
  notOn: 'The radio is not on in this server. Start it with /radio start.',
  notListening: (channelId: string) => `Only listeners in <#${channelId}> can vote. Join it, then press again.`,
  votedAlready: 'You have voted in this window already. It closes a few seconds after its first vote; the next vote after that opens a new one.',
};

export class RadioManager {
  readonly stations = new Map<string, RadioStation>();
  readonly store: RadioStore;
  readonly queue: Queue<RadioJob>;

  constructor(private readonly ctx: BotContext) {
    this.store = new RadioStore(ctx.redis);
    this.queue = logRedisErrors(new Queue<RadioJob>(RADIO_QUEUE, { connection: ctx.redis, prefix: QUEUE_PREFIX }), { client: 'radio queue', logger: ctx.logger });
  }

  private get voice(): VoiceManager {
    return this.ctx.services.voice as VoiceManager;
  }

  /** Start a station in a joined session. */
  launch(opts: { channel: VoiceBasedChannel; textChannelId: string; panelMessageId: string | null; startedBy: string; state: ReturnType<typeof startRadio>; logger: Logger }): Promise<RadioStation> {
    return this.voice.join(opts.channel, opts.logger).then((session) => {
      const station = new RadioStation({
        guild: opts.channel.guild,
        session,
        textChannelId: opts.textChannelId,
        panelMessageId: opts.panelMessageId,
        startedBy: opts.startedBy,
        state: opts.state,
        queue: this.queue,
        redis: this.ctx.redis,
        store: this.store,
        logger: this.ctx.logger.child({ component: 'radio' }),
        onStopped: (s) => {
          if (this.stations.get(s.guildId) === s) this.stations.delete(s.guildId);
        },
      });
      this.stations.set(station.guildId, station);
      station.start();
      return station;
    });
  }

  /** Every radio that was on when the bot last stopped, back in its channel with a new section. */
  async resumeAll(): Promise<number> {
    let resumed = 0;
    for (const record of await this.store.all()) {
      const log = this.ctx.logger.child({ guild: record.guildId });
      const guild = this.ctx.client.guilds.cache.get(record.guildId);
      const channel = guild?.channels.cache.get(record.voiceChannelId);
      if (!guild || !channel?.isVoiceBased()) {
        await this.store.drop(record.guildId);
        continue;
      }
      try {
        await this.launch({ channel, textChannelId: record.textChannelId, panelMessageId: record.panelMessageId, startedBy: record.startedBy, state: resumeRadio(record.state), logger: log });
        resumed++;
        log.info({ channel: channel.id }, 'radio resumed');
      } catch (error) {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not resume the radio');
      }
    }
    return resumed;
  }

  async stop(): Promise<void> {
    await this.queue.close();
  }
}

export function radioOf(ctx: BotContext): RadioManager {
  const manager = ctx.services.radio as RadioManager | undefined;
  if (!manager) throw new Error('the radio is not registered (registerRadio was not called)');
  return manager;
}

function isDj(interaction: ChatInputCommandInteraction<'cached'>, settings: ResolvedSettings): boolean {
  if (!settings.djRoleId || interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return true;
  return interaction.member.roles.cache.has(settings.djRoleId);
}

/** /radio start */
export async function radioStart(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return tell(interaction, say.guildOnly);
  const radio = radioOf(ctx);
  const guildId = interaction.guildId;
  const settings = await ctx.settings.get(guildId);
  if (!isDj(interaction, settings)) return tell(interaction, radioSay.djOnly(settings.djRoleId!));

  const taste = await radio.store.taste(guildId);
  const styleText = interaction.options.getString('style');
  const moodText = interaction.options.getString('mood');
  const energyText = interaction.options.getString('energy');
  const style = styleText ? checkStyle(styleText) : null;
  if (style && !style.ok) return tell(interaction, formatProblem(style.problem));
  const mood = moodText ? checkMood(moodText) : null;
  if (mood && !mood.ok) return tell(interaction, formatProblem(mood.problem));
  const energy = energyText && (ENERGIES as readonly string[]).includes(energyText) ? (energyText as Energy) : undefined;
  const allowed = settings.radioStyles;
  const tasteStyle = taste.style && (!allowed.length || allowed.includes(taste.style)) ? taste.style : undefined;
  const styleId = style?.value ?? tasteStyle ?? (allowed.length && !allowed.includes(StyleCatalog.defaultStyle) ? allowed[0]! : StyleCatalog.defaultStyle);
  if (allowed.length && !allowed.includes(styleId)) return tell(interaction, radioSay.styleNotAllowed(styleId, allowed, closest(styleId, allowed) ?? allowed[0]!));
  const moodId = mood?.value ?? taste.mood ?? StyleCatalog.defaultMood;

  const channel = interaction.guild.voiceStates.cache.get(interaction.user.id)?.channel;
  if (!channel) return tell(interaction, say.notInVoice);
  const me = interaction.guild.members.me;
  const missing = missingVoicePermissions((me && channel.permissionsFor(me)?.bitfield) || 0n);
  if (missing.length) return tell(interaction, say.missingPermissions(channel.id, missing));
  const existing = radio.stations.get(guildId);
  if (existing) return tell(interaction, radioSay.alreadyOn(existing.channelId));
  const session = (ctx.services.voice as VoiceManager).get(guildId);
  if (session?.busy) return tell(interaction, radioSay.busy(session.channelId));

  const log = ctx.logger.child({ requestId: interaction.id, guild: guildId, user: interaction.user.id });
  await interaction.deferReply();
  const state = startRadio({ style: styleId, mood: moodId, energy: energy ?? (energyText ? undefined : taste.energy), seed: (Math.random() * 2 ** 32) >>> 0, sectionSec: ctx.config.RADIO_SECTION_SEC });
  try {
    await radio.launch({ channel, textChannelId: interaction.channelId, panelMessageId: null, startedBy: interaction.user.id, state, logger: log });
  } catch (error) {
    if (error instanceof VoiceJoinError) return tell(interaction, say.joinFailed(channel.id));
    throw error;
  }
  // The options given count towards the guild's taste (votes count too: radioStation.ts).
  await radio.store.remember(guildId, { style: style?.value, mood: mood?.value, energy }).catch(() => {});
  const from = style || mood ? '' : taste.style || taste.mood ? ' (where this server’s listeners like it most)' : '';
  await interaction.editReply({
    content: `📻 <@${interaction.user.id}> started the radio in <#${channel.id}>: ${styleId}, ${moodId}, ${state.energy} energy${from}. It plays new music until stopped; the panel below steers it.`,
    allowedMentions: { parse: [] },
  });
}

/** /radio stop */
export async function radioStop(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return tell(interaction, say.guildOnly);
  const settings = await ctx.settings.get(interaction.guildId);
  if (!isDj(interaction, settings)) return tell(interaction, radioSay.djOnly(settings.djRoleId!));
  const station = radioOf(ctx).stations.get(interaction.guildId);
  if (!station) return tell(interaction, radioSay.notOn);
  const channelId = station.channelId;
  (ctx.services.voice as VoiceManager).get(interaction.guildId)?.close('stopped');
  station.stop('stopped');
  await interaction.reply({ content: `⏹️ <@${interaction.user.id}> stopped the radio and I left <#${channelId}>.`, allowedMentions: { parse: [] } });
}

/** A steering button: `ts:radio:<guildId>:<choice>`. */
async function radioButton(interaction: Interaction, ctx: BotContext, guildId: string, extra: string[]): Promise<void> {
  const choice = extra[0] ?? '';
  const station = radioOf(ctx).stations.get(guildId);
  if (!station || !isRadioChoice(choice)) return tell(interaction, radioSay.notOn);
  const result = station.vote(interaction.user.id, choice as RadioChoice);
  if (!result.ok) return tell(interaction, station.hasVoted(interaction.user.id) ? radioSay.votedAlready : radioSay.notListening(station.channelId));
  const counts = Object.entries(result.counts).map(([c, n]) => `${choiceWords(c as RadioChoice)} ${n}`).join(', ');
  await tell(interaction, `🗳️ Your vote: **${choiceWords(choice as RadioChoice)}**. This window so far: ${counts}. The majority moves the next section.`);
}

export function registerRadio(ctx: BotContext): { resume(): Promise<number>; stop(): Promise<void> } {
  const manager = new RadioManager(ctx);
  ctx.services.radio = manager;
  registerComponent('radio', radioButton);
  return { resume: () => manager.resumeAll(), stop: () => manager.stop() };
}

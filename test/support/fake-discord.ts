import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CommandRegistry } from './fake-discord/commands.ts';
import { FakeGateway, type GatewaySession, type VoiceStateUpdateData } from './fake-discord/gateway.ts';
import {
  InteractionRecord,
  InteractionType,
  baseInteraction,
  buildCommandData,
  buildComponentData,
  type InvokeContext,
  type OptionValue,
  type ResolvedContext,
} from './fake-discord/interactions.ts';
import { MessageStore, type FakeMessage } from './fake-discord/messages.ts';
import { P } from './fake-discord/permissions.ts';
import { FakeRestServer } from './fake-discord/rest.ts';
import { buildRoutes } from './fake-discord/routes.ts';
import { randomToken } from './fake-discord/snowflake.ts';
import { CERT_DIR, FakeVoiceServer } from './fake-discord/voice.ts';
import { FakeChannel, FakePrivateChannel, FakeUser, World, type FakeGuild, type FakeRole } from './fake-discord/world.ts';

/** GatewayIntentBits.MessageContent (privileged). */
const MESSAGE_CONTENT_INTENT = 1 << 15;
import { waitFor, type WaitOptions } from './wait.ts';

export { P as Permissions } from './fake-discord/permissions.ts';
export type { FakeAttachment, FakeMessage } from './fake-discord/messages.ts';
export type { RestCall, Fault, FaultMatch } from './fake-discord/rest.ts';
export type { VoiceConnectionRecord, OpusFrame } from './fake-discord/voice.ts';
export { decodeFrames } from './fake-discord/voice.ts';
export type { InteractionRecord, InvokeContext, OptionValue } from './fake-discord/interactions.ts';
export type { FakeChannel, FakeGuild, FakeMember, FakePrivateChannel, FakeRole, FakeUser } from './fake-discord/world.ts';
export { decodeOpus, type DecodedAudio } from './fake-discord/opus.ts';
export { snowflakeAt } from './fake-discord/snowflake.ts';

export interface FakeDiscordOptions {
  botName?: string;
  /** Discord's window for the first interaction response (default 3000 ms, as on Discord). */
  responseWindowMs?: number;
  /** Offer DAVE end-to-end encryption on voice (default true; false negotiates version 0). */
  dave?: boolean;
}

/**
 * A protocol-level fake Discord on loopback: REST (http), gateway (ws) and voice (wss + UDP),
 * driving the real discord.js client and @discordjs/voice. See docs/fake-discord.md.
 *
 *   const discord = await FakeDiscord.start();
 *   const { guild, text, voice, alice } = discord.seedGuild();
 *   const client = new Client({ intents, ...discord.clientOptions() });  // or discord.env() for the bot
 *   await client.login(discord.token);
 *   const it = await discord.invoke('compose', { style: 'jazz' }, { user: alice });
 *   const final = await it.waitForOriginal((m) => m.attachments.length > 0);
 *   await discord.stop();
 */
export class FakeDiscord {
  readonly world: World;
  readonly token: string;
  readonly rest: FakeRestServer;
  readonly gateway: FakeGateway;
  readonly voice: FakeVoiceServer;
  readonly messages: MessageStore;
  readonly commands: CommandRegistry;
  /** Every interaction sent, by id. */
  readonly interactions = new Map<string, InteractionRecord>();
  /** Discord's window for the first interaction response; tests may shorten it. */
  responseWindowMs: number;
  /**
   * What GET /gateway/bot answers: the recommended shard count (`SHARD_COUNT=auto`) and how many
   * shards may IDENTIFY at once (Discord: 1 for most bots, 16+ for large ones). Tests may set it.
   */
  gatewayAdvice = { shards: 1, maxConcurrency: 1 };
  /** Voice joins the fake refused (bot lacks Connect/ViewChannel, channel full, not a voice channel). */
  readonly refusedVoiceJoins: { guildId: string; channelId: string; reason: string }[] = [];

  private constructor(world: World, voice: FakeVoiceServer, opts: FakeDiscordOptions) {
    this.world = world;
    this.voice = voice;
    voice.attachWorld(world);
    this.responseWindowMs = opts.responseWindowMs ?? 3_000;
    this.token = `${Buffer.from(world.bot.id).toString('base64url')}.fake.${randomToken(27)}`;
    this.rest = new FakeRestServer(this.token);
    this.messages = new MessageStore(() => this.rest.origin);
    this.commands = new CommandRegistry(world.applicationId);
    this.gateway = new FakeGateway({
      world,
      token: this.token,
      baseUrl: () => `ws://127.0.0.1:${this.rest.port}`,
      onVoiceStateUpdate: (session, d) => this.onVoiceStateUpdate(session, d),
    });
    this.rest.setRoutes(
      buildRoutes({
        world,
        messages: this.messages,
        commands: this.commands,
        interactions: this.interactions,
        gatewayUrl: () => this.gateway.url,
        gatewayAdvice: () => this.gatewayAdvice,
        responseWindowMs: () => this.responseWindowMs,
        dispatch: (t, d, guildId) => this.gateway.dispatch(t, d, guildId),
      }),
    );
    this.rest.addStatic((req, res) => this.serveAttachment(req.url ?? '', res));
    this.rest.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/gateway' || path === '/gateway-resume') this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const voice = await FakeVoiceServer.start({ dave: opts.dave });
    const fake = new FakeDiscord(new World({ botName: opts.botName }), voice, opts);
    await fake.rest.listen();
    return fake;
  }

  /** The value for `ClientOptions.rest.api` (discord.js appends /v10). */
  get apiBase(): string {
    return `${this.rest.origin}/api`;
  }

  get bot(): FakeUser {
    return this.world.bot;
  }

  get applicationId(): string {
    return this.world.applicationId;
  }

  get faults() {
    return this.rest.faults;
  }

  /** Spread into `new Client({ intents, ...discord.clientOptions() })`. */
  clientOptions(): { rest: { api: string } } {
    return { rest: { api: this.apiBase } };
  }

  /**
   * Environment for a bot that reads its API base from configuration. NODE_EXTRA_CA_CERTS is
   * included for a bot started as a child process (Node reads it only at startup): without it
   * the bot's @discordjs/voice would refuse the fake's wss:// voice gateway.
   */
  env(): Record<string, string> {
    return {
      DISCORD_API_BASE: this.apiBase,
      DISCORD_TOKEN: this.token,
      DISCORD_APPLICATION_ID: this.applicationId,
      NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('ca.pem', CERT_DIR)),
    };
  }

  /**
   * A ready-made guild: #general, a "Music" voice channel, and two members alice and bob.
   * Call before the bot logs in (it arrives in GUILD_CREATE) or after (sent as GUILD_CREATE).
   * `id` places the guild on a shard (see snowflakeAt).
   */
  seedGuild(name = 'Tunesmith Test', id?: string) {
    const guild = this.world.addGuild({ name, id });
    const text = guild.addTextChannel({ name: 'general' });
    const voice = guild.addVoiceChannel({ name: 'Music' });
    const alice = this.world.addUser({ username: 'alice', globalName: 'Alice' });
    const bob = this.world.addUser({ username: 'bob', globalName: 'Bob' });
    guild.addMember(alice);
    guild.addMember(bob);
    return { guild, text, voice, alice, bob };
  }

  /** Poll a condition with a bound (see test/support/wait.ts). */
  waitFor<T>(probe: () => T | Promise<T>, opts?: WaitOptions): Promise<NonNullable<T>> {
    return waitFor(probe, opts);
  }

  private resolveContext(asUser: InvokeContext | FakeUser = {}): ResolvedContext {
    const ctx: InvokeContext = asUser instanceof FakeUser ? { user: asUser } : asUser;
    const install = ctx.install ?? 'guild';
    if (ctx.channel instanceof FakePrivateChannel) {
      const user = ctx.user ?? ctx.channel.recipients.find((u) => !u.bot);
      if (!user) throw new Error('fake-discord: the private channel has no human recipient');
      if (!ctx.channel.withBot && install !== 'user') {
        throw new Error('fake-discord: only a user-installed app can be used in a group DM without the bot (pass install: "user")');
      }
      return { user, guild: null, channel: ctx.channel, locale: ctx.locale ?? 'en-US', context: ctx.channel.withBot ? 1 : 2, install };
    }
    const guild: FakeGuild | undefined = ctx.channel?.guild ?? [...this.world.guilds.values()][0];
    if (!guild) throw new Error('fake-discord: no guild in the world; call seedGuild() or world.addGuild() first');
    const channel = ctx.channel ?? guild.textChannels[0];
    if (!channel) throw new Error(`fake-discord: guild ${guild.name} has no text channel`);
    const user = ctx.user ?? [...guild.members.values()].map((m) => m.user).find((u) => !u.bot);
    if (!user) throw new Error(`fake-discord: guild ${guild.name} has no human member`);
    if (!guild.hasBot && install !== 'user') throw new Error(`fake-discord: ${guild.name} never added the app; only a user-installed app works there (pass install: "user")`);
    guild.member(user);
    return { user, guild, channel, locale: ctx.locale ?? 'en-US', context: 0, install };
  }

  private async send(it: InteractionRecord, data: Record<string, unknown>): Promise<InteractionRecord> {
    await this.gateway.waitForSession();
    it.payload = baseInteraction(it, this.applicationId, data);
    this.interactions.set(it.id, it);
    this.gateway.dispatch('INTERACTION_CREATE', it.payload, it.ctx.guild?.id ?? null);
    return it;
  }

  /**
   * The command as the Discord client offers it here: registered, allowed in this context
   * (`contexts`, default guild and bot DM) and installation (`integration_types`, default guild
   * install), and visible to the member (`default_member_permissions`, in servers).
   */
  private command(path: string[], rc: ResolvedContext, type = 1) {
    const guildId = rc.guild?.id ?? null;
    const command = this.commands.find(path[0]!, guildId, type);
    if (!command) {
      const known = [...this.commands.global, ...(guildId ? this.commands.list(guildId) : [])].map((c) => c.name);
      throw new Error(`fake-discord: /${path[0]} is not registered (registered: ${known.join(', ') || 'none'}); the bot must PUT its commands first`);
    }
    const contexts = (command.contexts as number[] | null) ?? [0, 1];
    const installs = (command.integration_types as number[] | undefined) ?? [0];
    const where = ['a server', 'the bot\'s DM', 'a private channel'][rc.context];
    if (!contexts.includes(rc.context)) throw new Error(`fake-discord: ${command.name} is not offered in ${where} (contexts ${JSON.stringify(contexts)})`);
    if (!installs.includes(rc.install === 'user' ? 1 : 0)) {
      throw new Error(`fake-discord: ${command.name} is not offered to a ${rc.install}-installed app (integration_types ${JSON.stringify(installs)})`);
    }
    const required = command.default_member_permissions;
    if (typeof required === 'string' && rc.guild && rc.channel instanceof FakeChannel) {
      const perms = rc.guild.permissionsFor(rc.user, rc.channel);
      if ((perms & BigInt(required)) !== BigInt(required)) {
        throw new Error(`fake-discord: ${rc.user.username} cannot see /${command.name} (needs permissions ${required})`);
      }
    }
    return command;
  }

  /**
   * A message context-menu command ("Apps → <name>" on `target`), as `ctx.user`. The target
   * message travels in `data.resolved.messages`, content included (Discord sends it without the
   * Message Content intent).
   */
  async invokeMessageCommand(name: string, target: FakeMessage, ctx?: InvokeContext | FakeUser): Promise<InteractionRecord> {
    const given: InvokeContext = ctx instanceof FakeUser ? { user: ctx } : (ctx ?? {});
    const rc = this.resolveContext({ ...given, channel: given.channel ?? this.world.anyChannel(target.channelId) });
    const command = this.command([name], rc, 3);
    const data = { id: command.id, name: command.name, type: 3, target_id: target.id, resolved: { messages: { [target.id]: target.toAPI() } } };
    return this.send(new InteractionRecord(InteractionType.Command, rc, null, name), data);
  }

  /**
   * A person writes a message: in a guild text channel or a DM with the bot. `mentionBot` adds
   * "<@bot> " in front and the bot to `mentions`; `replyTo` makes it a reply, which pings the
   * replied-to author unless `ping: false` (as the client's @ON/OFF toggle). The bot receives it
   * as MESSAGE_CREATE, with the content blanked unless it has the Message Content intent or the
   * message is a DM, mentions it, or is its own (Discord's rule).
   */
  sendMessage(
    from: FakeUser,
    where: FakeChannel | FakePrivateChannel,
    content: string,
    opts: { mentionBot?: boolean; replyTo?: FakeMessage; ping?: boolean; mentions?: FakeUser[] } = {},
  ): FakeMessage {
    const guild = where instanceof FakeChannel ? where.guild : null;
    if (guild) guild.member(from);
    else if (!(where as FakePrivateChannel).recipients.includes(from)) throw new Error(`fake-discord: ${from.username} is not in that private channel`);
    const m = this.messages.create([where.id, guild?.id ?? null, from, null, null]);
    m.content = opts.mentionBot ? `<@${this.bot.id}> ${content}` : content;
    m.mentions = [...(opts.mentionBot ? [this.bot] : []), ...(opts.mentions ?? [])];
    if (opts.replyTo) {
      if (opts.replyTo.channelId !== where.id) throw new Error('fake-discord: a reply must be in the same channel');
      m.reference = opts.replyTo;
      if (opts.ping !== false && !m.mentions.includes(opts.replyTo.author)) m.mentions.push(opts.replyTo.author);
    }
    m.snapshot();
    // Discord adds channel_type to MESSAGE_CREATE; discord.js needs it to build an uncached DM channel.
    const payload = { ...m.toAPI(), channel_type: where.type, ...(guild ? { member: guild.member(from).toAPI(false) } : {}) };
    const botCanRead = !guild || m.mentions.includes(this.bot) || from === this.bot;
    this.gateway.dispatch(
      'MESSAGE_CREATE',
      (intents: number) => (botCanRead || (intents & MESSAGE_CONTENT_INTENT) !== 0 ? payload : { ...payload, content: '', embeds: [], attachments: [], components: [] }),
      guild?.id ?? null,
    );
    return m;
  }

  /** The bot's messages that reply to `message` (message_reference), oldest first. */
  repliesTo(message: FakeMessage): FakeMessage[] {
    return this.messages.all.filter((m) => m.reference === message && m.author === this.bot && !m.deleted);
  }

  /**
   * Send a slash command as `ctx.user` typed "/<path> ...": `path` is "compose" or
   * "group sub". Options are checked against the registered definition. Resolves once the
   * INTERACTION_CREATE was sent; use the record's waitFor* methods for the bot's response.
   */
  async invoke(path: string, options: Record<string, OptionValue> = {}, ctx?: InvokeContext | FakeUser): Promise<InteractionRecord> {
    const rc = this.resolveContext(ctx);
    const parts = path.trim().split(/\s+/);
    const command = this.command(parts, rc);
    const data = buildCommandData(command, parts, options, rc, this.messages);
    return this.send(new InteractionRecord(InteractionType.Command, rc, null, parts.join(' ')), data);
  }

  /**
   * Autocomplete: the user is typing `options[focused]` (a partial string). Resolves with the
   * choices the bot returned (bounded wait).
   */
  async autocomplete(
    path: string,
    options: Record<string, OptionValue>,
    focused: string,
    ctx?: InvokeContext | FakeUser,
  ): Promise<{ name: string; value: string | number }[]> {
    const rc = this.resolveContext(ctx);
    const parts = path.trim().split(/\s+/);
    const data = buildCommandData(this.command(parts, rc), parts, options, rc, this.messages, focused);
    const it = await this.send(new InteractionRecord(InteractionType.Autocomplete, rc, null, parts.join(' ')), data);
    await it.waitForCallback();
    if (!it.choices) throw new Error(`fake-discord: ${it.describe()} was answered with callback type ${it.callback?.type}, not choices`);
    return it.choices;
  }

  /** Click a button on a message the bot sent (default user: whoever caused the message). */
  click(message: FakeMessage, customId: string, ctx?: InvokeContext | FakeUser): Promise<InteractionRecord> {
    return this.component(message, buildComponentData(message, customId), ctx);
  }

  /** Choose values in a select menu on a message the bot sent. */
  select(
    message: FakeMessage,
    customId: string,
    values: string[] | (FakeUser | FakeRole | FakeChannel)[],
    ctx?: InvokeContext | FakeUser,
  ): Promise<InteractionRecord> {
    return this.component(message, buildComponentData(message, customId, values), ctx);
  }

  private component(message: FakeMessage, data: Record<string, unknown>, asUser: InvokeContext | FakeUser = {}): Promise<InteractionRecord> {
    const ctx: InvokeContext = asUser instanceof FakeUser ? { user: asUser } : asUser;
    if (message.deleted) throw new Error(`fake-discord: message ${message.id} was deleted`);
    const channel = ctx.channel ?? this.world.anyChannel(message.channelId);
    // A message an interaction made is clicked under that interaction's installation.
    const origin = message.interaction ? this.interactions.get(message.interaction.id) : undefined;
    const user = ctx.user ?? message.interaction?.user ?? (message.reference?.author.bot ? undefined : message.reference?.author);
    const rc = this.resolveContext({ ...ctx, channel, user, install: ctx.install ?? origin?.ctx.install });
    return this.send(new InteractionRecord(InteractionType.Component, rc, message), data);
  }

  /** Messages in a channel (bot messages and non-ephemeral interaction responses). */
  messagesIn(channel: FakeChannel): FakeMessage[] {
    return this.messages.inChannel(channel.id);
  }

  /** Bot sent op 4 (join/move/leave voice): update its voice state, then VOICE_SERVER_UPDATE. */
  private onVoiceStateUpdate(_session: GatewaySession, d: VoiceStateUpdateData): void {
    const guild = this.world.guild(d.guild_id);
    if (!guild) return;
    if (d.channel_id === null) {
      if (guild.voiceStates.has(this.bot.id)) guild.setVoiceState(this.bot, null);
      this.voice.disconnectGuild(guild.id);
      return;
    }
    const channel = guild.channel(d.channel_id);
    const refuse = (reason: string): void => {
      this.refusedVoiceJoins.push({ guildId: guild.id, channelId: d.channel_id!, reason });
    };
    if (!channel?.isVoice) return refuse('not a voice channel');
    const perms = guild.permissionsFor(this.bot, channel);
    // Discord silently ignores a join the bot may not make; the library then times out.
    if ((perms & (P.ViewChannel | P.Connect)) !== (P.ViewChannel | P.Connect)) return refuse('missing Connect');
    const occupants = [...guild.voiceStates.values()].filter((s) => s.channelId === channel.id && s.userId !== this.bot.id);
    if (channel.userLimit && occupants.length >= channel.userLimit) return refuse('channel full');
    const sessionId = guild.setVoiceState(this.bot, channel, { selfMute: d.self_mute, selfDeaf: d.self_deaf })!;
    const token = randomToken(12);
    this.voice.expect({ guildId: guild.id, channelId: channel.id, userId: this.bot.id, sessionId, token });
    this.gateway.dispatch('VOICE_SERVER_UPDATE', { token, guild_id: guild.id, endpoint: this.voice.endpoint }, guild.id);
  }

  private serveAttachment(url: string, res: ServerResponse): boolean {
    const m = /^\/attachments\/\d+\/(\d+)\//.exec(url);
    if (!m) return false;
    const a = this.messages.attachments.get(m[1]!);
    if (!a) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': a.contentType, 'content-length': a.size }).end(a.data);
    return true;
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    await this.rest.close();
    await this.voice.close();
  }
}

import { EventEmitter } from 'node:events';
import { ChannelType } from 'discord.js';
import { DEFAULT_EVERYONE_PERMISSIONS, computePermissions, type Overwrite } from './permissions.ts';
import { randomToken, snowflake } from './snowflake.ts';

const GUILD_VOICE_STATES = 1 << 7;

/**
 * The scriptable state of the fake Discord: users, guilds, roles, channels, members and voice
 * states. It is the single source of truth for GUILD_CREATE, interaction payloads and the fake's
 * own permission checks. Changes made after the bot connected are announced through `dispatch`
 * events (Discord gateway event name + payload) that the gateway forwards to the bot.
 */
export interface WorldEvents {
  dispatch: [t: string, d: DispatchData, guildId: string | null];
}

/** A payload, or a function of the receiving session's intents (GUILD_CREATE varies by intent). */
export type DispatchData = unknown | ((intents: number) => unknown);

export class FakeUser {
  constructor(
    readonly id: string,
    public username: string,
    readonly bot: boolean,
    public globalName: string | null = null,
  ) {}

  toAPI() {
    return {
      id: this.id,
      username: this.username,
      global_name: this.globalName,
      discriminator: '0',
      avatar: null,
      bot: this.bot || undefined,
      public_flags: 0,
      flags: 0,
    };
  }
}

export class FakeRole {
  constructor(
    readonly guild: FakeGuild,
    readonly id: string,
    public name: string,
    public permissions: bigint,
    public position: number,
  ) {}

  toAPI() {
    return {
      id: this.id,
      name: this.name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: this.position,
      permissions: this.permissions.toString(),
      managed: false,
      mentionable: false,
      flags: 0,
    };
  }
}

export class FakeChannel {
  overwrites: Overwrite[] = [];
  /** 0 = no limit. The fake refuses a voice join past it, like Discord. */
  userLimit = 0;

  constructor(
    readonly guild: FakeGuild,
    readonly id: string,
    public name: string,
    readonly type: ChannelType.GuildText | ChannelType.GuildVoice | ChannelType.PublicThread,
    public position: number,
    /** For a thread: the text channel it was started in. */
    readonly parent: FakeChannel | null = null,
  ) {}

  get isVoice(): boolean {
    return this.type === ChannelType.GuildVoice;
  }

  get isThread(): boolean {
    return this.type === ChannelType.PublicThread;
  }

  toAPI(): Record<string, unknown> {
    if (this.parent) {
      return {
        id: this.id,
        type: this.type,
        guild_id: this.guild.id,
        name: this.name,
        parent_id: this.parent.id,
        owner_id: this.guild.ownerId,
        message_count: 0,
        member_count: 1,
        rate_limit_per_user: 0,
        flags: 0,
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
      };
    }
    const base = {
      id: this.id,
      type: this.type,
      guild_id: this.guild.id,
      name: this.name,
      position: this.position,
      permission_overwrites: this.overwrites.map((o) => ({
        id: o.id,
        type: o.type,
        allow: o.allow.toString(),
        deny: o.deny.toString(),
      })),
      parent_id: null,
      nsfw: false,
      rate_limit_per_user: 0,
      flags: 0,
    };
    return this.isVoice
      ? { ...base, bitrate: 64_000, user_limit: this.userLimit, rtc_region: null, last_message_id: null }
      : { ...base, topic: null, last_message_id: null };
  }
}

export class FakeMember {
  readonly joinedAt = new Date().toISOString();
  nick: string | null = null;

  constructor(
    readonly guild: FakeGuild,
    readonly user: FakeUser,
    public roleIds: string[],
  ) {}

  /** Member object as Discord embeds it (GUILD_CREATE, interactions carry `permissions` too). */
  toAPI(withUser = true) {
    return {
      ...(withUser ? { user: this.user.toAPI() } : {}),
      nick: this.nick,
      avatar: null,
      banner: null,
      roles: [...this.roleIds],
      joined_at: this.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    };
  }
}

/**
 * A channel outside any guild: the bot's DM with a user (type 1), or a group DM / a DM between two
 * users (type 3 here) where the bot is not a member and only a user-installed app's interactions
 * can reach (interaction context 2).
 */
export class FakePrivateChannel {
  constructor(
    readonly id: string,
    readonly type: ChannelType.DM | ChannelType.GroupDM,
    readonly recipients: FakeUser[],
    /** True for the bot's own DM channel with a user: the bot can read and post there. */
    readonly withBot: boolean,
  ) {}

  get isVoice(): boolean {
    return false;
  }

  toAPI() {
    return {
      id: this.id,
      type: this.type,
      recipients: this.recipients.filter((u) => !u.bot).map((u) => u.toAPI()),
      last_message_id: null,
      flags: 0,
      ...(this.type === ChannelType.GroupDM ? { name: null, icon: null, owner_id: this.recipients[0]?.id } : {}),
    };
  }
}

export type AnyChannel = FakeChannel | FakePrivateChannel;

export interface VoiceState {
  userId: string;
  channelId: string;
  sessionId: string;
  selfMute: boolean;
  selfDeaf: boolean;
}

export class FakeGuild {
  readonly roles = new Map<string, FakeRole>();
  readonly channels = new Map<string, FakeChannel>();
  readonly members = new Map<string, FakeMember>();
  readonly voiceStates = new Map<string, VoiceState>();
  /** Per-file upload limit; Discord's default for a guild without boosts is 10 MiB. */
  uploadLimitBytes = 10 * 1024 * 1024;
  preferredLocale = 'en-US';

  /** False for a server that never added the app (only user installs work there). */
  get hasBot(): boolean {
    return this.members.has(this.world.bot.id);
  }

  constructor(
    readonly world: World,
    readonly id: string,
    public name: string,
    public ownerId: string,
  ) {
    // The @everyone role shares the guild's id, as on Discord.
    this.roles.set(id, new FakeRole(this, id, '@everyone', DEFAULT_EVERYONE_PERMISSIONS, 0));
  }

  get everyone(): FakeRole {
    return this.roles.get(this.id)!;
  }

  addRole(opts: { name: string; permissions?: bigint }): FakeRole {
    const role = new FakeRole(this, snowflake(), opts.name, opts.permissions ?? 0n, this.roles.size);
    this.roles.set(role.id, role);
    this.world.emitDispatch('GUILD_ROLE_CREATE', { guild_id: this.id, role: role.toAPI() }, this.id);
    return role;
  }

  /** Change a role's permissions (GUILD_ROLE_UPDATE). */
  setRolePermissions(role: FakeRole, permissions: bigint): void {
    role.permissions = permissions;
    this.world.emitDispatch('GUILD_ROLE_UPDATE', { guild_id: this.id, role: role.toAPI() }, this.id);
  }

  addTextChannel(opts: { name: string }): FakeChannel {
    return this.addChannel(opts.name, ChannelType.GuildText);
  }

  /**
   * A public thread started from a message in a text channel: its id is the starter message's id,
   * as on Discord, and it follows the parent's permission overwrites (THREAD_CREATE).
   */
  addThread(parent: FakeChannel, starter: { id: string; channelId: string }, name = 'thread'): FakeChannel {
    if (starter.channelId !== parent.id) throw new Error('fake-discord: a thread starts from a message in its parent channel');
    const thread = new FakeChannel(this, starter.id, name, ChannelType.PublicThread, 0, parent);
    thread.overwrites = parent.overwrites;
    this.channels.set(thread.id, thread);
    this.world.emitDispatch('THREAD_CREATE', { ...thread.toAPI(), newly_created: true }, this.id);
    return thread;
  }

  addVoiceChannel(opts: { name: string; userLimit?: number }): FakeChannel {
    const channel = this.addChannel(opts.name, ChannelType.GuildVoice, opts.userLimit);
    return channel;
  }

  private addChannel(name: string, type: FakeChannel['type'], userLimit = 0): FakeChannel {
    const channel = new FakeChannel(this, snowflake(), name, type, this.channels.size);
    channel.userLimit = userLimit;
    this.channels.set(channel.id, channel);
    this.world.emitDispatch('CHANNEL_CREATE', channel.toAPI(), this.id);
    return channel;
  }

  /**
   * Set (or with allow = deny = 0n remove) a permission overwrite for a role or member on a
   * channel, e.g. `guild.setOverwrite(voice, fake.bot, { deny: P.Speak })`.
   */
  setOverwrite(
    channel: FakeChannel,
    target: FakeRole | FakeUser | FakeMember,
    perms: { allow?: bigint; deny?: bigint },
  ): void {
    const id = target instanceof FakeMember ? target.user.id : target.id;
    const type = target instanceof FakeRole ? 0 : 1;
    channel.overwrites = channel.overwrites.filter((o) => o.id !== id);
    const allow = perms.allow ?? 0n;
    const deny = perms.deny ?? 0n;
    if (allow || deny) channel.overwrites.push({ id, type, allow, deny });
    this.world.emitDispatch('CHANNEL_UPDATE', channel.toAPI(), this.id);
  }

  addMember(user: FakeUser, opts: { roles?: FakeRole[]; nick?: string } = {}): FakeMember {
    const member = new FakeMember(this, user, (opts.roles ?? []).map((r) => r.id));
    member.nick = opts.nick ?? null;
    this.members.set(user.id, member);
    this.world.emitDispatch('GUILD_MEMBER_ADD', { ...member.toAPI(), guild_id: this.id }, this.id);
    return member;
  }

  member(user: FakeUser | string): FakeMember {
    const id = typeof user === 'string' ? user : user.id;
    const member = this.members.get(id);
    if (!member) throw new Error(`fake-discord: user ${id} is not a member of guild ${this.name}`);
    return member;
  }

  /** Give/take roles (GUILD_MEMBER_UPDATE). */
  setMemberRoles(user: FakeUser, roles: FakeRole[]): void {
    const member = this.member(user);
    member.roleIds = roles.map((r) => r.id);
    this.world.emitDispatch('GUILD_MEMBER_UPDATE', { ...member.toAPI(), guild_id: this.id }, this.id);
  }

  channel(id: string): FakeChannel | undefined {
    return this.channels.get(id);
  }

  get textChannels(): FakeChannel[] {
    return [...this.channels.values()].filter((c) => !c.isVoice && !c.isThread);
  }

  permissionsFor(user: FakeUser | string, channel?: FakeChannel): bigint {
    const member = this.member(user);
    const rolePermissions = new Map([...this.roles].map(([id, r]) => [id, r.permissions]));
    return computePermissions({
      isOwner: member.user.id === this.ownerId,
      everyoneRoleId: this.id,
      rolePermissions,
      memberRoleIds: member.roleIds,
      memberId: member.user.id,
      overwrites: channel?.overwrites,
    });
  }

  /**
   * Move a user into a voice channel (or out with null), announcing VOICE_STATE_UPDATE like
   * Discord does when someone joins or leaves. Returns the new state's voice session id.
   */
  setVoiceState(
    user: FakeUser,
    channel: FakeChannel | null,
    opts: { sessionId?: string; selfMute?: boolean; selfDeaf?: boolean } = {},
  ): string | null {
    const member = this.member(user);
    if (channel && !channel.isVoice) throw new Error(`fake-discord: #${channel.name} is not a voice channel`);
    const sessionId = opts.sessionId ?? randomToken(16);
    if (channel) {
      this.voiceStates.set(user.id, {
        userId: user.id,
        channelId: channel.id,
        sessionId,
        selfMute: opts.selfMute ?? false,
        selfDeaf: opts.selfDeaf ?? false,
      });
    } else {
      this.voiceStates.delete(user.id);
    }
    const state = this.voiceStates.get(user.id);
    this.world.emitDispatch(
      'VOICE_STATE_UPDATE',
      {
        ...voiceStateToAPI(state ?? { userId: user.id, channelId: '', sessionId, selfMute: false, selfDeaf: false }),
        channel_id: channel?.id ?? null,
        guild_id: this.id,
        member: member.toAPI(),
      },
      this.id,
    );
    return channel ? sessionId : null;
  }

  voiceChannelOf(user: FakeUser | string): FakeChannel | undefined {
    const state = this.voiceStates.get(typeof user === 'string' ? user : user.id);
    return state ? this.channels.get(state.channelId) : undefined;
  }

  /** The full GUILD_CREATE payload. Voice states only reach bots with GUILD_VOICE_STATES. */
  toGuildCreate(opts: { withVoiceStates: boolean }) {
    return {
      id: this.id,
      name: this.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: this.preferredLocale,
      features: [],
      emojis: [],
      stickers: [],
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      max_video_channel_users: 25,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: this.members.size,
      roles: [...this.roles.values()].map((r) => r.toAPI()),
      channels: [...this.channels.values()].filter((c) => !c.isThread).map((c) => c.toAPI()),
      members: [...this.members.values()].map((m) => m.toAPI()),
      voice_states: opts.withVoiceStates ? [...this.voiceStates.values()].map(voiceStateToAPI) : [],
      threads: [...this.channels.values()].filter((c) => c.isThread).map((c) => c.toAPI()),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}

function voiceStateToAPI(s: VoiceState) {
  return {
    channel_id: s.channelId,
    user_id: s.userId,
    session_id: s.sessionId,
    deaf: false,
    mute: false,
    self_deaf: s.selfDeaf,
    self_mute: s.selfMute,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}

export class World extends EventEmitter<WorldEvents> {
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  /** DMs with the bot and private channels (group DMs) the bot is not in. */
  readonly privateChannels = new Map<string, FakePrivateChannel>();
  readonly bot: FakeUser;
  readonly applicationId: string;

  constructor(opts: { botName?: string } = {}) {
    super();
    this.applicationId = snowflake();
    // Bot user id == application id, as for every bot created since 2019.
    this.bot = new FakeUser(this.applicationId, opts.botName ?? 'Tunesmith', true);
    this.users.set(this.bot.id, this.bot);
  }

  emitDispatch(t: string, d: DispatchData, guildId: string | null): void {
    // The gateway tells the bot only about guilds it is in.
    if (guildId !== null && this.guilds.has(guildId) && !this.guilds.get(guildId)!.hasBot) return;
    this.emit('dispatch', t, d, guildId);
  }

  addUser(opts: { username: string; globalName?: string; bot?: boolean }): FakeUser {
    const user = new FakeUser(snowflake(), opts.username, opts.bot ?? false, opts.globalName ?? null);
    this.users.set(user.id, user);
    return user;
  }

  /**
   * A guild the bot is in (the bot becomes a member); owner defaults to a new user. `withoutBot`:
   * a server that never added the app, where only a user-installed app's commands work; the
   * gateway never announces it and sends none of its events. `id`: a chosen id (e.g. snowflakeAt,
   * to place it on a shard).
   */
  addGuild(opts: { name: string; owner?: FakeUser; withoutBot?: boolean; id?: string }): FakeGuild {
    const owner = opts.owner ?? this.addUser({ username: `${opts.name.toLowerCase().replace(/\W+/g, '')}-owner` });
    const guild = new FakeGuild(this, opts.id ?? snowflake(), opts.name, owner.id);
    this.guilds.set(guild.id, guild);
    // Members are added silently before the guild is announced: they are part of GUILD_CREATE.
    guild.members.set(owner.id, new FakeMember(guild, owner, []));
    if (!opts.withoutBot) guild.members.set(this.bot.id, new FakeMember(guild, this.bot, []));
    this.emitDispatch('GUILD_CREATE', (intents: number) => guild.toGuildCreate({ withVoiceStates: (intents & GUILD_VOICE_STATES) !== 0 }), guild.id);
    return guild;
  }

  guild(id: string): FakeGuild | undefined {
    return this.guilds.get(id);
  }

  /** The bot's DM channel with a user (created on first use, as Discord does when either side writes). */
  dmWith(user: FakeUser): FakePrivateChannel {
    for (const c of this.privateChannels.values()) if (c.withBot && c.recipients.includes(user)) return c;
    const channel = new FakePrivateChannel(snowflake(), ChannelType.DM, [user, this.bot], true);
    this.privateChannels.set(channel.id, channel);
    return channel;
  }

  /** A group DM between users, without the bot: only a user-installed app's commands work there. */
  addGroupDM(users: FakeUser[]): FakePrivateChannel {
    const channel = new FakePrivateChannel(snowflake(), ChannelType.GroupDM, users, false);
    this.privateChannels.set(channel.id, channel);
    return channel;
  }

  /** A guild channel or a private channel. */
  anyChannel(id: string): AnyChannel | undefined {
    return this.findChannel(id) ?? this.privateChannels.get(id);
  }

  findChannel(id: string): FakeChannel | undefined {
    for (const g of this.guilds.values()) {
      const c = g.channels.get(id);
      if (c) return c;
    }
    return undefined;
  }
}

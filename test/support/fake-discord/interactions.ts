import { ApplicationCommandOptionType as T, ComponentType } from 'discord.js';
import type { RegisteredCommand } from './commands.ts';
import type { FakeAttachment, FakeMessage, MessageStore } from './messages.ts';
import { randomToken, snowflake } from './snowflake.ts';
import { FakeChannel, FakeMember, FakePrivateChannel, FakeRole, FakeUser, type FakeGuild } from './world.ts';
import { P } from './permissions.ts';
import { waitFor } from '../wait.ts';

type Json = Record<string, unknown>;

export const InteractionType = { Command: 2, Component: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
export const CallbackType = {
  ChannelMessage: 4,
  DeferredChannelMessage: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

/**
 * Who invokes, and where. Defaults: the first guild's first text channel, its first human member.
 * `channel` may be a private channel: the bot's DM (context 1) or a group DM without the bot
 * (context 2). `install` says whose installation of the app authorises it: the server's (default)
 * or the user's own (a user-installed app: the only way it works in a group DM).
 */
export interface InvokeContext {
  user?: FakeUser;
  channel?: FakeChannel | FakePrivateChannel;
  locale?: string;
  install?: 'guild' | 'user';
}

export interface ResolvedContext {
  user: FakeUser;
  /** null in a DM or group DM. */
  guild: FakeGuild | null;
  channel: FakeChannel | FakePrivateChannel;
  locale: string;
  /** Discord's interaction context: 0 guild, 1 the bot's DM, 2 another private channel. */
  context: 0 | 1 | 2;
  install: 'guild' | 'user';
}

/** DMs allow files up to 10 MiB (no boosts). */
const PRIVATE_UPLOAD_LIMIT = 10 * 1024 * 1024;

/** A test-provided file for an ATTACHMENT option. */
export interface OptionFile {
  filename: string;
  data: Buffer;
  contentType?: string;
}

export type OptionValue = string | number | boolean | FakeUser | FakeMember | FakeRole | FakeChannel | OptionFile;

export interface CallbackRecord {
  type: number;
  data: Json;
  at: number;
}

/**
 * One interaction the fake sent, and everything the bot did with it: its callback, the
 * @original message (deferred placeholder, then edited), follow-ups, autocomplete choices.
 */
export class InteractionRecord {
  readonly id = snowflake();
  readonly token = randomToken(48);
  readonly sentAt = Date.now();
  readonly callbacks: CallbackRecord[] = [];
  /** Callbacks the fake refused (late, or a second acknowledgement), with Discord's error code. */
  readonly rejectedCallbacks: { code: number; at: number }[] = [];
  readonly followups: FakeMessage[] = [];
  original: FakeMessage | undefined;
  payload: Json = {};

  constructor(
    readonly type: number,
    readonly ctx: ResolvedContext,
    /** For component interactions: the message the button/select is on. */
    readonly sourceMessage: FakeMessage | null = null,
    readonly commandName: string | null = null,
  ) {}

  get acknowledged(): boolean {
    return this.callbacks.length > 0;
  }

  get callback(): CallbackRecord | undefined {
    return this.callbacks[0];
  }

  /** ms between INTERACTION_CREATE and the callback (Discord allows 3000). */
  get respondedInMs(): number | undefined {
    return this.callback ? this.callback.at - this.sentAt : undefined;
  }

  get ephemeral(): boolean {
    return this.original?.ephemeral ?? false;
  }

  /** The choices of an autocomplete result. */
  get choices(): { name: string; value: string | number }[] | undefined {
    const cb = this.callbacks.find((c) => c.type === CallbackType.AutocompleteResult);
    return cb?.data.choices as { name: string; value: string | number }[] | undefined;
  }

  /** Every message the interaction produced: @original (if any) and follow-ups. */
  get messages(): FakeMessage[] {
    return [...(this.original ? [this.original] : []), ...this.followups.filter((m) => m !== this.original)];
  }

  waitForCallback(timeout = 5_000): Promise<CallbackRecord> {
    return waitFor(() => this.callback, {
      timeout,
      message: () => `a response to ${this.describe()}${this.rejectedCallbacks.length ? ` (rejected: ${JSON.stringify(this.rejectedCallbacks)})` : ''}`,
    });
  }

  /**
   * Wait until @original satisfies `predicate` (default: no longer the deferred placeholder).
   * Progress edits can be read from `original.history`.
   */
  waitForOriginal(predicate: (m: FakeMessage) => boolean = (m) => !m.loading, timeout = 15_000): Promise<FakeMessage> {
    return waitFor(() => (this.original && predicate(this.original) ? this.original : undefined), {
      timeout,
      message: () =>
        `@original of ${this.describe()} to match (now: ${this.original ? JSON.stringify({ content: this.original.content, attachments: this.original.attachments.map((a) => a.filename), flags: this.original.flags }) : 'no response'})`,
    });
  }

  waitForFollowup(predicate: (m: FakeMessage) => boolean = () => true, timeout = 15_000): Promise<FakeMessage> {
    return waitFor(() => this.followups.find(predicate), {
      timeout,
      message: () => `a follow-up to ${this.describe()} (have ${this.followups.length})`,
    });
  }

  describe(): string {
    const what = this.commandName ? `/${this.commandName}` : this.sourceMessage ? 'component' : 'interaction';
    return `${what} interaction ${this.id}`;
  }
}

/** Fields every guild interaction carries (the ones discord.js 14.28 reads). */
export function baseInteraction(
  it: InteractionRecord,
  applicationId: string,
  data: Json,
): Json {
  const { user, guild, channel, locale } = it.ctx;
  const owners = it.ctx.install === 'user' ? { '1': user.id } : { '0': guild?.id ?? '0' };
  if (!guild || channel instanceof FakePrivateChannel) {
    return {
      id: it.id,
      application_id: applicationId,
      type: it.type,
      token: it.token,
      version: 1,
      data,
      channel_id: channel.id,
      channel: channel.toAPI(),
      user: user.toAPI(),
      // In private channels an app may post its responses, embed links and attach files.
      app_permissions: (P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles | P.ReadMessageHistory).toString(),
      locale,
      entitlements: [],
      authorizing_integration_owners: owners,
      context: it.ctx.context,
      attachment_size_limit: PRIVATE_UPLOAD_LIMIT,
      ...(it.sourceMessage ? { message: it.sourceMessage.toAPI() } : {}),
    };
  }
  const member = guild.member(user);
  const userPerms = guild.permissionsFor(user, channel);
  return {
    id: it.id,
    application_id: applicationId,
    type: it.type,
    token: it.token,
    version: 1,
    data,
    guild_id: guild.id,
    guild: { id: guild.id, locale: guild.preferredLocale, features: [] },
    channel_id: channel.id,
    channel: { ...channel.toAPI(), permissions: userPerms.toString() },
    member: { ...member.toAPI(), permissions: userPerms.toString() },
    // In a server without the bot, a user-installed app may answer with what the member may do
    // (modelled as the member's permissions within what an interaction response can use).
    app_permissions: (guild.hasBot ? guild.permissionsFor(applicationId, channel) : userPerms & (P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles | P.ReadMessageHistory | P.UseExternalEmojis)).toString(),
    locale,
    guild_locale: guild.preferredLocale,
    entitlements: [],
    authorizing_integration_owners: owners,
    context: 0,
    attachment_size_limit: guild.uploadLimitBytes,
    ...(it.sourceMessage ? { message: it.sourceMessage.toAPI() } : {}),
  };
}

interface OptionBuild {
  options: Json[];
  resolved: Json;
}

/**
 * Chat-input `data` for `path` ("compose" or "music play") typed by the registered definition,
 * checked like the Discord client checks user input (unknown/missing options, choices, ranges).
 * With `focused`, builds autocomplete data: that option is a partial string and nothing is
 * required yet.
 */
export function buildCommandData(
  command: RegisteredCommand,
  path: string[],
  values: Record<string, OptionValue>,
  ctx: ResolvedContext,
  messages: MessageStore,
  focused?: string,
): Json {
  let defs = (command.options ?? []) as Json[];
  const nest: { name: string; type: number }[] = [];
  for (const sub of path.slice(1)) {
    const def = defs.find((o) => o.name === sub && (o.type === T.Subcommand || o.type === T.SubcommandGroup));
    if (!def) throw new Error(`fake-discord: /${path.join(' ')}: no subcommand "${sub}"`);
    nest.push({ name: sub, type: Number(def.type) });
    defs = (def.options ?? []) as Json[];
  }
  if (defs.some((o) => o.type === T.Subcommand || o.type === T.SubcommandGroup)) {
    throw new Error(`fake-discord: /${path.join(' ')} needs a subcommand`);
  }
  const built = buildOptions(defs, values, ctx, messages, focused, `/${path.join(' ')}`);
  let options = built.options;
  for (const n of nest.reverse()) options = [{ name: n.name, type: n.type, options }];
  const resolved = Object.keys(built.resolved).length ? { resolved: built.resolved } : {};
  return { id: command.id, name: command.name, type: 1, guild_id: command.guild_id, options, ...resolved };
}

function buildOptions(
  defs: Json[],
  values: Record<string, OptionValue>,
  ctx: ResolvedContext,
  messages: MessageStore,
  focused: string | undefined,
  where: string,
): OptionBuild {
  for (const name of Object.keys(values)) {
    if (!defs.some((d) => d.name === name)) {
      throw new Error(`fake-discord: ${where} has no option "${name}" (has: ${defs.map((d) => d.name).join(', ') || 'none'})`);
    }
  }
  const out: OptionBuild = { options: [], resolved: {} };
  for (const def of defs) {
    const name = String(def.name);
    const value = values[name];
    const type = Number(def.type);
    if (value === undefined) {
      if (def.required && !focused) throw new Error(`fake-discord: ${where} requires option "${name}"`);
      continue;
    }
    if (name === focused) {
      if (!def.autocomplete) throw new Error(`fake-discord: ${where} option "${name}" has no autocomplete`);
      out.options.push({ name, type, value: String(value), focused: true });
      continue;
    }
    out.options.push({ name, type, value: optionValue(def, value, ctx, messages, out.resolved, where) });
  }
  return out;
}

function optionValue(def: Json, value: OptionValue, ctx: ResolvedContext, messages: MessageStore, resolved: Json, where: string): unknown {
  const name = `${where} option "${String(def.name)}"`;
  const bucket = (key: string) => ((resolved[key] ??= {}) as Json);
  const fail = (why: string) => new Error(`fake-discord: ${name}: ${why}`);
  switch (Number(def.type)) {
    case T.String: {
      if (typeof value !== 'string') throw fail('expects a string');
      if (def.min_length !== undefined && value.length < Number(def.min_length)) throw fail(`shorter than ${String(def.min_length)}`);
      if (def.max_length !== undefined && value.length > Number(def.max_length)) throw fail(`longer than ${String(def.max_length)}`);
      checkChoices(def, value, fail);
      return value;
    }
    case T.Integer:
    case T.Number: {
      if (typeof value !== 'number' || (Number(def.type) === T.Integer && !Number.isInteger(value))) {
        throw fail(Number(def.type) === T.Integer ? 'expects an integer' : 'expects a number');
      }
      if (def.min_value !== undefined && value < Number(def.min_value)) throw fail(`below min_value ${String(def.min_value)}`);
      if (def.max_value !== undefined && value > Number(def.max_value)) throw fail(`above max_value ${String(def.max_value)}`);
      checkChoices(def, value, fail);
      return value;
    }
    case T.Boolean:
      if (typeof value !== 'boolean') throw fail('expects a boolean');
      return value;
    case T.User:
    case T.Mentionable: {
      if (value instanceof FakeRole && Number(def.type) === T.Mentionable) return resolveRole(value, bucket);
      const user = value instanceof FakeMember ? value.user : value;
      if (!(user instanceof FakeUser)) throw fail('expects a FakeUser or FakeMember');
      bucket('users')[user.id] = user.toAPI();
      const member = ctx.guild?.members.get(user.id);
      if (member && ctx.guild && ctx.channel instanceof FakeChannel) {
        bucket('members')[user.id] = { ...member.toAPI(false), permissions: ctx.guild.permissionsFor(user, ctx.channel).toString() };
      }
      return user.id;
    }
    case T.Channel:
      if (!(value instanceof FakeChannel)) throw fail('expects a FakeChannel');
      bucket('channels')[value.id] = {
        id: value.id, name: value.name, type: value.type, guild_id: value.guild.id,
        permissions: (ctx.guild?.permissionsFor(ctx.user, value) ?? 0n).toString(),
      };
      return value.id;
    case T.Role:
      if (!(value instanceof FakeRole)) throw fail('expects a FakeRole');
      return resolveRole(value, bucket);
    case T.Attachment: {
      const file = value as OptionFile;
      if (!file || !Buffer.isBuffer(file.data)) throw fail('expects { filename, data: Buffer }');
      const a: FakeAttachment = messages.storeAttachment(ctx.channel.id, {
        filename: file.filename,
        contentType: file.contentType ?? 'application/octet-stream',
        data: file.data,
      });
      bucket('attachments')[a.id] = {
        id: a.id, filename: a.filename, size: a.size, url: a.url, proxy_url: a.url, content_type: a.contentType, ephemeral: true,
      };
      return a.id;
    }
    default:
      throw fail(`unsupported option type ${String(def.type)}`);
  }
}

function resolveRole(role: FakeRole, bucket: (k: string) => Json): string {
  bucket('roles')[role.id] = role.toAPI();
  return role.id;
}

function checkChoices(def: Json, value: string | number, fail: (why: string) => Error): void {
  const choices = def.choices as { value: unknown }[] | undefined;
  if (choices && !choices.some((c) => c.value === value)) {
    throw fail(`${JSON.stringify(value)} is not one of the choices ${JSON.stringify(choices.map((c) => c.value))}`);
  }
}

/** `data` of a component interaction, checked against the component on the message. */
export function buildComponentData(message: FakeMessage, customId: string, values?: string[] | (FakeUser | FakeRole | FakeChannel)[]): Json {
  const component = message.component(customId);
  if (!component) {
    throw new Error(`fake-discord: message ${message.id} has no component "${customId}" (has: ${message.customIds.join(', ') || 'none'})`);
  }
  if (component.disabled) throw new Error(`fake-discord: component "${customId}" is disabled`);
  const type = Number(component.type);
  if (values === undefined) {
    if (type !== ComponentType.Button) throw new Error(`fake-discord: "${customId}" is not a button; use select()`);
    return { custom_id: customId, component_type: type };
  }
  if (type === ComponentType.Button) throw new Error(`fake-discord: "${customId}" is a button; use click()`);
  const min = Number(component.min_values ?? 1);
  const max = Number(component.max_values ?? 1);
  if (values.length < min || values.length > max) {
    throw new Error(`fake-discord: select "${customId}" takes ${min}..${max} values, got ${values.length}`);
  }
  if (type === ComponentType.StringSelect) {
    const allowed = ((component.options ?? []) as Json[]).map((o) => o.value);
    for (const v of values) {
      if (!allowed.includes(v)) throw new Error(`fake-discord: select "${customId}" has no option ${JSON.stringify(v)} (has: ${allowed.join(', ')})`);
    }
    return { custom_id: customId, component_type: type, values };
  }
  const ids = values.map((v) => (typeof v === 'string' ? v : v.id));
  const resolved: Json = {};
  for (const v of values) {
    if (v instanceof FakeUser) ((resolved.users ??= {}) as Json)[v.id] = v.toAPI();
    else if (v instanceof FakeRole) ((resolved.roles ??= {}) as Json)[v.id] = v.toAPI();
    else if (v instanceof FakeChannel) ((resolved.channels ??= {}) as Json)[v.id] = { id: v.id, name: v.name, type: v.type };
  }
  return { custom_id: customId, component_type: type, values: ids, resolved };
}

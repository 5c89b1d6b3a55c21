import type { CommandRegistry } from './commands.ts';
import { CallbackType, InteractionType, type InteractionRecord } from './interactions.ts';
import { MessageFlags, isEmptyMessage, type FakeMessage, type MessageStore } from './messages.ts';
import type { UploadedFile } from './multipart.ts';
import { P } from './permissions.ts';
import { apiError, type RestRequest, type RestResponse, type Route } from './rest.ts';
import { validateCommands, validateMessageBody } from './validate.ts';
import { FakePrivateChannel, type FakeGuild, type World } from './world.ts';

/** What the REST routes need from the fake. */
export interface RouteContext {
  world: World;
  messages: MessageStore;
  commands: CommandRegistry;
  interactions: Map<string, InteractionRecord>;
  gatewayUrl: () => string;
  /** What GET /gateway/bot advises: shard count and IDENTIFYs allowed at once. */
  gatewayAdvice: () => { shards: number; maxConcurrency: number };
  /** Discord's 3-second window for the first interaction response (read per request). */
  responseWindowMs: () => number;
  dispatch: (t: string, d: unknown, guildId: string | null) => void;
}

type Json = Record<string, unknown>;

const ok = (body?: unknown, status = 200): RestResponse => ({ status: body === undefined ? 204 : status, body });
const E = {
  unknownChannel: () => apiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => apiError(404, 10004, 'Unknown Guild'),
  unknownMessage: () => apiError(404, 10008, 'Unknown Message'),
  unknownMember: () => apiError(404, 10007, 'Unknown Member'),
  unknownUser: () => apiError(404, 10013, 'Unknown User'),
  unknownWebhook: () => apiError(404, 10015, 'Unknown Webhook'),
  unknownCommand: () => apiError(404, 10063, 'Unknown application command'),
  unknownInteraction: () => apiError(404, 10062, 'Unknown interaction'),
  alreadyAcked: () => apiError(400, 40060, 'Interaction has already been acknowledged.'),
  empty: () => apiError(400, 50006, 'Cannot send an empty message'),
  missingPermissions: () => apiError(403, 50013, 'Missing Permissions'),
  missingAccess: () => apiError(403, 50001, 'Missing Access'),
  notAuthor: () => apiError(403, 50005, 'Cannot edit a message authored by another user'),
  tooLarge: () => apiError(413, 40005, 'Request entity too large'),
  invalidForm: (errors: unknown) => apiError(400, 50035, 'Invalid Form Body', errors),
};

export function buildRoutes(ctx: RouteContext): Route[] {
  const { world, messages, commands } = ctx;
  const bot = world.bot;
  const appId = world.applicationId;
  const r = (method: string, route: string, handle: Route['handle'], auth = true): Route => ({ method, route, handle, auth });

  const guildOf = (id: string | undefined) => (id ? world.guild(id) : undefined);
  const dispatchMessage = (t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', m: FakeMessage) => {
    // Ephemeral messages exist only for their recipient; the bot's gateway never sees them.
    if (!m.ephemeral) ctx.dispatch(t, { ...m.toAPI(), channel_type: world.anyChannel(m.channelId)?.type, member: undefined }, m.guildId);
  };

  /** Validate and apply a message create/edit; on failure the message is left unchanged. */
  const writeMessage = (m: FakeMessage, body: Json, files: UploadedFile[], isEdit: boolean): RestResponse | null => {
    const errors = validateMessageBody(body);
    if (errors) return E.invalidForm(errors);
    const limit = guildOf(m.guildId ?? undefined)?.uploadLimitBytes ?? 10 * 1024 * 1024;
    if (files.some((f) => f.data.length > limit)) return E.tooLarge();
    const before = { content: m.content, embeds: m.embeds, components: m.components, attachments: m.attachments, flags: m.flags, editedAt: m.editedAt };
    messages.apply(m, body, files, isEdit);
    if (isEmptyMessage(m)) {
      Object.assign(m, before);
      m.history.pop();
      return E.empty();
    }
    return null;
  };

  const interactionMessage = (it: InteractionRecord) =>
    messages.create([it.ctx.channel.id, it.ctx.guild?.id ?? null, bot, { id: it.id, type: it.type, name: it.commandName ?? undefined, user: it.ctx.user }, appId]);

  /** The interaction behind a webhook token (interaction webhooks only). */
  const byToken = (req: RestRequest): InteractionRecord | undefined => {
    if (req.params.app !== appId) return undefined;
    for (const it of ctx.interactions.values()) if (it.token === req.params.token) return it;
    return undefined;
  };

  const webhookMessage = (it: InteractionRecord, id: string): FakeMessage | undefined => {
    if (id === '@original') return it.original;
    return it.messages.find((m) => m.id === id);
  };

  const callback = (req: RestRequest): RestResponse => {
    const it = ctx.interactions.get(req.params.id!);
    if (!it || it.token !== req.params.token) return E.unknownInteraction();
    if (Date.now() - it.sentAt > ctx.responseWindowMs()) {
      it.rejectedCallbacks.push({ code: 10062, at: Date.now() });
      return E.unknownInteraction();
    }
    if (it.acknowledged) {
      it.rejectedCallbacks.push({ code: 40060, at: Date.now() });
      return E.alreadyAcked();
    }
    const body = (req.json ?? {}) as Json;
    const type = Number(body.type);
    const data = (body.data ?? {}) as Json;
    const allowed: Record<number, number[]> = {
      [InteractionType.Command]: [4, 5, 9],
      [InteractionType.Component]: [4, 5, 6, 7, 9],
      [InteractionType.Autocomplete]: [8],
      [InteractionType.ModalSubmit]: [4, 5, 6, 7],
    };
    if (!allowed[it.type]?.includes(type)) {
      return E.invalidForm({ type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Callback type ${type} is not valid for interaction type ${it.type}` }] } });
    }
    switch (type) {
      case CallbackType.ChannelMessage: {
        const m = interactionMessage(it);
        const failed = writeMessage(m, data, req.files, false);
        if (failed) return failed;
        it.original = m;
        dispatchMessage('MESSAGE_CREATE', m);
        break;
      }
      case CallbackType.DeferredChannelMessage: {
        const m = interactionMessage(it);
        m.flags = MessageFlags.Loading | (Number(data.flags ?? 0) & MessageFlags.Ephemeral);
        m.snapshot();
        it.original = m;
        dispatchMessage('MESSAGE_CREATE', m);
        break;
      }
      case CallbackType.DeferredUpdateMessage:
        it.original = it.sourceMessage ?? undefined;
        break;
      case CallbackType.UpdateMessage: {
        const m = it.sourceMessage!;
        const failed = writeMessage(m, data, req.files, true);
        if (failed) return failed;
        it.original = m;
        dispatchMessage('MESSAGE_UPDATE', m);
        break;
      }
      case CallbackType.AutocompleteResult: {
        const choices = (data.choices ?? []) as Json[];
        if (choices.length > 25 || choices.some((c) => typeof c.name !== 'string' || !c.name || [...c.name].length > 100)) {
          return E.invalidForm({ 'data.choices': { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'At most 25 choices, names 1..100 characters.' }] } });
        }
        break;
      }
      case CallbackType.Modal:
        if (!data.custom_id || !data.title || [...String(data.title)].length > 45) {
          return E.invalidForm({ 'data.title': { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'A modal needs a custom_id and a title of 1..45.' }] } });
        }
        break;
    }
    it.callbacks.push({ type, data, at: Date.now() });
    if (req.query.get('with_response') !== 'true') return ok();
    return ok({
      interaction: {
        id: it.id,
        type: it.type,
        response_message_id: it.original?.id,
        response_message_loading: it.original?.loading ?? false,
        response_message_ephemeral: it.original?.ephemeral ?? false,
      },
      resource: { type, ...(it.original && type !== 6 ? { message: it.original.toAPI() } : {}) },
    });
  };

  const webhookGet = (req: RestRequest) => {
    const it = byToken(req);
    if (!it) return E.unknownWebhook();
    const m = webhookMessage(it, req.params.message!);
    return m && !m.deleted ? ok(m.toAPI()) : E.unknownMessage();
  };

  const webhookEdit = (req: RestRequest) => {
    const it = byToken(req);
    if (!it) return E.unknownWebhook();
    const m = webhookMessage(it, req.params.message!);
    if (!m || m.deleted) return E.unknownMessage();
    const failed = writeMessage(m, (req.json ?? {}) as Json, req.files, true);
    if (failed) return failed;
    dispatchMessage('MESSAGE_UPDATE', m);
    return ok(m.toAPI());
  };

  const webhookDelete = (req: RestRequest) => {
    const it = byToken(req);
    if (!it) return E.unknownWebhook();
    const m = webhookMessage(it, req.params.message!);
    if (!m || m.deleted) return E.unknownMessage();
    m.deleted = true;
    if (!m.ephemeral) ctx.dispatch('MESSAGE_DELETE', { id: m.id, channel_id: m.channelId, guild_id: m.guildId }, m.guildId);
    return ok();
  };

  const followup = (req: RestRequest) => {
    const it = byToken(req);
    if (!it || !it.acknowledged) return E.unknownWebhook();
    const body = (req.json ?? {}) as Json;
    let m: FakeMessage;
    // Discord: the first follow-up after a deferred reply replaces the "thinking…" message.
    if (it.original?.loading && it.followups.length === 0 && it.callback?.type === CallbackType.DeferredChannelMessage) {
      m = it.original;
      const failed = writeMessage(m, body, req.files, true);
      if (failed) return failed;
      dispatchMessage('MESSAGE_UPDATE', m);
    } else {
      m = interactionMessage(it);
      const failed = writeMessage(m, body, req.files, false);
      if (failed) return failed;
      dispatchMessage('MESSAGE_CREATE', m);
    }
    it.followups.push(m);
    return req.query.get('wait') === 'true' ? ok(m.toAPI()) : ok();
  };

  const channelMessageCreate = (req: RestRequest) => {
    const channel = world.anyChannel(req.params.channel!);
    if (!channel) return E.unknownChannel();
    if (channel instanceof FakePrivateChannel) {
      // The bot posts only in its own DMs; a group DM it is not in is out of reach.
      if (!channel.withBot) return E.missingAccess();
    } else {
      const perms = channel.guild.permissionsFor(bot, channel);
      const replying = Boolean(((req.json ?? {}) as Json).message_reference);
      // A reply needs Read Message History besides View Channel and Send Messages.
      const send = channel.isThread ? P.SendMessagesInThreads : P.SendMessages;
      const needed = P.ViewChannel | send | (req.files.length ? P.AttachFiles : 0n) | (replying ? P.ReadMessageHistory : 0n);
      if ((perms & needed) !== needed) return E.missingPermissions();
    }
    const body = (req.json ?? {}) as Json;
    const ref = body.message_reference as Json | undefined;
    let reference: FakeMessage | null = null;
    if (ref?.message_id) {
      reference = messages.get(String(ref.message_id)) ?? null;
      if ((!reference || reference.deleted || reference.channelId !== channel.id) && ref.fail_if_not_exists !== false) {
        return E.invalidForm({ message_reference: { _errors: [{ code: 'REPLIES_UNKNOWN_MESSAGE', message: 'Unknown message' }] } });
      }
    }
    const m = messages.create([channel.id, channel instanceof FakePrivateChannel ? null : channel.guild.id, bot, null, null]);
    m.reference = reference;
    const failed = writeMessage(m, body, req.files, false);
    if (failed) {
      m.deleted = true;
      return failed;
    }
    dispatchMessage('MESSAGE_CREATE', m);
    return ok(m.toAPI());
  };

  const channelMessage = (req: RestRequest) => {
    const m = messages.get(req.params.message!);
    return m && !m.deleted && !m.ephemeral && m.channelId === req.params.channel ? m : undefined;
  };

  const commandList = (req: RestRequest) => {
    if (req.params.app !== appId) return undefined;
    if (req.params.guild && !world.guild(req.params.guild)) return undefined;
    return req.params.guild ?? null;
  };

  const commandsPut = (req: RestRequest) => {
    const guildId = commandList(req);
    if (guildId === undefined) return E.unknownGuild();
    const errors = validateCommands(req.json);
    if (errors) return E.invalidForm(errors);
    return ok(commands.overwrite(req.json as Json[], guildId));
  };

  const commandsPost = (req: RestRequest) => {
    const guildId = commandList(req);
    if (guildId === undefined) return E.unknownGuild();
    const errors = validateCommands([req.json]);
    if (errors) return E.invalidForm(errors);
    return ok(commands.upsert(req.json as Json, guildId), 201);
  };

  const guildAPI = (g: FakeGuild) => {
    const { members: _m, channels: _c, voice_states: _v, threads: _t, presences: _p, ...rest } = g.toGuildCreate({ withVoiceStates: false });
    return rest;
  };

  const application = () => ({
    id: appId,
    name: bot.username,
    icon: null,
    description: '',
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    team: null,
    owner: { id: '0', username: 'owner', discriminator: '0', avatar: null },
    bot: bot.toAPI(),
  });

  return [
    r('GET', '/gateway', () => ok({ url: ctx.gatewayUrl() }), false),
    r('GET', '/gateway/bot', () =>
      ok({ url: ctx.gatewayUrl(), shards: ctx.gatewayAdvice().shards, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: ctx.gatewayAdvice().maxConcurrency } }),
    ),
    r('GET', '/users/@me', () => ok(bot.toAPI())),
    r('GET', '/users/:user', (req) => {
      const u = world.users.get(req.params.user!);
      return u ? ok(u.toAPI()) : E.unknownUser();
    }),
    r('GET', '/applications/@me', () => ok(application())),
    r('GET', '/oauth2/applications/@me', () => ok(application())),

    r('GET', '/applications/:app/commands', (req) => (commandList(req) === null ? ok(commands.global) : E.unknownGuild())),
    r('PUT', '/applications/:app/commands', commandsPut),
    r('POST', '/applications/:app/commands', commandsPost),
    r('GET', '/applications/:app/guilds/:guild/commands', (req) => {
      const g = commandList(req);
      return g ? ok(commands.list(g)) : E.unknownGuild();
    }),
    r('PUT', '/applications/:app/guilds/:guild/commands', commandsPut),
    r('POST', '/applications/:app/guilds/:guild/commands', commandsPost),
    r('DELETE', '/applications/:app/commands/:command', (req) =>
      commands.remove(req.params.command!, null) ? ok() : E.unknownCommand(),
    ),
    r('DELETE', '/applications/:app/guilds/:guild/commands/:command', (req) =>
      commands.remove(req.params.command!, req.params.guild!) ? ok() : E.unknownCommand(),
    ),

    r('POST', '/interactions/:id/:token/callback', callback, false),
    r('GET', '/webhooks/:app/:token/messages/:message', webhookGet, false),
    r('PATCH', '/webhooks/:app/:token/messages/:message', webhookEdit, false),
    r('DELETE', '/webhooks/:app/:token/messages/:message', webhookDelete, false),
    r('POST', '/webhooks/:app/:token', followup, false),

    r('GET', '/channels/:channel', (req) => {
      const c = world.anyChannel(req.params.channel!);
      if (c instanceof FakePrivateChannel && !c.withBot) return E.missingAccess();
      return c ? ok(c.toAPI()) : E.unknownChannel();
    }),
    r('POST', '/users/@me/channels', (req) => {
      const user = world.users.get(String(((req.json ?? {}) as Json).recipient_id ?? ''));
      return user ? ok(world.dmWith(user).toAPI()) : E.unknownUser();
    }),
    r('POST', '/channels/:channel/messages', channelMessageCreate),
    r('GET', '/channels/:channel/messages/:message', (req) => {
      const channel = world.findChannel(req.params.channel!);
      if (channel && (channel.guild.permissionsFor(bot, channel) & (P.ViewChannel | P.ReadMessageHistory)) !== (P.ViewChannel | P.ReadMessageHistory)) return E.missingAccess();
      const m = channelMessage(req);
      return m ? ok(m.toAPI()) : E.unknownMessage();
    }),
    r('PATCH', '/channels/:channel/messages/:message', (req) => {
      const m = channelMessage(req);
      if (!m) return E.unknownMessage();
      if (m.author !== bot) return E.notAuthor();
      const failed = writeMessage(m, (req.json ?? {}) as Json, req.files, true);
      if (failed) return failed;
      dispatchMessage('MESSAGE_UPDATE', m);
      return ok(m.toAPI());
    }),
    r('DELETE', '/channels/:channel/messages/:message', (req) => {
      const m = channelMessage(req);
      if (!m) return E.unknownMessage();
      m.deleted = true;
      ctx.dispatch('MESSAGE_DELETE', { id: m.id, channel_id: m.channelId, guild_id: m.guildId }, m.guildId);
      return ok();
    }),

    r('GET', '/guilds/:guild', (req) => {
      const g = guildOf(req.params.guild);
      return g ? ok(guildAPI(g)) : E.unknownGuild();
    }),
    r('GET', '/guilds/:guild/channels', (req) => {
      const g = guildOf(req.params.guild);
      return g ? ok([...g.channels.values()].map((c) => c.toAPI())) : E.unknownGuild();
    }),
    r('GET', '/guilds/:guild/roles', (req) => {
      const g = guildOf(req.params.guild);
      return g ? ok([...g.roles.values()].map((x) => x.toAPI())) : E.unknownGuild();
    }),
    r('GET', '/guilds/:guild/members/:user', (req) => {
      const g = guildOf(req.params.guild);
      if (!g) return E.unknownGuild();
      const m = g.members.get(req.params.user === '@me' ? bot.id : req.params.user!);
      return m ? ok(m.toAPI()) : E.unknownMember();
    }),
    r('GET', '/guilds/:guild/voice-states/:user', (req) => {
      const g = guildOf(req.params.guild);
      if (!g) return E.unknownGuild();
      const s = g.voiceStates.get(req.params.user === '@me' ? bot.id : req.params.user!);
      if (!s) return apiError(404, 10065, 'Unknown Voice State');
      return ok({ guild_id: g.id, channel_id: s.channelId, user_id: s.userId, session_id: s.sessionId, deaf: false, mute: false, self_deaf: s.selfDeaf, self_mute: s.selfMute, self_video: false, suppress: false, request_to_speak_timestamp: null });
    }),
  ];
}

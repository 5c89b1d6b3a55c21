import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import { WebSocketServer, WebSocket } from 'ws';
import { randomToken } from './snowflake.ts';
import type { DispatchData, World } from './world.ts';
import { waitFor } from '../wait.ts';

/**
 * The fake main gateway (JSON encoding, no compression): HELLO → IDENTIFY → READY + one full
 * GUILD_CREATE per guild of the shard, heartbeats, RESUME with replay of missed dispatches,
 * intent filtering of dispatches, and fault injection (close codes, INVALID_SESSION, RECONNECT).
 */

const HEARTBEAT_INTERVAL_MS = 41_250;

// Gateway intents that gate each dispatch (events not listed are always sent).
const I = { Guilds: 1 << 0, GuildMembers: 1 << 1, GuildVoiceStates: 1 << 7, GuildMessages: 1 << 9, DirectMessages: 1 << 12 };
const EVENT_INTENT: Record<string, number> = {
  GUILD_CREATE: I.Guilds,
  GUILD_UPDATE: I.Guilds,
  GUILD_DELETE: I.Guilds,
  GUILD_ROLE_CREATE: I.Guilds,
  GUILD_ROLE_UPDATE: I.Guilds,
  GUILD_ROLE_DELETE: I.Guilds,
  CHANNEL_CREATE: I.Guilds,
  CHANNEL_UPDATE: I.Guilds,
  CHANNEL_DELETE: I.Guilds,
  THREAD_CREATE: I.Guilds,
  GUILD_MEMBER_ADD: I.GuildMembers,
  GUILD_MEMBER_UPDATE: I.GuildMembers,
  GUILD_MEMBER_REMOVE: I.GuildMembers,
  VOICE_STATE_UPDATE: I.GuildVoiceStates,
  MESSAGE_CREATE: I.GuildMessages,
  MESSAGE_UPDATE: I.GuildMessages,
  MESSAGE_DELETE: I.GuildMessages,
};

export interface GatewaySession {
  id: string;
  shard: [id: number, count: number];
  intents: number;
  /** Last sequence number sent on this session. */
  seq: number;
  /** Every dispatch of the session, kept for RESUME replay. */
  sent: { s: number; t: string; d: unknown }[];
  ws: WebSocket | null;
  /** False once INVALID_SESSION(false) was sent or a newer IDENTIFY replaced it. */
  resumable: boolean;
  resumes: number;
  /** Dispatches re-sent on RESUME because the bot had missed them. */
  replayed: number;
}

export interface ReceivedFrame {
  op: number;
  d: unknown;
  sessionId: string | null;
  at: number;
}

export interface GatewayOptions {
  world: World;
  token: string;
  /** ws:// base of the HTTP server the gateway is attached to. */
  baseUrl: () => string;
  onVoiceStateUpdate: (session: GatewaySession, d: VoiceStateUpdateData) => void;
}

export interface VoiceStateUpdateData {
  guild_id: string;
  channel_id: string | null;
  self_mute?: boolean;
  self_deaf?: boolean;
}

export class FakeGateway extends EventEmitter {
  readonly sessions: GatewaySession[] = [];
  /** Every frame the bot sent (heartbeats included), for assertions. */
  readonly received: ReceivedFrame[] = [];
  /** Every socket the bot opened: which path (gateway or resume URL) and its query. */
  readonly connections: { path: string; query: string; at: number }[] = [];
  identifies = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly opts: GatewayOptions;

  constructor(opts: GatewayOptions) {
    super();
    this.opts = opts;
    opts.world.on('dispatch', (t, d, guildId) => this.dispatch(t, d, guildId));
  }

  get url(): string {
    return `${this.opts.baseUrl()}/gateway`;
  }

  private get resumeUrl(): string {
    return `${this.opts.baseUrl()}/gateway-resume`;
  }

  /** Called by the HTTP server for upgrade requests on /gateway and /gateway-resume. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
  }

  private onConnection(ws: WebSocket, url: URL): void {
    this.connections.push({ path: url.pathname, query: url.search, at: Date.now() });
    if (url.searchParams.get('v') !== '10' || url.searchParams.get('encoding') !== 'json') {
      ws.close(4012, 'fake-discord supports only v=10&encoding=json');
      return;
    }
    let session: GatewaySession | null = null;
    ws.on('message', (raw) => {
      let frame: { op: number; d: unknown };
      try {
        frame = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.received.push({ op: frame.op, d: frame.d, sessionId: session?.id ?? null, at: Date.now() });
      this.emit('frame', frame);
      switch (frame.op) {
        case 1:
          send(ws, { op: 11, d: null });
          break;
        case 2:
          if (session) return ws.close(4005, 'Already authenticated.');
          session = this.identify(ws, frame.d as IdentifyData);
          break;
        case 6:
          if (session) return ws.close(4005, 'Already authenticated.');
          session = this.resume(ws, frame.d as { token: string; session_id: string; seq: number });
          break;
        case 3:
          break; // presence update: recorded only
        case 4:
          if (!session) return ws.close(4003, 'Not authenticated.');
          this.opts.onVoiceStateUpdate(session, frame.d as VoiceStateUpdateData);
          break;
        case 8:
          if (!session) return ws.close(4003, 'Not authenticated.');
          this.sendMemberChunk(session, frame.d as { guild_id: string; nonce?: string });
          break;
        default:
          ws.close(4001, 'Unknown opcode.');
      }
    });
    ws.on('close', () => {
      if (session?.ws === ws) session.ws = null;
    });
    send(ws, { op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS } });
  }

  private identify(ws: WebSocket, d: IdentifyData): GatewaySession | null {
    if (d.token !== this.opts.token) {
      ws.close(4004, 'Authentication failed.');
      return null;
    }
    const shard = d.shard ?? [0, 1];
    for (const old of this.sessions) if (old.shard[0] === shard[0]) old.resumable = false;
    const session: GatewaySession = {
      id: randomToken(16),
      shard,
      intents: d.intents,
      seq: 0,
      sent: [],
      ws,
      resumable: true,
      resumes: 0,
      replayed: 0,
    };
    this.sessions.push(session);
    this.identifies++;
    const guilds = [...this.opts.world.guilds.values()].filter((g) => g.hasBot && this.shardOf(g.id, shard[1]) === shard[0]);
    const world = this.opts.world;
    this.sendDispatch(session, 'READY', {
      v: 10,
      user: { ...world.bot.toAPI(), verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.resumeUrl,
      shard,
      application: { id: world.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['fake'],
      user_settings: {},
      _trace: ['["fake-discord",{"micros":0}]'],
    });
    for (const g of guilds) {
      this.sendDispatch(session, 'GUILD_CREATE', g.toGuildCreate({ withVoiceStates: (d.intents & I.GuildVoiceStates) !== 0 }));
    }
    this.emit('ready', session);
    return session;
  }

  private resume(ws: WebSocket, d: { token: string; session_id: string; seq: number }): GatewaySession | null {
    if (d.token !== this.opts.token) {
      ws.close(4004, 'Authentication failed.');
      return null;
    }
    const session = this.sessions.find((s) => s.id === d.session_id);
    if (!session || !session.resumable) {
      send(ws, { op: 9, d: false });
      return null;
    }
    session.ws = ws;
    session.resumes++;
    // Replay what the bot missed, in order, then RESUMED (as Discord does).
    for (const e of session.sent) {
      if (e.s <= d.seq) continue;
      send(ws, { op: 0, s: e.s, t: e.t, d: e.d });
      session.replayed++;
    }
    this.sendDispatch(session, 'RESUMED', { _trace: ['fake-discord'] });
    this.emit('resumed', session);
    return session;
  }

  private sendMemberChunk(session: GatewaySession, d: { guild_id: string; nonce?: string }): void {
    const guild = this.opts.world.guild(d.guild_id);
    if (!guild) return;
    this.sendDispatch(session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: guild.id,
      members: [...guild.members.values()].map((m) => m.toAPI()),
      chunk_index: 0,
      chunk_count: 1,
      not_found: [],
      nonce: d.nonce,
    });
  }

  private shardOf(guildId: string, shardCount: number): number {
    return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
  }

  /** The live (latest, resumable) session of each shard. */
  private liveSessions(): GatewaySession[] {
    return this.sessions.filter((s) => s.resumable);
  }

  /**
   * Send a dispatch to the session owning `guildId` (shard 0 for DMs), subject to its intents.
   * While the bot is disconnected the event is only buffered; RESUME replays it.
   */
  dispatch(t: string, data: DispatchData, guildId: string | null): void {
    for (const session of this.liveSessions()) {
      const shard = guildId ? this.shardOf(guildId, session.shard[1]) : 0;
      if (shard !== session.shard[0]) continue;
      // Message events outside a guild need DirectMessages instead of GuildMessages.
      const needed = !guildId && t.startsWith('MESSAGE_') ? I.DirectMessages : EVENT_INTENT[t];
      if (needed !== undefined && (session.intents & needed) === 0) continue;
      const d = typeof data === 'function' ? (data as (i: number) => unknown)(session.intents) : data;
      this.sendDispatch(session, t, d);
    }
  }

  private sendDispatch(session: GatewaySession, t: string, d: unknown): void {
    session.seq++;
    session.sent.push({ s: session.seq, t, d });
    if (session.ws?.readyState === WebSocket.OPEN) send(session.ws, { op: 0, s: session.seq, t, d });
  }

  /**
   * Wait until the bot has a session (it identified), connected or not: dispatches to a
   * disconnected session are buffered and replayed on RESUME, as on Discord.
   */
  async waitForSession(timeout = 10_000): Promise<GatewaySession> {
    return waitFor(() => this.liveSessions()[0], { timeout, message: 'the bot to IDENTIFY on the fake gateway' });
  }

  /**
   * Resolves when the bot is back after a fault: 'resumed' (RESUME accepted) or 'identified'
   * (fresh session). Created before the fault is injected, so no event is missed.
   */
  private backAfter(fault: () => void, timeout: number): Promise<'resumed' | 'identified'> {
    const back = new Promise<'resumed' | 'identified'>((resolve, reject) => {
      const done = (how: 'resumed' | 'identified') => {
        clearTimeout(timer);
        this.off('resumed', onResumed);
        this.off('ready', onReady);
        resolve(how);
      };
      const onResumed = () => done('resumed');
      const onReady = () => done('identified');
      const timer = setTimeout(() => {
        this.off('resumed', onResumed);
        this.off('ready', onReady);
        reject(new Error(`timed out after ${timeout} ms waiting for the bot to resume or re-identify`));
      }, timeout);
      this.on('resumed', onResumed);
      this.on('ready', onReady);
    });
    back.catch(() => {}); // a caller that does not await must not crash the run
    fault();
    return back;
  }

  /**
   * Fault: close the bot's gateway socket(s) with a close code (default 4000, resumable).
   * Dispatches made meanwhile are buffered and replayed on RESUME. Resolves when the bot is back.
   */
  disconnect(code = 4000, opts: { timeout?: number } = {}): Promise<'resumed' | 'identified'> {
    return this.backAfter(() => {
      for (const s of this.liveSessions()) s.ws?.close(code, 'fake-discord: injected disconnect');
    }, opts.timeout ?? 15_000);
  }

  /**
   * Fault: INVALID_SESSION. Not resumable (default) forces a fresh IDENTIFY (discord.js waits
   * out its 5 s identify throttle if the last IDENTIFY was recent). Resolves when the bot is back.
   */
  invalidateSession(resumable = false, opts: { timeout?: number } = {}): Promise<'resumed' | 'identified'> {
    return this.backAfter(() => {
      for (const s of this.liveSessions()) {
        if (s.ws) send(s.ws, { op: 9, d: resumable });
        if (!resumable) s.resumable = false;
      }
    }, opts.timeout ?? 15_000);
  }

  /** Fault: op 7 RECONNECT; the bot must reconnect and resume. Resolves when it is back. */
  requestReconnect(opts: { timeout?: number } = {}): Promise<'resumed' | 'identified'> {
    return this.backAfter(() => {
      for (const s of this.liveSessions()) if (s.ws) send(s.ws, { op: 7, d: null });
    }, opts.timeout ?? 15_000);
  }

  get resumes(): number {
    return this.sessions.reduce((n, s) => n + s.resumes, 0);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

interface IdentifyData {
  token: string;
  intents: number;
  shard?: [number, number];
}

function send(ws: WebSocket, payload: { op: number; d: unknown; s?: number | null; t?: string | null }): void {
  ws.send(JSON.stringify({ s: null, t: null, ...payload }));
}

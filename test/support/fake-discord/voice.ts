import { createDecipheriv, randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { DAVE_PROTOCOL_VERSION, DaveMediaSession, type DaveParticipant } from './dave.ts';
import { DaveListener, isDaveFrame } from './daveListener.ts';
import { ExternalSender } from './mls.ts';
import { OPUS_SILENCE_FRAME, decodeOpus, type DecodedAudio } from './opus.ts';
import type { World } from './world.ts';
import { waitFor } from '../wait.ts';

/**
 * The fake voice server: a TLS voice gateway (v8: JSON ops, and DAVE's binary ops) and a UDP
 * endpoint that answers IP discovery, then decrypts aead_aes256_gcm_rtpsize RTP with Node's
 * crypto and keeps the frames per connection. With DAVE (the default; a client offering
 * max_dave_protocol_version 0 gets 0) each voice channel is an MLS media session (dave.ts),
 * and every person in the bot's channel is a simulated DAVE client (daveListener.ts) that
 * joins the group, stays in it while in the channel, and decrypts the bot's E2EE frames.
 */

export const CERT_DIR = new URL('../certs/', import.meta.url);
const ENCRYPTION_MODE = 'aead_aes256_gcm_rtpsize';
const RTP_OPUS_PAYLOAD_TYPE = 120;

export interface OpusFrame {
  sequence: number;
  timestamp: number;
  opus: Buffer;
  receivedAt: number;
  /** @discordjs/voice's 3-byte silence frame (padding after a track, or on underrun). */
  silence: boolean;
  /** The frame was DAVE end-to-end encrypted; `opus` is what the listeners decrypted. */
  e2ee: boolean;
  /** E2EE, and no listener in the channel could decrypt it: `opus` is still ciphertext. */
  undecrypted?: boolean;
  /** The DAVE frame itself (after transport decryption), for E2EE frames. */
  sealed?: Buffer;
}

export interface VoiceExpectation {
  guildId: string;
  channelId: string;
  userId: string;
  sessionId: string;
  token: string;
}

/** One voice connection of the bot (one guild), as the fake saw it. */
export class VoiceConnectionRecord implements DaveParticipant {
  readonly ssrc: number;
  readonly secretKey = randomBytes(32);
  /** Every Opus frame, in arrival order, silence frames included. */
  readonly frames: OpusFrame[] = [];
  /** Speaking (op 5) updates from the client. */
  readonly speaking: { speaking: number; at: number }[] = [];
  /** JSON ops the client sent on the voice gateway. */
  readonly received: { op: number; d: unknown; at: number }[] = [];
  decryptFailures = 0;
  /** Highest DAVE protocol version the client offered in IDENTIFY. */
  offeredDaveVersion: number | null = null;
  selectedMode: string | null = null;
  /** The DAVE protocol version the fake selected (op 4): 1, or 0 without DAVE. */
  daveProtocolVersion = 0;
  /** The DAVE media session (MLS group) of its channel, when DAVE was selected. */
  media: DaveMediaSession | null = null;
  udpRemote: RemoteInfo | null = null;
  ws: WebSocket | null = null;
  closed = false;

  constructor(
    readonly expectation: VoiceExpectation,
    ssrc: number,
  ) {
    this.ssrc = ssrc;
  }

  get guildId(): string {
    return this.expectation.guildId;
  }

  get channelId(): string {
    return this.expectation.channelId;
  }

  get userId(): string {
    return this.expectation.userId;
  }

  /** A gateway message to the client (DAVE ops from the media session). */
  send(raw: string | Buffer): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(raw);
  }

  /** Frames that were end-to-end encrypted (DAVE), silence excluded. */
  get e2eeFrames(): OpusFrame[] {
    return this.audioFrames.filter((f) => f.e2ee);
  }

  /** True once SESSION_DESCRIPTION was sent: the client may now send audio. */
  ready = false;

  /** Frames that carry audio (the player's silence padding left out). */
  get audioFrames(): OpusFrame[] {
    return this.frames.filter((f) => !f.silence);
  }

  /**
   * Decode the received audio to PCM (silence padding excluded, so duration = the track).
   * `filter` selects frames, e.g. `(f) => f.receivedAt >= t` for what was played after t.
   */
  decode(filter: (f: OpusFrame) => boolean = () => true): DecodedAudio {
    return decodeFrames(this.audioFrames.filter(filter));
  }

  /** Wait for at least `count` audio frames (20 ms each). */
  waitForFrames(count: number, timeout = 10_000): Promise<OpusFrame[]> {
    return waitFor(() => (this.audioFrames.length >= count ? this.audioFrames : undefined), {
      timeout,
      message: () => `${count} Opus frames on the voice connection (got ${this.audioFrames.length})`,
    });
  }

  /**
   * Wait until the client stopped speaking after sending audio: @discordjs/voice sends
   * speaking 0 when its player goes idle, after the track and its silence padding.
   */
  waitForPlaybackEnd(timeout = 30_000): Promise<void> {
    return waitFor(
      () => {
        const last = this.speaking.at(-1);
        return this.audioFrames.length > 0 && last?.speaking === 0;
      },
      { timeout, message: () => `the end of playback (speaking 0) after ${this.audioFrames.length} frames` },
    ).then(() => undefined);
  }
}

/** Decode frames as a listener heard them; E2EE frames nobody could decrypt are an error. */
export function decodeFrames(frames: OpusFrame[]): DecodedAudio {
  const undecrypted = frames.filter((f) => f.undecrypted).length;
  if (undecrypted) throw new Error(`fake-discord: ${undecrypted} of ${frames.length} frames are E2EE and no listener could decrypt them`);
  return decodeOpus(frames.map((f) => f.opus));
}

export interface FakeVoiceOptions {
  /** Offer DAVE (protocol version 1) to clients that support it. Default true. */
  dave?: boolean;
}

export class FakeVoiceServer {
  readonly connections: VoiceConnectionRecord[] = [];
  /** Every simulated DAVE client ever connected, in order (see `listenersIn` for the live ones). */
  readonly listeners: (DaveListener & { guildId: string })[] = [];
  /** The voice gateway's external sender identity (one per fake, as per voice server). */
  readonly externalSender = new ExternalSender();
  readonly dave: boolean;
  private readonly media = new Map<string, DaveMediaSession>();
  private world: World | null = null;
  private readonly expectations: VoiceExpectation[] = [];
  private readonly https: Server;
  private readonly wss: WebSocketServer;
  private readonly udp: Socket;
  private nextSsrc = 1 + Math.floor(Math.random() * 1000);

  private constructor(opts: FakeVoiceOptions) {
    this.dave = opts.dave ?? true;
    this.https = createServer({
      key: readFileSync(new URL('server.key', CERT_DIR)),
      cert: readFileSync(new URL('server.pem', CERT_DIR)),
    });
    this.wss = new WebSocketServer({ server: this.https });
    this.wss.on('connection', (ws) => this.onConnection(ws));
    this.udp = createSocket('udp4');
    this.udp.on('message', (msg, rinfo) => this.onUdp(msg, rinfo));
  }

  static async start(opts: FakeVoiceOptions = {}): Promise<FakeVoiceServer> {
    const server = new FakeVoiceServer(opts);
    await new Promise<void>((resolve) => server.https.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.udp.bind(0, '127.0.0.1', resolve));
    return server;
  }

  /** host:port as sent in VOICE_SERVER_UPDATE (the client prepends wss://). */
  get endpoint(): string {
    return `127.0.0.1:${(this.https.address() as AddressInfo).port}`;
  }

  get udpPort(): number {
    return this.udp.address().port;
  }

  /** Register the credentials of a VOICE_SERVER_UPDATE about to be sent. */
  expect(e: VoiceExpectation): void {
    this.expectations.push(e);
  }

  /** Latest connection for a guild, if any. */
  connectionFor(guildId: string): VoiceConnectionRecord | undefined {
    return this.connections.filter((c) => c.guildId === guildId).at(-1);
  }

  /** Wait for the bot's voice connection in a guild to be ready for audio. */
  waitForConnection(guildId: string, timeout = 15_000): Promise<VoiceConnectionRecord> {
    return waitFor(
      () => {
        const c = this.connectionFor(guildId);
        return c?.ready && !c.closed ? c : undefined;
      },
      { timeout, message: `a ready voice connection in guild ${guildId}` },
    );
  }

  /**
   * People in voice are DAVE clients in the bot's channel: the world's voice states decide who
   * is connected (a simulated listener per person while the bot is in their channel).
   */
  attachWorld(world: World): void {
    this.world = world;
    world.on('dispatch', (t: string, d: unknown) => {
      if (t === 'VOICE_STATE_UPDATE') this.syncListeners(String((d as { guild_id: string }).guild_id));
    });
  }

  /** The DAVE media session of the bot's current channel in a guild. */
  mediaSession(guildId: string): DaveMediaSession | undefined {
    return this.liveConnection(guildId)?.media ?? undefined;
  }

  /** Simulated DAVE clients connected now in a guild. */
  listenersIn(guildId: string): DaveListener[] {
    return this.listeners.filter((l) => l.guildId === guildId && !l.closed);
  }

  /** The live simulated DAVE client of a person (in a channel the bot connected to, while they stay there). */
  listenerFor(guildId: string, userId: string): DaveListener | undefined {
    return this.listenersIn(guildId).find((l) => l.userId === userId);
  }

  private liveConnection(guildId: string): VoiceConnectionRecord | undefined {
    const c = this.connectionFor(guildId);
    return c && c.ready && !c.closed ? c : undefined;
  }

  private mediaFor(conn: VoiceConnectionRecord): DaveMediaSession {
    const key = `${conn.guildId}:${conn.channelId}`;
    let m = this.media.get(key);
    if (!m) this.media.set(key, (m = new DaveMediaSession(conn.channelId, this.externalSender)));
    return m;
  }

  /**
   * A person's client joins the channel's media session when the bot is connected there, and
   * stays in it while the person stays in the channel, bot or not: when the bot leaves, the
   * others get its removal and move to a new epoch (or the sole one left starts over), and when
   * it comes back it is added to their group, as on Discord.
   */
  private syncListeners(guildId: string): void {
    const conn = this.liveConnection(guildId);
    const guild = this.world?.guild(guildId);
    const channelOf = (userId: string) => guild?.voiceStates.get(userId)?.channelId;
    for (const l of this.listenersIn(guildId)) if (channelOf(l.userId) !== l.channelId) l.disconnect();
    if (!conn?.media || !guild) return;
    for (const s of guild.voiceStates.values()) {
      if (s.channelId !== conn.channelId || this.world!.users.get(s.userId)?.bot || this.listenerFor(guildId, s.userId)) continue;
      const l = Object.assign(new DaveListener(s.userId, conn.channelId, conn.media), { guildId });
      this.listeners.push(l);
      l.connect();
    }
  }

  private leaveMedia(conn: VoiceConnectionRecord): void {
    if (!conn.media) return;
    conn.media.leave(conn);
    conn.media = null;
    this.syncListeners(conn.guildId);
  }

  /** The bot left the channel: Discord closes its voice socket with 4014 (Disconnected). */
  disconnectGuild(guildId: string): void {
    for (const c of this.connections) {
      if (c.guildId === guildId && !c.closed) c.ws?.close(4014, 'Disconnected.');
    }
  }

  private onConnection(ws: WebSocket): void {
    let conn: VoiceConnectionRecord | null = null;
    const send = (op: number, d: unknown) => ws.send(JSON.stringify({ op, d }));
    ws.on('message', (raw, isBinary) => {
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw)]);
      if (isBinary) {
        if (!conn?.media) return ws.close(4020, 'fake-discord: DAVE binary op outside a DAVE session');
        conn.received.push({ op: bytes.readUInt8(0), d: { binary: bytes.length - 1 }, at: Date.now() });
        return conn.media.receive(conn, bytes, true);
      }
      const { op, d } = JSON.parse(bytes.toString()) as { op: number; d: Record<string, unknown> };
      conn?.received.push({ op, d, at: Date.now() });
      switch (op) {
        case 0: {
          // IDENTIFY: must match a VOICE_SERVER_UPDATE we sent (token + voice session id).
          const e = this.expectations.find(
            (x) => x.guildId === d.server_id && x.userId === d.user_id && x.token === d.token,
          );
          if (!e) return ws.close(4004, 'Authentication failed.');
          if (e.sessionId !== d.session_id) return ws.close(4006, 'Session is no longer valid.');
          // A new session of the same user in the guild replaces the old one in the MLS group.
          for (const c of this.connections) if (c.guildId === e.guildId && c.userId === e.userId) this.leaveMedia(c);
          conn = new VoiceConnectionRecord(e, this.nextSsrc++);
          conn.ws = ws;
          conn.offeredDaveVersion = typeof d.max_dave_protocol_version === 'number' ? d.max_dave_protocol_version : null;
          conn.received.push({ op, d, at: Date.now() });
          this.connections.push(conn);
          send(2, { ssrc: conn.ssrc, ip: '127.0.0.1', port: this.udpPort, modes: [ENCRYPTION_MODE] });
          break;
        }
        case 1: {
          if (!conn) return ws.close(4003, 'Not authenticated.');
          const data = d.data as { mode?: string } | undefined;
          if (data?.mode !== ENCRYPTION_MODE) return ws.close(4016, 'Unknown encryption mode.');
          conn.selectedMode = data.mode;
          conn.ready = true;
          conn.daveProtocolVersion = this.dave && (conn.offeredDaveVersion ?? 0) >= DAVE_PROTOCOL_VERSION ? DAVE_PROTOCOL_VERSION : 0;
          send(4, {
            mode: ENCRYPTION_MODE,
            secret_key: [...conn.secretKey],
            dave_protocol_version: conn.daveProtocolVersion,
            audio_codec: 'opus',
            media_session_id: conn.expectation.sessionId,
          });
          if (conn.daveProtocolVersion) {
            conn.media = this.mediaFor(conn);
            conn.media.join(conn);
            this.syncListeners(conn.guildId);
          }
          break;
        }
        case 3:
          send(6, { t: d.t });
          break;
        case 5:
          conn?.speaking.push({ speaking: Number(d.speaking), at: Date.now() });
          break;
        case 7: {
          // RESUME after a dropped voice socket.
          const old = this.connections.find((c) => c.guildId === d.server_id && c.expectation.token === d.token);
          if (!old) return ws.close(4006, 'Session is no longer valid.');
          conn = old;
          conn.ws = ws;
          conn.closed = false;
          send(9, null);
          break;
        }
        case 23:
        case 31:
          conn?.media?.receive(conn, bytes, false); // DAVE: transition ready, invalid commit/welcome
          break;
        default:
          break; // client info ops are ignored
      }
    });
    ws.on('close', (code) => {
      if (conn && conn.ws === ws) {
        const closing = conn;
        conn.ws = null;
        conn.closed = true;
        // A dropped socket may RESUME: its MLS membership waits a moment; any other close ends it.
        if (code === 1006) setTimeout(() => closing.ws || this.leaveMedia(closing), 1_000).unref();
        else this.leaveMedia(closing);
      }
    });
    send(8, { heartbeat_interval: 41_250 });
  }

  private onUdp(msg: Buffer, rinfo: RemoteInfo): void {
    // IP discovery request: type 1, length 70, ssrc, 64-byte address, port.
    if (msg.length === 74 && msg.readUInt16BE(0) === 1) {
      const ssrc = msg.readUInt32BE(4);
      const conn = this.connections.find((c) => c.ssrc === ssrc);
      if (!conn) return;
      conn.udpRemote = rinfo;
      const reply = Buffer.alloc(74);
      reply.writeUInt16BE(2, 0);
      reply.writeUInt16BE(70, 2);
      reply.writeUInt32BE(ssrc, 4);
      reply.write(rinfo.address, 8, 'utf8');
      reply.writeUInt16BE(rinfo.port, 72);
      this.udp.send(reply, rinfo.port, rinfo.address);
      return;
    }
    if (msg.length < 12 || (msg[0]! & 0xc0) !== 0x80) return; // keep-alives and anything not RTP
    if ((msg[1]! & 0x7f) !== RTP_OPUS_PAYLOAD_TYPE) return;
    const conn = this.connections.find((c) => c.ssrc === msg.readUInt32BE(8));
    if (!conn) return;
    const payload = decryptRtpSize(msg, conn.secretKey);
    if (!payload) {
      conn.decryptFailures++;
      return;
    }
    const e2ee = isDaveFrame(payload);
    let opus: Buffer | null = payload;
    if (e2ee) {
      // The SFU forwards the frame to everyone in the channel; each DAVE client decrypts it.
      const heard = this.listenersIn(conn.guildId).filter((l) => l.channelId === conn.channelId).map((l) => l.hear(conn.userId, payload));
      opus = heard.find((o) => o !== null) ?? null;
    }
    conn.frames.push({
      sequence: msg.readUInt16BE(2),
      timestamp: msg.readUInt32BE(4),
      opus: opus ?? payload,
      receivedAt: Date.now(),
      silence: payload.equals(OPUS_SILENCE_FRAME),
      e2ee,
      ...(e2ee ? { sealed: payload } : {}),
      ...(opus ? {} : { undecrypted: true }),
    });
  }

  async close(): Promise<void> {
    for (const l of this.listeners) l.disconnect();
    for (const m of this.media.values()) m.close();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.https.close(() => resolve()));
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
  }
}

/**
 * aead_aes256_gcm_rtpsize: the RTP header (12 bytes + CSRCs + the 4-byte extension header, if
 * any) is the AAD; then ciphertext, 16-byte tag, and a 4-byte big-endian counter that is the
 * first 4 bytes of the 12-byte nonce (rest zero). An encrypted extension body is skipped.
 */
export function decryptRtpSize(packet: Buffer, key: Buffer): Buffer | null {
  const csrcCount = packet[0]! & 0x0f;
  const hasExtension = (packet[0]! & 0x10) !== 0;
  let headerLength = 12 + 4 * csrcCount;
  const extensionWords = hasExtension ? packet.readUInt16BE(headerLength + 2) : 0;
  if (hasExtension) headerLength += 4;
  if (packet.length < headerLength + 16 + 4) return null;
  const nonce = Buffer.alloc(12);
  packet.copy(nonce, 0, packet.length - 4);
  const tag = packet.subarray(packet.length - 20, packet.length - 4);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(packet.subarray(0, headerLength));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(packet.subarray(headerLength, packet.length - 20)), decipher.final()]);
    return plain.subarray(extensionWords * 4);
  } catch {
    return null;
  }
}

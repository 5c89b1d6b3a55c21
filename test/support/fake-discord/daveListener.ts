import { createRequire } from 'node:module';
import type * as Davey from '@snazzah/davey';
import { DAVE_PROTOCOL_VERSION, DaveOp, type DaveMediaSession, type DaveParticipant } from './dave.ts';

const davey = createRequire(import.meta.url)('@snazzah/davey') as typeof Davey;
const AUDIO = 0; // davey.MediaType.AUDIO (a const enum, not readable at runtime under isolatedModules)

interface GatewayJson {
  op: number;
  d: { transition_id?: number; epoch?: number; protocol_version?: number; user_ids?: string[]; user_id?: string };
}

/** DAVE's protocol frame check: a frame ends with the 0xFAFA magic marker. */
export function isDaveFrame(payload: Buffer): boolean {
  return payload.length > 3 && payload.readUInt16BE(payload.length - 2) === 0xfafa;
}

/**
 * A person in the voice channel with a DAVE-capable client, simulated: a real MLS member
 * (@snazzah/davey, the library @discordjs/voice uses) that takes part in the group through
 * the fake gateway's wire messages (JSON text and binary frames, byte for byte as on the
 * voice WebSocket; delivered in-process, asynchronously) and decrypts the media the SFU
 * forwards to it, as the Discord client of that person would.
 */
export class DaveListener implements DaveParticipant {
  readonly session: Davey.DAVESession;
  /** Transitions this client executed (op 22, or transition 0 at once). */
  readonly executed: { transitionId: number; epoch: bigint | null; at: number }[] = [];
  /** Frames it could not decrypt although they were E2EE. */
  decryptFailures = 0;
  /** Every media frame forwarded to it: when, whether E2EE, whether it got Opus out of it. */
  readonly heard: { at: number; e2ee: boolean; ok: boolean }[] = [];
  /** Errors while processing DAVE ops (each answered with op 31, as the protocol asks). */
  readonly errors: string[] = [];
  closed = false;
  private readonly connectedUsers = new Set<string>();

  constructor(
    readonly userId: string,
    readonly channelId: string,
    private readonly gateway: DaveMediaSession,
  ) {
    this.session = new davey.DAVESession(DAVE_PROTOCOL_VERSION, userId, channelId);
  }

  /** Connect: join the media session, then send a key package (as clients do after op 4). */
  connect(): void {
    this.gateway.join(this);
    this.reply(Buffer.concat([Buffer.from([DaveOp.KeyPackage]), this.session.getSerializedKeyPackage()]));
  }

  disconnect(): void {
    if (this.closed) return;
    this.closed = true;
    this.gateway.leave(this);
  }

  get epoch(): bigint | null {
    return this.session.epoch;
  }

  /** A message from the gateway. Delivered on a later tick, like a socket would. */
  send(raw: string | Buffer): void {
    setImmediate(() => {
      if (this.closed) return;
      if (typeof raw === 'string') this.onJson(JSON.parse(raw) as GatewayJson);
      else this.onBinary(raw.readUInt8(2), raw.subarray(3));
    });
  }

  /**
   * Media from another member, after the transport layer (AES-GCM) was removed. Returns the
   * Opus frame, or null when an E2EE frame does not decrypt. Frames without the DAVE marker are
   * passed through (the bot sends them before a group exists, and during a reset).
   */
  hear(fromUserId: string, payload: Buffer): Buffer | null {
    const e2ee = isDaveFrame(payload);
    let opus: Buffer | null = payload;
    if (e2ee) {
      try {
        opus = this.session.decrypt(fromUserId, AUDIO, payload);
      } catch {
        this.decryptFailures++;
        opus = null;
      }
    }
    this.heard.push({ at: Date.now(), e2ee, ok: opus !== null });
    return opus;
  }

  private reply(raw: Buffer | string): void {
    setImmediate(() => {
      if (!this.closed) this.gateway.receive(this, Buffer.isBuffer(raw) ? raw : Buffer.from(raw), Buffer.isBuffer(raw));
    });
  }

  private json(op: number, d: unknown): void {
    this.reply(JSON.stringify({ op, d }));
  }

  private onJson({ op, d }: GatewayJson): void {
    if (op === DaveOp.ClientsConnect) for (const id of d.user_ids ?? []) this.connectedUsers.add(id);
    else if (op === DaveOp.ClientDisconnect) this.connectedUsers.delete(String(d.user_id));
    else if (op === DaveOp.PrepareTransition) {
      if (d.transition_id === 0) this.executed.push({ transitionId: 0, epoch: this.epoch, at: Date.now() });
      else this.json(DaveOp.TransitionReady, { transition_id: d.transition_id });
    } else if (op === DaveOp.ExecuteTransition) {
      this.executed.push({ transitionId: d.transition_id!, epoch: this.epoch, at: Date.now() });
    } else if (op === DaveOp.PrepareEpoch && d.epoch === 1) {
      // A new group: start over with a fresh key package.
      this.session.reinit(DAVE_PROTOCOL_VERSION, this.userId, this.channelId);
      this.reply(Buffer.concat([Buffer.from([DaveOp.KeyPackage]), this.session.getSerializedKeyPackage()]));
    }
  }

  private onBinary(op: number, payload: Buffer): void {
    try {
      if (op === DaveOp.ExternalSender) {
        this.session.setExternalSender(payload);
      } else if (op === DaveOp.Proposals) {
        const result = this.session.processProposals(payload.readUInt8(0), payload.subarray(1), this.gatewayUsers());
        if (result.commit) {
          const body = result.welcome ? Buffer.concat([result.commit, result.welcome]) : result.commit;
          this.reply(Buffer.concat([Buffer.from([DaveOp.CommitWelcome]), body]));
        }
      } else if (op === DaveOp.AnnounceCommitTransition || op === DaveOp.Welcome) {
        const transitionId = payload.readUInt16BE(0);
        try {
          if (op === DaveOp.Welcome) this.session.processWelcome(payload.subarray(2));
          else this.session.processCommit(payload.subarray(2));
        } catch (e) {
          this.errors.push(`${op === DaveOp.Welcome ? 'welcome' : 'commit'} ${transitionId}: ${(e as Error).message}`);
          this.json(DaveOp.InvalidCommitWelcome, { transition_id: transitionId });
          this.session.reinit(DAVE_PROTOCOL_VERSION, this.userId, this.channelId);
          this.reply(Buffer.concat([Buffer.from([DaveOp.KeyPackage]), this.session.getSerializedKeyPackage()]));
          return;
        }
        if (transitionId !== 0) this.json(DaveOp.TransitionReady, { transition_id: transitionId });
      }
    } catch (e) {
      this.errors.push(`op ${op}: ${(e as Error).message}`);
    }
  }

  /** The users the gateway said are connected (ops 11 and 13): add proposals for others are refused. */
  private gatewayUsers(): string[] {
    return [...this.connectedUsers];
  }
}

import {
  ExternalSender,
  parseCommitWelcome,
  parseKeyPackage,
  proposalsPayload,
  snowflakeBytes,
  welcomeFor,
  type ParsedKeyPackage,
  type SignedProposal,
} from './mls.ts';

/**
 * The fake voice gateway as DAVE's MLS delivery service and external sender, for one media
 * session (a voice channel), following the DAVE protocol (github.com/discord/dave-protocol,
 * protocol.md): it relays opcodes 21–31, proposes external Add/Remove, picks the first valid
 * commit of an epoch, announces it (29) to members and sends each new member only its part of
 * the Welcome (30), then executes the transition (22) once every member is ready (23) or after
 * a timeout. It keeps what the real gateway keeps: group id, epoch and each member's leaf index.
 */

export const DAVE_PROTOCOL_VERSION = 1;
const TRANSITION_TIMEOUT_MS = 2_000;

export enum DaveOp {
  ClientsConnect = 11,
  ClientDisconnect = 13,
  PrepareTransition = 21,
  ExecuteTransition = 22,
  TransitionReady = 23,
  PrepareEpoch = 24,
  ExternalSender = 25,
  KeyPackage = 26,
  Proposals = 27,
  CommitWelcome = 28,
  AnnounceCommitTransition = 29,
  Welcome = 30,
  InvalidCommitWelcome = 31,
}

/** One client in the media session: it receives wire messages (JSON text or binary frames). */
export interface DaveParticipant {
  readonly userId: string;
  send(raw: string | Buffer): void;
}

export interface DaveEvent {
  at: number;
  type: 'commit' | 'execute' | 'reset' | 'rejected-commit' | 'invalid';
  epoch: bigint;
  transitionId: number;
  /** Group members after the event, by user id. */
  members: string[];
  detail?: string;
}

interface InFlight {
  proposal: SignedProposal;
  kind: 'add' | 'remove';
  userId: string;
  keyPackage?: ParsedKeyPackage;
  sentTo: Set<DaveParticipant>;
}

export class DaveMediaSession {
  readonly groupId: Buffer;
  readonly events: DaveEvent[] = [];
  epoch = 0n;
  established = false;
  /** Members of the established group: user id → leaf index. */
  readonly roster = new Map<string, number>();
  private readonly seq = new Map<DaveParticipant, number>();
  private readonly keyPackages = new Map<string, ParsedKeyPackage>();
  private inFlight: InFlight[] = [];
  private readonly transitions = new Map<number, { awaiting: Set<string>; timer: NodeJS.Timeout }>();
  private nextTransitionId = 1;

  constructor(
    readonly channelId: string,
    private readonly sender: ExternalSender,
  ) {
    this.groupId = snowflakeBytes(channelId);
  }

  get participants(): DaveParticipant[] {
    return [...this.seq.keys()];
  }

  get empty(): boolean {
    return this.seq.size === 0;
  }

  /** A client finished SELECT_PROTOCOL with DAVE: tell it who is here and who the external sender is. */
  join(p: DaveParticipant): void {
    const others = this.participants;
    this.seq.set(p, 0);
    if (others.length) this.json(p, DaveOp.ClientsConnect, { user_ids: others.map((o) => o.userId) });
    for (const o of others) this.json(o, DaveOp.ClientsConnect, { user_ids: [p.userId] });
    this.binary(p, DaveOp.ExternalSender, this.sender.package);
    // A client joining a group not yet established gets the add proposals already in flight.
    if (!this.established) {
      const adds = this.inFlight.filter((f) => f.kind === 'add' && f.userId !== p.userId);
      if (adds.length) this.propose(adds, [p]);
    }
  }

  /** The client disconnected: announce it, and revoke or remove what it had in the group. */
  leave(p: DaveParticipant): void {
    if (!this.seq.delete(p)) return;
    for (const o of this.participants) this.json(o, DaveOp.ClientDisconnect, { user_id: p.userId });
    this.keyPackages.delete(p.userId);
    for (const t of this.transitions.values()) t.awaiting.delete(p.userId);
    this.revoke(this.inFlight.filter((f) => f.kind === 'add' && f.userId === p.userId));
    for (const [id, t] of this.transitions) if (t.awaiting.size === 0) this.execute(id);
    if (this.roster.has(p.userId)) {
      const remaining = this.connectedMembers();
      if (remaining.length <= 1) this.soleMemberReset(remaining[0]);
      else this.propose([this.removal(p.userId)], remaining);
    }
  }

  /** A message from a client on the voice gateway (the DAVE ones: 23, 26, 28, 31). */
  receive(p: DaveParticipant, raw: Buffer, isBinary: boolean): void {
    if (!this.seq.has(p)) return;
    if (isBinary) {
      const op = raw.readUInt8(0);
      const payload = raw.subarray(1);
      if (op === DaveOp.KeyPackage) this.onKeyPackage(p, payload);
      else if (op === DaveOp.CommitWelcome) this.onCommitWelcome(p, payload);
      return;
    }
    const { op, d } = JSON.parse(raw.toString()) as { op: number; d: { transition_id?: number } };
    if (op === DaveOp.TransitionReady) this.onReady(p, Number(d.transition_id));
    else if (op === DaveOp.InvalidCommitWelcome) this.onInvalid(p, Number(d.transition_id));
  }

  close(): void {
    for (const t of this.transitions.values()) clearTimeout(t.timer);
    this.transitions.clear();
    this.seq.clear();
  }

  private onKeyPackage(p: DaveParticipant, payload: Buffer): void {
    let kp: ParsedKeyPackage;
    try {
      kp = parseKeyPackage(payload);
    } catch (e) {
      return this.note('invalid', `key package from ${p.userId}: ${(e as Error).message}`);
    }
    // The credential must be the authenticated user's id (DAVE: Key Packages › Validation).
    if (kp.userId !== p.userId) return this.note('invalid', `key package for ${kp.userId} sent by ${p.userId}`);
    // A pending member may replace its key package, not use two at once.
    this.revoke(this.inFlight.filter((f) => f.kind === 'add' && f.userId === p.userId));
    this.keyPackages.set(p.userId, kp);
    if (!this.established) {
      this.propose([this.addition(kp)], this.participants.filter((o) => o !== p));
    } else {
      const members = this.connectedMembers();
      const stale = this.roster.has(p.userId) && !this.inFlight.some((f) => f.kind === 'remove' && f.userId === p.userId);
      this.propose([...(stale ? [this.removal(p.userId)] : []), this.addition(kp)], members);
    }
  }

  private onCommitWelcome(p: DaveParticipant, payload: Buffer): void {
    let parsed: ReturnType<typeof parseCommitWelcome>;
    try {
      parsed = parseCommitWelcome(payload);
    } catch (e) {
      return this.note('rejected-commit', `from ${p.userId}: ${(e as Error).message}`);
    }
    const { commit, welcome } = parsed;
    const reject = (why: string) => this.note('rejected-commit', `from ${p.userId}: ${why}`);
    // Commit ordering: only the first valid commit of the current epoch is announced.
    if (!commit.groupId.equals(this.groupId)) return reject('another group');
    if (commit.epoch !== this.epoch) return reject(`epoch ${commit.epoch}, the group is at ${this.epoch}`);
    if (this.established && this.roster.get(p.userId) !== commit.committerLeaf) return reject('not from its member leaf');
    const used = commit.refs.map((ref) => this.inFlight.find((f) => f.proposal.ref.equals(ref)));
    if (used.length === 0 || used.some((f) => !f)) return reject('references no proposal, or one not in flight');
    // A valid commit references every unrevoked proposal broadcast to its committer in the epoch
    // (DAVE: Voice Gateway Commit Validity). Before a group exists each pending member is sent the
    // others' adds, so its commit must cover all of those: a commit made before a later add reached
    // it loses, as otherwise its author would merge the newer commit it cached (with that add) while
    // everyone else merges the older one, and the re-proposed add then duplicates a leaf.
    const owed = this.inFlight.filter((f) => f.sentTo.has(p));
    if (owed.some((f) => !used.includes(f))) return reject('does not reference every proposal sent to it');
    if (this.established && used.length !== this.inFlight.length) return reject('does not reference every proposal in flight');
    const proposals = used as InFlight[];
    const adds = proposals.filter((f) => f.kind === 'add');
    if (adds.length && !welcome) return reject('adds members without a welcome');

    const transitionId = this.nextTransitionId++;
    const announceTo = this.established ? this.connectedMembers() : [p];
    if (!this.established) this.roster.set(p.userId, commit.committerLeaf);
    for (const f of proposals) if (f.kind === 'remove') this.roster.delete(f.userId);
    for (const f of adds) this.roster.set(f.userId, this.leftmostFreeLeaf());
    this.epoch += 1n;
    this.established = true;
    this.inFlight = [];
    this.keyPackages.delete(p.userId);

    const frame = (msg: Buffer) => Buffer.concat([u16(transitionId), msg]);
    const changed = new Set(proposals.map((f) => f.userId));
    for (const m of announceTo) if (!changed.has(m.userId)) this.binary(m, DaveOp.AnnounceCommitTransition, frame(commit.message));
    for (const f of adds) {
      const target = this.participants.find((o) => o.userId === f.userId);
      const mine = welcomeFor(welcome!, f.keyPackage!.ref);
      if (target && mine) this.binary(target, DaveOp.Welcome, frame(mine));
      this.keyPackages.delete(f.userId);
    }
    const awaiting = new Set(this.connectedMembers().map((m) => m.userId));
    this.transitions.set(transitionId, { awaiting, timer: setTimeout(() => this.execute(transitionId), TRANSITION_TIMEOUT_MS).unref() });
    this.note('commit', `by ${p.userId}`, transitionId);
    this.catchUp();
  }

  /** After an epoch change: propose what the commit did not cover (late key packages, gone members). */
  private catchUp(): void {
    const members = this.connectedMembers();
    const connected = new Set(this.participants.map((o) => o.userId));
    const pending: InFlight[] = [];
    for (const userId of this.roster.keys()) if (!connected.has(userId)) pending.push(this.removal(userId));
    for (const kp of this.keyPackages.values()) if (!this.roster.has(kp.userId)) pending.push(this.addition(kp));
    if (pending.length) this.propose(pending, members);
  }

  private onReady(p: DaveParticipant, transitionId: number): void {
    const t = this.transitions.get(transitionId);
    if (!t) return;
    t.awaiting.delete(p.userId);
    if (t.awaiting.size === 0) this.execute(transitionId);
  }

  private execute(transitionId: number): void {
    const t = this.transitions.get(transitionId);
    if (!t) return;
    clearTimeout(t.timer);
    this.transitions.delete(transitionId);
    for (const m of this.connectedMembers()) this.json(m, DaveOp.ExecuteTransition, { transition_id: transitionId });
    this.note('execute', t.awaiting.size ? `timed out waiting for ${[...t.awaiting].join(', ')}` : undefined, transitionId);
  }

  /** Recovery (op 31): the flagging member is removed; its new key package brings it back. */
  private onInvalid(p: DaveParticipant, transitionId: number): void {
    this.note('invalid', `${p.userId} could not process transition ${transitionId}`, transitionId);
    if (this.roster.has(p.userId)) {
      const others = this.connectedMembers().filter((m) => m !== p);
      if (others.length) this.propose([this.removal(p.userId)], others);
    }
  }

  /** One member left: it gets a fresh group of its own (prepare_epoch 1, then transition 0). */
  private soleMemberReset(sole: DaveParticipant | undefined): void {
    this.revoke(this.inFlight);
    this.roster.clear();
    this.established = false;
    this.epoch = 0n;
    this.inFlight = [];
    if (sole) {
      this.keyPackages.delete(sole.userId);
      this.json(sole, DaveOp.PrepareEpoch, { protocol_version: DAVE_PROTOCOL_VERSION, epoch: 1 });
      this.json(sole, DaveOp.PrepareTransition, { protocol_version: DAVE_PROTOCOL_VERSION, transition_id: 0 });
    }
    this.note('reset', sole ? `sole member ${sole.userId}` : 'empty');
    // Pending members that were waiting to join: propose them again for the new group.
    for (const kp of this.keyPackages.values()) {
      this.propose([this.addition(kp)], this.participants.filter((o) => o.userId !== kp.userId));
    }
  }

  private addition(kp: ParsedKeyPackage): InFlight {
    return { proposal: this.sender.addProposal(this.groupId, this.epoch, kp.bytes), kind: 'add', userId: kp.userId, keyPackage: kp, sentTo: new Set() };
  }

  private removal(userId: string): InFlight {
    const leaf = this.roster.get(userId)!;
    return { proposal: this.sender.removeProposal(this.groupId, this.epoch, leaf), kind: 'remove', userId, sentTo: new Set() };
  }

  private propose(items: InFlight[], to: DaveParticipant[]): void {
    for (const f of items) if (!this.inFlight.includes(f)) this.inFlight.push(f);
    if (!to.length) return;
    const payload = proposalsPayload('append', items.map((f) => f.proposal.message));
    for (const o of to) {
      this.binary(o, DaveOp.Proposals, payload);
      for (const f of items) f.sentTo.add(o);
    }
  }

  private revoke(items: InFlight[]): void {
    if (!items.length) return;
    this.inFlight = this.inFlight.filter((f) => !items.includes(f));
    const to = new Set(items.flatMap((f) => [...f.sentTo]));
    for (const o of to) {
      if (!this.seq.has(o)) continue;
      const refs = items.filter((f) => f.sentTo.has(o)).map((f) => f.proposal.ref);
      this.binary(o, DaveOp.Proposals, proposalsPayload('revoke', refs));
    }
  }

  private connectedMembers(): DaveParticipant[] {
    return this.participants.filter((o) => this.roster.has(o.userId));
  }

  private leftmostFreeLeaf(): number {
    const used = new Set(this.roster.values());
    let i = 0;
    while (used.has(i)) i++;
    return i;
  }

  private note(type: DaveEvent['type'], detail?: string, transitionId = 0): void {
    this.events.push({ at: Date.now(), type, epoch: this.epoch, transitionId, members: [...this.roster.keys()], detail });
  }

  private nextSeq(p: DaveParticipant): number {
    const n = ((this.seq.get(p) ?? 0) + 1) & 0xffff;
    this.seq.set(p, n);
    return n;
  }

  /** JSON ops carry the gateway's sequence number, which clients acknowledge in heartbeats. */
  private json(p: DaveParticipant, op: number, d: unknown): void {
    p.send(JSON.stringify({ op, d, seq: this.nextSeq(p) }));
  }

  /** Binary ops: uint16 sequence number, uint8 opcode, payload. */
  private binary(p: DaveParticipant, op: number, payload: Buffer): void {
    const head = Buffer.alloc(3);
    head.writeUInt16BE(this.nextSeq(p), 0);
    head.writeUInt8(op, 2);
    p.send(Buffer.concat([head, payload]));
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

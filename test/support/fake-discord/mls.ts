import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * Just enough MLS (RFC 9420) for the fake voice gateway to be DAVE's delivery service and
 * external sender: TLS-syntax reading and writing with MLS varint vector lengths (§2.1.2),
 * external Add/Remove proposals signed with P-256 (ciphersuite 2, DAVE protocol version 1),
 * proposal and key package references, and parsing of the commits and welcomes members send,
 * to learn the epoch, the committer, the proposals referenced and whom a welcome is for.
 * The group's own cryptography (tree, secrets) stays with the members' real MLS library.
 */

const MLS10 = 1;
const WIRE_PUBLIC_MESSAGE = 1;
const WIRE_KEY_PACKAGE = 5;
const SENDER_MEMBER = 1;
const SENDER_EXTERNAL = 2;
const CONTENT_PROPOSAL = 2;
const CONTENT_COMMIT = 3;
const PROPOSAL_ADD = 1;
const PROPOSAL_REMOVE = 3;
const PROPOSAL_OR_REF_REFERENCE = 2;
const CREDENTIAL_BASIC = 1;

export class TlsReader {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.offset >= this.buf.length;
  }
  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new Error(`mls: truncated at byte ${this.offset} (need ${n} of ${this.buf.length})`);
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.offset++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  raw(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  /** MLS variable-length vector: 1, 2 or 4 byte varint length (top two bits), then the bytes. */
  vec(): Buffer {
    const first = this.u8();
    const prefix = first >> 6;
    let len = first & 0x3f;
    if (prefix === 1) len = (len << 8) | this.u8();
    else if (prefix === 2) len = ((len << 24) | (this.u8() << 16) | (this.u8() << 8) | this.u8()) >>> 0;
    else if (prefix === 3) throw new Error('mls: invalid varint length prefix');
    return this.raw(len);
  }
  /** Bytes consumed since `start`. */
  since(start: number): Buffer {
    return this.buf.subarray(start, this.offset);
  }
}

export function varint(n: number): Buffer {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | n) >>> 0);
  return b;
}

export const vec = (b: Buffer): Buffer => Buffer.concat([varint(b.length), b]);
const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};

/** A snowflake as DAVE's credential identity and group id: big-endian u64. */
export const snowflakeBytes = (id: string): Buffer => u64(BigInt(id));

/** RefHash(label, value) = SHA-256(label<V> || value<V>) (RFC 9420 §5.2). */
function refHash(label: string, value: Buffer): Buffer {
  return createHash('sha256').update(Buffer.concat([vec(Buffer.from(label)), vec(value)])).digest();
}

export const keyPackageRef = (keyPackage: Buffer): Buffer => refHash('MLS 1.0 KeyPackage Reference', keyPackage);

export interface ParsedKeyPackage {
  /** The KeyPackage itself (unwrapped if it came as an MLSMessage). */
  bytes: Buffer;
  ref: Buffer;
  userId: string;
  cipherSuite: number;
}

/** A member's key package (op 26): a KeyPackage, or one wrapped in an MLSMessage. */
export function parseKeyPackage(payload: Buffer): ParsedKeyPackage {
  let bytes = payload;
  if (payload.readUInt16BE(0) === MLS10 && payload.readUInt16BE(2) === WIRE_KEY_PACKAGE) bytes = payload.subarray(4);
  const r = new TlsReader(bytes);
  if (r.u16() !== MLS10) throw new Error('mls: key package is not MLS 1.0');
  const cipherSuite = r.u16();
  r.vec(); // init_key
  const { identity } = readLeafNode(r);
  r.vec(); // extensions
  r.vec(); // signature
  bytes = r.since(0);
  if (identity.length !== 8) throw new Error('mls: credential identity is not a 64-bit user id');
  return { bytes, ref: keyPackageRef(bytes), userId: identity.readBigUInt64BE(0).toString(), cipherSuite };
}

function readLeafNode(r: TlsReader): { identity: Buffer } {
  r.vec(); // encryption_key
  r.vec(); // signature_key
  if (r.u16() !== CREDENTIAL_BASIC) throw new Error('mls: only basic credentials are allowed');
  const identity = r.vec();
  for (let i = 0; i < 5; i++) r.vec(); // capabilities: versions, cipher_suites, extensions, proposals, credentials
  const source = r.u8();
  if (source === 1) r.raw(16); // lifetime
  else if (source === 3) r.vec(); // parent_hash
  r.vec(); // extensions
  r.vec(); // signature
  return { identity };
}

/** The voice gateway's signing identity, announced in op 25 and put in every group's extensions. */
export class ExternalSender {
  private readonly privateKey: KeyObject;
  readonly publicKey: Buffer;
  readonly identity: Buffer;

  constructor(identity = 'fake-discord voice gateway') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    // SEC1 uncompressed point: the last 65 bytes of the SPKI DER for P-256.
    this.publicKey = publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    this.identity = Buffer.from(identity);
  }

  /** ExternalSender { signature_key<V>; Credential { basic, identity<V> } } (op 25's payload). */
  get package(): Buffer {
    return Buffer.concat([vec(this.publicKey), u16(CREDENTIAL_BASIC), vec(this.identity)]);
  }

  addProposal(groupId: Buffer, epoch: bigint, keyPackage: Buffer): SignedProposal {
    return this.proposal(groupId, epoch, Buffer.concat([u16(PROPOSAL_ADD), keyPackage]));
  }

  removeProposal(groupId: Buffer, epoch: bigint, leafIndex: number): SignedProposal {
    return this.proposal(groupId, epoch, Buffer.concat([u16(PROPOSAL_REMOVE), u32(leafIndex)]));
  }

  /**
   * A PublicMessage from sender {external, index 0}: FramedContent, then the signature over
   * FramedContentTBS (no GroupContext for external senders, §6.1), no membership tag.
   */
  private proposal(groupId: Buffer, epoch: bigint, proposal: Buffer): SignedProposal {
    const content = Buffer.concat([
      vec(groupId),
      u64(epoch),
      u8(SENDER_EXTERNAL),
      u32(0),
      vec(Buffer.alloc(0)), // authenticated_data
      u8(CONTENT_PROPOSAL),
      proposal,
    ]);
    const tbs = Buffer.concat([u16(MLS10), u16(WIRE_PUBLIC_MESSAGE), content]);
    const signContent = Buffer.concat([vec(Buffer.from('MLS 1.0 FramedContentTBS')), vec(tbs)]);
    const signature = sign('sha256', signContent, this.privateKey); // ECDSA, DER-encoded
    const auth = vec(signature);
    const authenticatedContent = Buffer.concat([u16(WIRE_PUBLIC_MESSAGE), content, auth]);
    return {
      message: Buffer.concat([u16(MLS10), u16(WIRE_PUBLIC_MESSAGE), content, auth]),
      ref: refHash('MLS 1.0 Proposal Reference', authenticatedContent),
      epoch,
    };
  }
}

export interface SignedProposal {
  /** The MLSMessage bytes. */
  message: Buffer;
  /** ProposalRef, as a commit refers to it. */
  ref: Buffer;
  epoch: bigint;
}

/** Op 27 payload: operation type, then a vector of MLSMessages (append) or of ProposalRefs (revoke). */
export function proposalsPayload(kind: 'append' | 'revoke', items: Buffer[]): Buffer {
  const body = kind === 'append' ? Buffer.concat(items) : Buffer.concat(items.map(vec));
  return Buffer.concat([u8(kind === 'append' ? 0 : 1), vec(body)]);
}

export interface ParsedCommit {
  /** The commit MLSMessage, as it is announced in op 29. */
  message: Buffer;
  groupId: Buffer;
  epoch: bigint;
  committerLeaf: number;
  /** ProposalRefs, in the commit's order. */
  refs: Buffer[];
  hasPath: boolean;
}

export interface ParsedWelcome {
  cipherSuite: number;
  secrets: { keyPackageRef: Buffer; bytes: Buffer }[];
  encryptedGroupInfo: Buffer;
}

/** Op 28 payload: a commit MLSMessage, then a Welcome when the commit adds members. */
export function parseCommitWelcome(payload: Buffer): { commit: ParsedCommit; welcome: ParsedWelcome | null } {
  const r = new TlsReader(payload);
  if (r.u16() !== MLS10 || r.u16() !== WIRE_PUBLIC_MESSAGE) throw new Error('mls: a commit must be an MLS 1.0 PublicMessage');
  const groupId = r.vec();
  const epoch = r.u64();
  if (r.u8() !== SENDER_MEMBER) throw new Error('mls: a commit must come from a member');
  const committerLeaf = r.u32();
  r.vec(); // authenticated_data
  if (r.u8() !== CONTENT_COMMIT) throw new Error('mls: not a commit');
  const proposals = new TlsReader(r.vec());
  const refs: Buffer[] = [];
  while (!proposals.done) {
    if (proposals.u8() !== PROPOSAL_OR_REF_REFERENCE) throw new Error('mls: a commit may only reference proposals, not include them');
    refs.push(proposals.vec());
  }
  const hasPath = r.u8() === 1;
  if (hasPath) {
    readLeafNode(r);
    r.vec(); // UpdatePathNode nodes
  }
  r.vec(); // signature
  r.vec(); // confirmation_tag
  r.vec(); // membership_tag
  const message = r.since(0);
  if (r.done) return { commit: { message, groupId, epoch, committerLeaf, refs, hasPath }, welcome: null };
  const start = r.offset;
  const cipherSuite = r.u16();
  const secretsReader = new TlsReader(r.vec());
  const secrets: ParsedWelcome['secrets'] = [];
  while (!secretsReader.done) {
    const s0 = secretsReader.offset;
    const keyPackageRef = secretsReader.vec();
    secretsReader.vec(); // kem_output
    secretsReader.vec(); // ciphertext
    secrets.push({ keyPackageRef, bytes: secretsReader.since(s0) });
  }
  const encryptedGroupInfo = r.vec();
  if (!r.done) throw new Error(`mls: ${r.buf.length - r.offset} stray bytes after the welcome (started at ${start})`);
  return { commit: { message, groupId, epoch, committerLeaf, refs, hasPath }, welcome: { cipherSuite, secrets, encryptedGroupInfo } };
}

/** The Welcome for one new member: only the group secrets encrypted to its key package (op 30). */
export function welcomeFor(welcome: ParsedWelcome, keyPackageRef: Buffer): Buffer | null {
  const mine = welcome.secrets.filter((s) => s.keyPackageRef.equals(keyPackageRef));
  if (mine.length === 0) return null;
  return Buffer.concat([u16(welcome.cipherSuite), vec(Buffer.concat(mine.map((s) => s.bytes))), vec(welcome.encryptedGroupInfo)]);
}

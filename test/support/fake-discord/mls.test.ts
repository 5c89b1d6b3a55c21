/**
 * The fake's external sender against a real MLS implementation (@snazzah/davey, the one
 * @discordjs/voice uses): its proposals are accepted, and the commits and welcomes members
 * produce parse as the delivery service needs them.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as Davey from '@snazzah/davey';
import { ExternalSender, parseCommitWelcome, parseKeyPackage, proposalsPayload, snowflakeBytes, welcomeFor } from './mls.ts';

const davey = createRequire(import.meta.url)('@snazzah/davey') as typeof Davey;
const CHANNEL = '1100000000000000001';
const [A, B, C] = ['1200000000000000001', '1200000000000000002', '1200000000000000003'];
const AUDIO = 0;

function member(userId: string, ds: ExternalSender) {
  const s = new davey.DAVESession(1, userId, CHANNEL);
  s.setExternalSender(ds.package);
  return s;
}

describe('MLS for the fake DAVE delivery service', () => {
  it('adds, welcomes and removes members with external proposals; media keys follow each epoch', () => {
    const ds = new ExternalSender();
    const group = snowflakeBytes(CHANNEL);
    const a = member(A, ds);
    const b = member(B, ds);
    const kpB = parseKeyPackage(b.getSerializedKeyPackage());
    expect(kpB.userId).toBe(B);
    expect(kpB.cipherSuite).toBe(2);

    // Initial group: A commits the external add of B at epoch 0 and welcomes B.
    const addB = ds.addProposal(group, 0n, kpB.bytes);
    const out = a.processProposals(0, proposalsPayload('append', [addB.message]).subarray(1), [A, B]);
    const { commit, welcome } = parseCommitWelcome(Buffer.concat([out.commit!, out.welcome!]));
    expect(commit.epoch).toBe(0n);
    expect(commit.committerLeaf).toBe(0);
    expect(commit.refs).toEqual([addB.ref]);
    expect(commit.groupId.equals(group)).toBe(true);
    a.processCommit(commit.message);
    b.processWelcome(welcomeFor(welcome!, kpB.ref)!);
    expect(a.epoch).toBe(1n);
    expect(b.epoch).toBe(1n);
    expect(a.ready && b.ready).toBe(true);
    const frame = Buffer.from([0xfc, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(b.decrypt(A, AUDIO, a.encryptOpus(frame)).equals(frame)).toBe(true);

    // C joins: B commits this time; A processes the commit, C the welcome (only its own secrets).
    const c = member(C, ds);
    const kpC = parseKeyPackage(c.getSerializedKeyPackage());
    const addC = ds.addProposal(group, 1n, kpC.bytes);
    a.processProposals(0, proposalsPayload('append', [addC.message]).subarray(1), [A, B, C]);
    const outB = b.processProposals(0, proposalsPayload('append', [addC.message]).subarray(1), [A, B, C]);
    const second = parseCommitWelcome(Buffer.concat([outB.commit!, outB.welcome!]));
    expect(second.commit.committerLeaf).toBe(1);
    expect(welcomeFor(second.welcome!, kpB.ref)).toBeNull();
    a.processCommit(second.commit.message);
    b.processCommit(second.commit.message);
    c.processWelcome(welcomeFor(second.welcome!, kpC.ref)!);
    expect([a.epoch, b.epoch, c.epoch]).toEqual([2n, 2n, 2n]);
    expect(c.decrypt(A, AUDIO, a.encryptOpus(frame)).equals(frame)).toBe(true);

    // C leaves (leaf 2): a remove proposal; the commit has an update path and no welcome.
    const removeC = ds.removeProposal(group, 2n, 2);
    const outA = a.processProposals(0, proposalsPayload('append', [removeC.message]).subarray(1), [A, B]);
    b.processProposals(0, proposalsPayload('append', [removeC.message]).subarray(1), [A, B]);
    expect(outA.welcome).toBeUndefined();
    const third = parseCommitWelcome(outA.commit!);
    expect(third.commit.hasPath).toBe(true);
    expect(third.welcome).toBeNull();
    a.processCommit(third.commit.message);
    b.processCommit(third.commit.message);
    expect(a.getUserIds().sort()).toEqual([A, B]);
    expect(b.decrypt(A, AUDIO, a.encryptOpus(frame)).equals(frame)).toBe(true);
  });

  it('revokes a proposal by its reference', () => {
    const ds = new ExternalSender();
    const a = member(A, ds);
    const b = member(B, ds);
    const add = ds.addProposal(snowflakeBytes(CHANNEL), 0n, parseKeyPackage(b.getSerializedKeyPackage()).bytes);
    expect(a.processProposals(0, proposalsPayload('append', [add.message]).subarray(1), [A, B]).commit).toBeDefined();
    // Nothing left to commit once the only proposal is revoked.
    expect(a.processProposals(1, proposalsPayload('revoke', [add.ref]).subarray(1), [A, B]).commit).toBeUndefined();
  });

  it('a proposal not signed by the group’s external sender is refused', () => {
    const a = member(A, new ExternalSender());
    const b = member(B, new ExternalSender());
    const forged = new ExternalSender().addProposal(snowflakeBytes(CHANNEL), 0n, parseKeyPackage(b.getSerializedKeyPackage()).bytes);
    expect(() => a.processProposals(0, proposalsPayload('append', [forged.message]).subarray(1), [A, B])).toThrow();
  });
});

/**
 * A result that outlives its interaction token (15 minutes) where the bot cannot post: a group DM,
 * or a server where only the member installed the app. It goes to the member's DM with a line
 * saying why, against the fake Discord's REST (which refuses the bot in a group DM it is not in).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { REST } from 'discord.js';
import { createDiscordDelivery } from '../../src/bot/delivery.ts';
import type { DeliveryOutcome } from '../../src/queue/deliveryWorker.ts';
import { EXPIRED_ELSEWHERE } from '../../src/bot/messages.ts';
import type { ProgressTracker } from '../../src/bot/progress.ts';
import { createPiece } from '../../src/pipeline.ts';
import { summarize } from '../../src/queue/composeWorker.ts';
import type { DeliverJob, Delivery } from '../../src/queue/jobs.ts';
import type { StoredPiece } from '../../src/queue/resultStore.ts';
import { FakeDiscord } from '../support/fake-discord.ts';
import { quietLogger } from '../support/queueFixtures.ts';
import { makeRequest } from '../support/requests.ts';

let discord: FakeDiscord;
let piece: StoredPiece;
beforeAll(async () => {
  discord = await FakeDiscord.start();
  const request = makeRequest({ style: 'folk', mood: 'happy', durationSec: 3, seed: 5 });
  const made = await createPiece(request, { format: 'ogg' });
  piece = { summary: summarize(made, 'tunesmith-test.ogg'), request, render: { format: 'ogg' }, audio: made.audio!.data, midi: Buffer.from(made.midi), png: made.png };
});
afterAll(async () => {
  await discord?.stop();
});

describe('a result whose interaction expired where the bot cannot post', () => {
  it('goes to the member’s DM, saying why; posting in the group DM itself is refused', async () => {
    const { alice, bob } = discord.seedGuild();
    const group = discord.world.addGroupDM([alice, bob]);
    const rest = new REST({ api: discord.apiBase }).setToken(discord.token);
    const progress = { stage: async () => {}, finish: async () => {} } as unknown as ProgressTracker;
    const delivery: Delivery = { applicationId: discord.applicationId, interactionToken: 't'.repeat(60), channelId: group.id, guildId: null, userId: alice.id, interactionAt: Date.now() - 20 * 60_000, uploadLimitBytes: 10 << 20 };
    const job = { id: 'deliver-abc', data: { outcome: 'success', requestId: 'abc', delivery, resultId: 'r'.repeat(32), cached: false, understood: [] } } as unknown as Job<DeliverJob>;
    const deliver = createDiscordDelivery(rest, progress, quietLogger);
    const outcome: DeliveryOutcome = { outcome: 'success', requestId: 'abc', piece, cached: false, understood: [] };

    // Without the flag (a delivery queued by an older bot): the channel post is refused.
    await expect(deliver(delivery, outcome, job)).rejects.toThrow(/Missing Access/);
    await deliver({ ...delivery, botCanPost: false }, outcome, job);
    const dm = discord.world.dmWith(alice);
    const sent = discord.messages.inChannel(dm.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.content.startsWith(EXPIRED_ELSEWHERE)).toBe(true);
    expect(sent[0]!.attachments.map((a) => a.filename).sort()).toEqual(['piano-roll.png', 'tunesmith-test.mid', 'tunesmith-test.ogg']);
    expect(discord.messages.inChannel(group.id)).toHaveLength(0);
  });
});

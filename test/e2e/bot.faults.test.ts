import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/botHarness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('the bot under Discord faults', () => {
  it('retries a 429 on the final edit; the result arrives once', async () => {
    const fault = h.discord.faults.rateLimit({ method: 'PATCH', path: /messages\/@original$/, when: (r) => r.files.length > 0 }, { retryAfter: 0.5 });
    const it1 = await h.discord.invoke('compose', { style: 'lofi', duration: '4', seed: 501 }, h.seeded.alice);
    const final = await it1.waitForOriginal((m) => m.attachments.length === 3, 60_000);
    expect(fault.hits).toBe(1);
    const uploads = h.discord.rest.calls.filter((c) => c.method === 'PATCH' && c.path.includes(it1.token) && c.files.length > 0 && c.status < 300);
    expect(uploads).toHaveLength(1);
    expect(final.attachment('.ogg').data.length).toBeGreaterThan(1000);
  });

  it('survives a 502 on a progress edit', async () => {
    h.discord.faults.serverError({ method: 'PATCH', path: /messages\/@original$/, when: (r) => r.files.length === 0 }, { status: 502, times: 1 });
    const it2 = await h.discord.invoke('compose', { style: 'jazz', duration: '4', seed: 502 }, h.seeded.bob);
    const final = await it2.waitForOriginal((m) => m.attachments.length === 3, 60_000);
    expect(final.embeds.length).toBe(1);
  });

  it('delivers the result of a job that was running while the gateway dropped', async () => {
    const it3 = await h.discord.invoke('compose', { style: 'ambient', duration: '20', seed: 503 }, h.seeded.alice);
    await it3.waitForCallback();
    const outcome = await h.discord.gateway.disconnect();
    expect(['resumed', 'identified']).toContain(outcome);
    const final = await it3.waitForOriginal((m) => m.attachments.length === 3, 60_000);
    expect(final.attachments.map((a) => a.filename.split('.').pop()).sort()).toEqual(['mid', 'ogg', 'png']);
    // And the bot still takes new commands afterwards.
    const after = await h.discord.invoke('styles', {}, h.seeded.alice);
    expect((await after.waitForCallback()).type).toBe(4);
  });
});

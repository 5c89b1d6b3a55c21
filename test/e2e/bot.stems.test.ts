/**
 * 🎚️ Stems through the fake Discord with the real bot, queue (a `stems` job on the workers) and
 * renderer: the zip holds one WAV per track plus the mix and the MIDI, each the mix's length,
 * summing to the mix; with a small upload limit the reply says how large the zip is and what to do.
 */
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavData } from '../../src/provenance/containers.ts';
import { residual } from '../../src/stems.ts';
import { stopHarness } from '../bot/restartBot.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import type { FakeMessage } from '../support/fake-discord.ts';

let h: Harness;
let result: FakeMessage;
let resultId: string;

beforeAll(async () => {
  h = await startHarness({ USER_REQUESTS_PER_MINUTE: '100' });
  const it = await h.discord.invoke('compose', { style: 'synthwave', mood: 'energetic', duration: '4', seed: 31 }, h.seeded.alice);
  result = await it.waitForOriginal((m) => m.attachments.length === 3, 60_000);
  resultId = result.customIds.find((c) => c.startsWith('ts:stems:'))!.split(':')[2]!;
}, 120_000);
afterAll(async () => {
  await stopHarness(h);
});

describe('🎚️ Stems button', () => {
  it('posts one zip: a WAV per track, the mix and the MIDI, summing to the mix', { timeout: 120_000 }, async () => {
    const click = await h.discord.click(result, `ts:stems:${resultId}`, h.seeded.alice);
    const reply = await click.waitForOriginal((m) => m.attachments.length === 1 || /📦/.test(m.content), 90_000);
    expect(reply.attachments[0]!.filename).toBe('tunesmith-synthwave-energetic-31-stems.zip');
    expect(reply.content).toMatch(/^🎚️ \*\*Stems\*\* of “.+”: lead, chords, bass, pad, drums\. WAV/);
    const zip = unzipSync(reply.attachment('.zip').data);
    const stems = Object.keys(zip).filter((f) => f.startsWith('stems/'));
    expect(stems).toHaveLength(5);
    const mix = wavData(zip['tunesmith-synthwave-energetic-31-mix.wav']!);
    expect(mix.length).toBe(4 * 48_000 * 4);
    const parts = stems.map((f) => wavData(zip[f]!));
    for (const p of parts) expect(p.length).toBe(mix.length);
    const db = residual(mix, parts);
    console.log(`stems through Discord: residual ${db.toFixed(1)} dB`);
    expect(db).toBeLessThan(-40);
    expect(JSON.parse(Buffer.from(zip['stems.json']!).toString()).residualDb).toBeCloseTo(db, 0);
    expect(zip['tunesmith-synthwave-energetic-31.mid']!.length).toBeGreaterThan(0);
  });

  it('over the upload limit Discord states, says the size, the limit and what to do instead', { timeout: 120_000 }, async () => {
    const guild = h.seeded.guild;
    guild.uploadLimitBytes = 200 * 1024;
    try {
      const click = await h.discord.click(result, `ts:stems:${resultId}`, h.seeded.alice);
      const reply = await click.waitForOriginal((m) => /📦/.test(m.content), 90_000);
      expect(reply.attachments).toHaveLength(0);
      expect(reply.content).toMatch(/^📦 The stems of “.+” come to [\d.]+ MiB zipped, more than this server's upload limit \(200 KiB\), so they are not attached\. Make them on your own machine with `npm run compose -- --stems`/);
    } finally {
      guild.uploadLimitBytes = 10 * 1024 * 1024;
    }
  });
});

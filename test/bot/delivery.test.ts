/**
 * Upload-limit handling in the delivery: which files go, re-encoding smaller, and never failing
 * over size (a stubbed REST that answers 413 / 40005 like Discord).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import type { REST } from 'discord.js';
import { createDiscordDelivery, fitResultMessage, formatBytes, GuildUploadLimits, isTooLarge } from '../../src/bot/delivery.ts';
import type { ProgressTracker } from '../../src/bot/progress.ts';
import { summarize } from '../../src/queue/composeWorker.ts';
import type { DeliverJob, Delivery } from '../../src/queue/jobs.ts';
import type { StoredPiece } from '../../src/queue/resultStore.ts';
import { createPiece } from '../../src/pipeline.ts';
import { estimateBytes, fitCandidates, uploadLimitForTier } from '../../src/render/transformFit.ts';
import { probe } from '../support/media.ts';
import { quietLogger } from '../support/queueFixtures.ts';
import { makeRequest } from '../support/requests.ts';

let ogg: StoredPiece;
let wav: StoredPiece;

async function stored(format: 'ogg' | 'wav'): Promise<StoredPiece> {
  const request = makeRequest({ style: 'synthwave', mood: 'energetic', durationSec: 5, tempo: 110, seed: 21 });
  const piece = await createPiece(request, { format });
  return { summary: summarize(piece, `tunesmith-test.${piece.audio!.extension}`), request, render: { format }, audio: piece.audio!.data, midi: Buffer.from(piece.midi), png: piece.png };
}

const names = (body: { files?: { name?: string | null }[] }) => (body.files ?? []).map((f) => f.name);
const descriptionOf = (body: { embeds?: { description?: string }[] }) => body.embeds?.[0]?.description ?? '';

beforeAll(async () => {
  [ogg, wav] = await Promise.all([stored('ogg'), stored('wav')]);
});

describe('fitting a result under the upload limit', () => {
  it('knows the limits by boost tier and what counts as "too large"', () => {
    expect([0, 1, 2, 3, null].map(uploadLimitForTier)).toEqual([10, 10, 50, 100, 10].map((m) => m * 1024 * 1024));
    expect(isTooLarge({ status: 413, code: 40005 })).toBe(true);
    expect(isTooLarge({ status: 400, code: 50035 })).toBe(false);
    expect(fitCandidates('wav')[0]).toEqual({ format: 'mp3', bitrateKbps: 192 });
    expect(fitCandidates('ogg').every((c) => c.format === 'ogg' && c.bitrateKbps < 128)).toBe(true);
    expect(estimateBytes({ format: 'ogg', bitrateKbps: 64 }, 10)).toBeGreaterThan(80_000);
    expect(formatBytes(80 * 1024)).toBe('80 KiB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MiB');
  });

  it('sends everything untouched when it fits', async () => {
    const fitted = await fitResultMessage('r'.repeat(32), ogg, { understood: [] }, 10 * 1024 * 1024);
    expect(names(fitted.body)).toEqual(['tunesmith-test.ogg', 'tunesmith-test.mid', 'piano-roll.png']);
    expect(fitted.body.files![0]!.attachment).toBe(ogg.audio);
    expect(descriptionOf(fitted.body as never)).not.toMatch(/upload limit/);
  });

  it('re-encodes Ogg Opus at a lower bitrate to fit, and says so', async () => {
    const limit = ogg.audio.length - 10_000 + ogg.png.length + ogg.midi.length;
    const fitted = await fitResultMessage('r'.repeat(32), ogg, { understood: [] }, limit);
    expect(fitted.bytes).toBeLessThanOrEqual(limit);
    const audio = fitted.body.files![0]!.attachment as Buffer;
    expect((await probe(audio, '.ogg')).codecName).toBe('opus');
    expect(Math.abs((await probe(audio, '.ogg')).durationSec - 5)).toBeLessThan(0.05);
    expect(descriptionOf(fitted.body as never)).toMatch(/OGG file would exceed this server's upload limit \(\d+ KiB\), so I used a lower bitrate \(\d+ kbps\)\./);
  });

  it('turns WAV into MP3 when the WAV would not fit', async () => {
    const fitted = await fitResultMessage('r'.repeat(32), wav, { understood: [] }, 400 * 1024);
    expect(names(fitted.body)[0]).toBe('tunesmith-test.mp3');
    expect((await probe(fitted.body.files![0]!.attachment as Buffer, '.mp3')).codecName).toBe('mp3');
    expect(descriptionOf(fitted.body as never)).toMatch(/MP3 at \d+ kbps instead of WAV/);
  });

  it('leaves out the piano roll, then the audio, as the limit shrinks', async () => {
    const noPng = await fitResultMessage('r'.repeat(32), ogg, { understood: [] }, 16 * 1024 + ogg.midi.length + 24 * 1024);
    expect(names(noPng.body)).toEqual(['tunesmith-test.ogg', 'tunesmith-test.mid']);
    expect(JSON.stringify(noPng.body.embeds)).not.toMatch(/attachment:\/\/piano-roll/);
    expect(descriptionOf(noPng.body as never)).toMatch(/left out the piano roll/);

    const noAudio = await fitResultMessage('r'.repeat(32), ogg, { understood: [] }, 16 * 1024 + ogg.midi.length + ogg.png.length + 100);
    expect(names(noAudio.body)).toEqual(['tunesmith-test.mid', 'piano-roll.png']);
    expect(descriptionOf(noAudio.body as never)).toMatch(/not attached.*Play in voice/);

    const nothing = await fitResultMessage('r'.repeat(32), ogg, { understood: [] }, 1000);
    expect(names(nothing.body)).toEqual([]);
    expect(nothing.body.components).toHaveLength(2); // the buttons stay (two rows: the five, then Stems)
  });

  describe('without ffmpeg', () => {
    const saved = process.env.TUNESMITH_FFMPEG;
    afterEach(() => {
      if (saved === undefined) delete process.env.TUNESMITH_FFMPEG;
      else process.env.TUNESMITH_FFMPEG = saved;
    });
    it('still delivers: the audio is left out', async () => {
      process.env.TUNESMITH_FFMPEG = '/nonexistent/ffmpeg';
      const fitted = await fitResultMessage('r'.repeat(32), ogg, { understood: [] }, ogg.audio.length);
      expect(names(fitted.body)).toEqual(['tunesmith-test.mid', 'piano-roll.png']);
    });
  });
});

describe('the delivery', () => {
  const delivery: Delivery = { applicationId: 'app', interactionToken: 't'.repeat(60), channelId: 'c', guildId: 'g', userId: 'u', interactionAt: Date.now() };
  const progress = { stage: async () => {}, finish: async () => {} } as unknown as ProgressTracker;
  const job = { id: 'deliver-abc', data: { outcome: 'success', requestId: 'abc', delivery, resultId: 'r'.repeat(32), cached: false, understood: [] } } as unknown as Job<DeliverJob>;

  it('learns the limit from the boost tier, and on 413 tries smaller until Discord accepts', async () => {
    const sent: { files: number; bytes: number }[] = [];
    const realLimit = 40 * 1024;
    const rest = {
      get: async () => ({ premium_tier: 2 }),
      patch: async (_route: string, opts: { files: { data: Buffer }[] }) => {
        const bytes = opts.files.reduce((n, f) => n + f.data.length, 0);
        sent.push({ files: opts.files.length, bytes });
        if (bytes > realLimit) throw Object.assign(new Error('Request entity too large'), { status: 413, code: 40005 });
      },
    } as unknown as REST;
    const deliver = createDiscordDelivery(rest, progress, quietLogger);
    await deliver(delivery, { outcome: 'success', requestId: 'abc', piece: ogg, cached: false, understood: [] }, job);
    expect(sent[0]!.files).toBe(3); // 50 MiB assumed for tier 2: everything at first
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.at(-1)!.bytes).toBeLessThanOrEqual(realLimit);
    expect(await new GuildUploadLimits(rest).get('g')).toBe(50 * 1024 * 1024);
    expect(await new GuildUploadLimits(rest).get(null)).toBe(10 * 1024 * 1024);
  });

  it('does not retry other errors', async () => {
    const rest = { get: async () => ({}), patch: async () => Promise.reject(Object.assign(new Error('Missing Access'), { status: 403, code: 50001 })) } as unknown as REST;
    const deliver = createDiscordDelivery(rest, progress, quietLogger);
    await expect(deliver({ ...delivery, uploadLimitBytes: 1 << 30 }, { outcome: 'success', requestId: 'abc', piece: ogg, cached: false, understood: [] }, job)).rejects.toThrow(/Missing Access/);
  });
});

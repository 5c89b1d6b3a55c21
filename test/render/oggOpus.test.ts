import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.ts';
import { scoreToMidi } from '../../src/midi/scoreToMidi.ts';
import { oggCrc, readOggPackets, readOggPages } from '../../src/render/oggOpus.ts';
import { renderAudio, type RenderResult } from '../../src/render/render.ts';
import { findTools } from '../../src/render/tools.ts';
import { makeRequest } from '../support/requests.ts';
import { decodeS16, decodedDurationSec, ebur128File, scratchDir, tagsOf } from './helpers.ts';

const run = promisify(execFile);
const SECONDS = 20;
let dir: Awaited<ReturnType<typeof scratchDir>>;
let joined: RenderResult;
let single: RenderResult;

beforeAll(async () => {
  dir = await scratchDir();
  const { score } = await compose(makeRequest({ style: 'synthwave', durationSec: SECONDS, seed: 31 }));
  const base = { midi: scoreToMidi(score).bytes, durationSec: SECONDS, format: 'ogg' as const, tags: { title: 'join test', style: 'synthwave', seed: 31 } };
  joined = await renderAudio({ ...base, parallel: true });
  single = await renderAudio({ ...base, parallel: false });
  await writeFile(dir.path('joined.ogg'), joined.data);
  await writeFile(dir.path('single.ogg'), single.data);
});
afterAll(() => dir.remove());

describe('Ogg Opus encoded in two halves and joined', () => {
  it('is what a parallel render produces, and a valid stream of the exact length with the tags', async () => {
    expect(joined.encodedInParts).toBe(2);
    expect(single.encodedInParts).toBe(1);
    const { stderr } = await run(findTools().ffmpeg, ['-v', 'warning', '-i', dir.path('joined.ogg'), '-f', 'null', '-']);
    expect(stderr).toBe(''); // no CRC mismatch, no bad packet, no timestamp trouble
    expect(await decodedDurationSec(dir.path('joined.ogg'))).toBeCloseTo(SECONDS, 3);
    expect(await tagsOf(dir.path('joined.ogg'))).toMatchObject({ title: 'join test', style: 'synthwave' });
    const { integratedLufs } = await ebur128File(dir.path('joined.ogg'));
    expect(Math.abs(integratedLufs + 14)).toBeLessThanOrEqual(1);
  });

  it('cannot be told from the single encode at the seam: no click, no step beyond the codec’s own differences', async () => {
    const a = await decodeS16(dir.path('joined.ogg'));
    const b = await decodeS16(dir.path('single.ogg'));
    expect(a.length).toBe(b.length);
    // Difference between the two decodes per 20 ms, relative to the signal: at the seam (half way,
    // on a packet boundary) it must stay within what two encoder histories give anywhere after it.
    const frame = 960;
    const seam = Math.round((SECONDS * 48_000) / 2 / frame) * frame;
    const diffDb = (from: number) => {
      let d = 0;
      let s = 0;
      for (let i = from * 2; i < (from + frame) * 2; i++) {
        d += (a[i]! - b[i]!) ** 2;
        s += b[i]! ** 2;
      }
      return 10 * Math.log10((d + 1) / (s + 1));
    };
    const atSeam = Math.max(...[-2, -1, 0, 1, 2, 3].map((k) => diffDb(seam + k * frame)));
    const after: number[] = [];
    for (let f = seam + 10 * frame; f + frame < a.length / 2 - 48_000; f += frame) after.push(diffDb(f));
    after.sort((x, y) => x - y);
    const typical = after[Math.floor(after.length / 2)]!;
    expect(atSeam).toBeLessThanOrEqual(typical + 6);
    // Time alignment: after the seam the audio is where the single encode has it (a wrongly
    // counted pre-roll would repeat or skip whole packets, and shift everything after).
    const bestLag = (at: number) => {
      let best = { lag: 0, score: -Infinity };
      for (let lag = -3 * frame; lag <= 3 * frame; lag++) {
        let score = 0;
        for (let i = at; i < at + 4800; i++) score += a[(i + lag) * 2]! * b[i * 2]!;
        if (score > best.score) best = { lag, score };
      }
      return best.lag;
    };
    expect(bestLag(seam + 12_000)).toBe(0);
    // Click check: the biggest sample-to-sample step near the seam is no bigger than big steps elsewhere.
    const biggestStep = (from: number, to: number) => {
      let m = 0;
      for (let i = from * 2 + 2; i < to * 2; i++) m = Math.max(m, Math.abs(a[i]! - a[i - 2]!));
      return m;
    };
    const nearSeam = biggestStep(seam - frame, seam + frame);
    const typicalStep = biggestStep(seam - 96_000, seam - 48_000);
    expect(nearSeam).toBeLessThanOrEqual(Math.max(typicalStep * 1.5, 2000));
  });

  it('writes pages with valid CRCs and recounted granule positions ending at the exact length', () => {
    const pages = readOggPages(joined.data).map((page) => ({ granule: page.readBigInt64LE(6), crcOk: oggCrc(page) === page.readUInt32LE(22) }));
    expect(pages.every((p) => p.crcOk)).toBe(true);
    const { head } = readOggPackets(joined.data);
    expect(pages[pages.length - 1]!.granule).toBe(BigInt(head.readUInt16LE(10) + SECONDS * 48_000));
    for (let i = 3; i < pages.length; i++) expect(pages[i]!.granule).toBeGreaterThan(pages[i - 1]!.granule);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../src/core/compose.ts';
import { defaultMelodyGenerator } from '../src/neural/defaultGenerator.ts';
import { wavData } from '../src/provenance/containers.ts';
import { instanceKey, type InstanceKey } from '../src/provenance/keys.ts';
import { verifyFile } from '../src/provenance/verify.ts';
import { followMixLimiter, renderStems, residual, stemsZip } from '../src/stems.ts';
import { makeRequest } from './support/requests.ts';

let dir: string;
let key: InstanceKey;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tunesmith-stems-'));
  key = await instanceKey(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stems', () => {
  it.each([
    { style: 'synthwave', mood: 'energetic', seed: 3, loop: false },
    { style: 'jazz', mood: 'calm', seed: 8, loop: false },
    { style: 'lofi', mood: 'calm', seed: 4, loop: true },
  ])('$style (loop: $loop): one stem per track, same length, summing to the mix within −40 dB', { timeout: 180_000 }, async (c) => {
    const request = makeRequest({ ...c, durationSec: 6 });
    const { score } = await compose(request, await defaultMelodyGenerator());
    const set = await renderStems(score, { recipe: { kind: 'compose', request }, sign: key });
    const roles = score.tracks.filter((t) => t.notes.length).map((t) => t.role);
    expect(set.stems.map((s) => s.role)).toEqual(roles);
    const mix = wavData(set.mix);
    expect(mix.length).toBe(6 * 48_000 * 4);
    const stems = set.stems.map((s) => wavData(s.data));
    for (const [i, s] of stems.entries()) {
      expect(s.length, set.stems[i]!.name).toBe(mix.length);
      expect(residual(s, []), `${set.stems[i]!.name} is not silent`).toBeGreaterThan(-Infinity);
    }
    console.log(`stems ${c.style}${c.loop ? ' loop' : ''}: ${set.stems.map((s) => s.name).join(', ')}; residual of the sum against the mix ${set.residualDb.toFixed(1)} dB`);
    expect(set.residualDb).toBeLessThan(-40);
    // Control: leaving one stem out is far from the mix.
    expect(residual(mix, stems.slice(1))).toBeGreaterThan(-20);

    const zip = unzipSync(stemsZip(set, 'piece'));
    expect(Object.keys(zip).sort()).toEqual(['piece-mix.wav', 'piece.mid', 'stems.json', ...set.stems.map((s) => `stems/piece-${s.name}.wav`)].sort());
    const info = JSON.parse(Buffer.from(zip['stems.json']!).toString());
    expect(info.residualDb).toBeLessThan(-40);
    const verdict = await verifyFile(zip[`stems/piece-${set.stems[0]!.name}.wav`]!, { key });
    expect(verdict.status).toBe('unmodified');
    expect(verdict.manifest!.content).toBe(`stem: ${set.stems[0]!.name}`);
  });

  it('follows the mix limiter only where it cut: never boosts a stem, never makes up a missing one', () => {
    const a = Int16Array.from({ length: 9600 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    const b = Int16Array.from({ length: 9600 }, (_, i) => Math.round(6000 * Math.sin(i / 3)));
    const sum = a.map((x, i) => x + b[i]!);
    // A mix 20 % louder than the stems' sum: nothing to follow.
    const louder = sum.map((x) => Math.round(x * 1.2));
    const [a1, b1] = [a.slice(), b.slice()];
    expect(followMixLimiter(louder, [a1, b1])).toBe(0);
    expect(a1).toEqual(a);
    // A mix turned down by 3 dB in its second half (a limiter): the stems follow there only.
    const limited = sum.map((x, i) => (i < 4800 ? x : Math.round(x * 0.7)));
    const [a2, b2] = [a.slice(), b.slice()];
    expect(followMixLimiter(limited, [a2, b2])).toBeGreaterThan(0);
    expect(a2.slice(0, 4700)).toEqual(a.slice(0, 4700));
    const before = residual(Buffer.from(limited.buffer), [Buffer.from(a.buffer), Buffer.from(b.buffer)]);
    const after = residual(Buffer.from(limited.buffer), [Buffer.from(a2.buffer), Buffer.from(b2.buffer)]);
    expect(after).toBeLessThan(before - 20);
  });
});

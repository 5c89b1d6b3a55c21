import { describe, expect, it } from 'vitest';
import {
  FEATURE_OFFSETS,
  HOLD,
  INPUT_DIM,
  MAX_PITCH,
  MIN_PITCH,
  REST,
  activeFeatures,
  binOf,
  modeFamily,
  parseHarteChord,
  pitchToToken,
  rotateChroma,
  shiftToC,
  tokenToPitch,
} from '../../src/neural/representation.ts';
import { fromHalf, toHalf, decodeWeights, encodeWeights } from '../../src/neural/weightsIO.ts';

describe('melody representation', () => {
  it('round-trips pitches in range and folds the rest by octaves', () => {
    for (let p = MIN_PITCH; p <= MAX_PITCH; p++) expect(tokenToPitch(pitchToToken(p))).toBe(p);
    expect(tokenToPitch(pitchToToken(MAX_PITCH + 5))).toBe(MAX_PITCH + 5 - 12);
    expect(tokenToPitch(pitchToToken(MIN_PITCH - 1))).toBe(MIN_PITCH + 11);
    expect(pitchToToken(60)).not.toBe(REST);
    expect(pitchToToken(60)).not.toBe(HOLD);
  });

  it('moves every tonic to C by the smallest shift', () => {
    for (let pc = 0; pc < 12; pc++) {
      const s = shiftToC(pc);
      expect((pc + s + 120) % 12).toBe(0);
      expect(s).toBeGreaterThanOrEqual(-5);
      expect(s).toBeLessThanOrEqual(6);
    }
  });

  it('parses POP909 chord labels', () => {
    expect(parseHarteChord('N')).toBeNull();
    const am7 = parseHarteChord('A:min7/b7')!;
    expect(am7.root).toBe(9);
    expect(am7.mask).toBe((1 << 9) | (1 << 0) | (1 << 4) | (1 << 7));
    expect(parseHarteChord('Gb:maj')!.root).toBe(6);
    expect(parseHarteChord('C:sus4(b7)')!.mask).toBe(1 | (1 << 5) | (1 << 7) | (1 << 10));
    // Unknown qualities fall back to the triad their name starts with.
    expect(parseHarteChord('D:min11')!.mask).toBe((1 << 2) | (1 << 5) | (1 << 9));
  });

  it('rotates chroma masks', () => {
    expect(rotateChroma(0b1, 7)).toBe(1 << 7);
    expect(rotateChroma(1 << 11, 1)).toBe(1);
    expect(rotateChroma(0b10010001, -12)).toBe(0b10010001);
  });

  it('encodes each step as one-hot blocks inside the input', () => {
    const act = activeFeatures(5, { pos: 3, root: -1, chroma: 0b10001001, mode: 1, tempoBin: 2, densityBin: 0, registerBin: 1 });
    expect(act).toContain(FEATURE_OFFSETS.prev + 5);
    expect(act).toContain(FEATURE_OFFSETS.root + 12);
    expect(act.filter((f) => f >= FEATURE_OFFSETS.chroma && f < FEATURE_OFFSETS.chroma + 12)).toHaveLength(3);
    expect(Math.max(...act)).toBeLessThan(INPUT_DIM);
    expect(new Set(act).size).toBe(act.length);
  });

  it('bins by thresholds and maps modes to the two trained families', () => {
    expect(binOf(60, [67, 83])).toBe(0);
    expect(binOf(67, [67, 83])).toBe(1);
    expect(binOf(120, [67, 83])).toBe(2);
    expect(modeFamily('dorian')).toBe(1);
    expect(modeFamily('lydian')).toBe(0);
  });
});

describe('weights files', () => {
  it('float16 round-trips within half precision', () => {
    for (const v of [0, 1, -2.5, 0.1234, 65504, 1e-5, -3.3e-3]) {
      const back = fromHalf(toHalf(v));
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 6e-8);
    }
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
  });

  it('encodes and decodes named arrays', () => {
    const arrays = { a: { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }, b: { shape: [3], data: Float32Array.from([0.5, -1, 7]) } };
    for (const half of [false, true]) {
      const { specs, data } = encodeWeights(arrays, half);
      const back = decodeWeights(specs, data);
      expect(Array.from(back.a!.data)).toEqual([1, 2, 3, 4]);
      expect(Array.from(back.b!.data)).toEqual([0.5, -1, 7]);
    }
  });
});

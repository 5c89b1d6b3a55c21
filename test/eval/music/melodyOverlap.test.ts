import { describe, expect, it } from 'vitest';
import { EXCERPT_BARS, excerptMetrics, melodyOverlap, pop909Excerpts, scoreMelodyExcerpt } from '../../../src/eval/music/melodyOverlap.ts';
import type { PreparedPiece } from '../../../src/neural/representation.ts';
import { BAR, note, Q, score, track } from './fixtures.ts';

describe('melody excerpts', () => {
  it('start at the first bar with a lead note and last 20 bars (or up to the end of the music)', () => {
    const lead = Array.from({ length: 30 }, (_, b) => note(60 + (b % 5), (b + 3) * BAR + Q, Q));
    const e = scoreMelodyExcerpt(score({ sections: [['A', 40]], tracks: [track('lead', lead), track('harmony', [note(48, 0, BAR)])] }))!;
    expect(e.lengthSteps).toBe(EXCERPT_BARS * 16);
    expect(e.notes[0]).toEqual({ pitch: 60, onset: 4, duration: 4 });
    expect(e.notes).toHaveLength(20);
    const short = scoreMelodyExcerpt(score({ sections: [['A', 8]], tracks: [track('lead', lead)] }))!;
    expect(short.lengthSteps).toBe(5 * 16);
    expect(scoreMelodyExcerpt(score({ sections: [['A', 8]], tracks: [] }))).toBeNull();
  });
  it('POP909 excerpts start at the first bar with a melody token', () => {
    const tokens = [...new Array(20).fill(0), 2 + 12, 1, 1, 1, 0, 2 + 14, ...new Array(400).fill(1)];
    const [e] = pop909Excerpts([{ id: 'x', tokens } as unknown as PreparedPiece]);
    expect(e!.lengthSteps).toBe(320);
    expect(e!.notes[0]!.onset).toBe(4);
    expect(e!.notes[0]!.duration).toBe(4);
    expect(e!.notes).toHaveLength(2);
  });
});

describe('melodyOverlap', () => {
  const melody = (step: number, spread: number) => {
    const notes = Array.from({ length: 80 }, (_, i) => note(60 + ((i * step) % spread), i * Q, Q));
    return excerptMetrics(scoreMelodyExcerpt(score({ sections: [['A', 20]], tracks: [track('lead', notes)] }))!);
  };
  it('a set against itself overlaps almost fully; very different melodies overlap little', () => {
    const a = [melody(2, 12), melody(3, 12), melody(5, 12), melody(2, 9), melody(4, 10)];
    const same = melodyOverlap(a, a);
    expect(same.mean).toBeGreaterThan(0.95);
    const b = [melody(1, 2), melody(1, 3), melody(2, 3), melody(1, 2), melody(2, 2)];
    expect(melodyOverlap(b, a).mean).toBeLessThan(0.6);
  });
});

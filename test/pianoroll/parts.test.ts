import { describe, expect, it } from 'vitest';
import { PPQ } from '../../src/core/score.ts';
import { Canvas } from '../../src/pianoroll/canvas.ts';
import { drawText, fitText, textWidth, toFontText } from '../../src/pianoroll/font.ts';
import { computeLayout, pitchRange, pitchRowSpan, tickToX, totalTicksOf } from '../../src/pianoroll/layout.ts';
import { sectionColors, TRACK_PALETTE, trackColors, velocityShade } from '../../src/pianoroll/palette.ts';
import { subtitleOf } from '../../src/pianoroll/header.ts';
import { makeScore, note, track } from './fixtures.ts';

describe('bitmap font', () => {
  it('maps text onto the glyphs it has', () => {
    expect(toFontText('Café Ünï · 3/4')).toBe('Cafe Uni · 3/4');
    expect(toFontText('♪ 日本\tx')).toBe('? ?? x');
  });

  it('measures and truncates', () => {
    expect(textWidth('', 2)).toBe(0);
    expect(textWidth('A', 1)).toBe(5);
    expect(textWidth('AB', 2)).toBe(22);
    expect(fitText('short', 1000, 1)).toBe('short');
    const cut = fitText('a much longer label', 60, 1);
    expect(cut.endsWith('...')).toBe(true);
    expect(textWidth(cut, 1)).toBeLessThanOrEqual(60);
    expect(fitText('anything', 3, 1)).toBe('');
  });

  it('draws the pixels of a glyph', () => {
    const canvas = new Canvas(8, 10, 0x000000);
    drawText(canvas, 'I', 0, 0, 0xffffff, 1);
    // "I" is a bar across the top and bottom with a stem in the middle column.
    expect([0, 1, 2, 3, 4].map((x) => canvas.getPixel(x, 0))).toEqual([0, 0xffffff, 0xffffff, 0xffffff, 0]);
    expect(canvas.getPixel(2, 3)).toBe(0xffffff);
    expect(canvas.getPixel(0, 3)).toBe(0);
    // "g" hangs below the baseline.
    drawText(canvas, 'g', 0, 0, 0x00ff00, 1);
    expect(canvas.getPixel(1, 8)).toBe(0x00ff00);
  });
});

describe('palette', () => {
  it('gives every track its own colour, leads orange and drums warm white', () => {
    const roles = ['lead', 'lead', 'bass', 'drums', 'pad', 'harmony', 'arp'] as const;
    const colors = trackColors(makeScore({ tracks: roles.map((r) => track(r, r, [])) }));
    expect(new Set(colors).size).toBe(roles.length);
    expect(colors[0]).toBe(TRACK_PALETTE[0]);
    expect(colors[3]).toBe(TRACK_PALETTE[8]);
    // More tracks than palette entries still get a colour each.
    const many = trackColors(makeScore({ tracks: Array.from({ length: 16 }, (_, i) => track(`t${i}`, 'harmony', [])) }));
    expect(many).toHaveLength(16);
  });

  it('makes louder notes brighter', () => {
    const quiet = velocityShade(0xff8000, 20);
    const loud = velocityShade(0xff8000, 127);
    expect(loud).toBe(0xff8000);
    expect(quiet >> 16).toBeLessThan(loud >> 16);
    expect(quiet >> 16).toBeGreaterThan(0x40);
  });

  it('colours repeated section names alike', () => {
    const [intro, a, b, a2] = sectionColors(['intro', 'A', 'B', 'A']);
    expect(a2).toBe(a);
    expect(new Set([intro, a, b]).size).toBe(3);
  });
});

describe('layout', () => {
  it('covers every note and section on the time axis', () => {
    const score = makeScore({
      endTick: 4 * PPQ,
      sections: [{ name: 'A', startTick: 0, endTick: 6 * PPQ }],
      tracks: [track('Lead', 'lead', [note(60, 7 * PPQ, PPQ)])],
    });
    expect(totalTicksOf(score)).toBe(8 * PPQ);
    const layout = computeLayout(score);
    expect(tickToX(layout, 0)).toBe(layout.plotX);
    expect(tickToX(layout, 8 * PPQ)).toBe(layout.plotX + layout.plotW);
  });

  it('keeps the pitch range within MIDI and at least two octaves wide', () => {
    const one = (p: number) => makeScore({ tracks: [track('L', 'lead', [note(p, 0, PPQ)])] });
    expect(pitchRange(one(0))).toEqual([0, 24]);
    expect(pitchRange(one(127))).toEqual([103, 127]);
    const [lo, hi] = pitchRange(one(60));
    expect(lo).toBeLessThan(60);
    expect(hi).toBeGreaterThan(60);
    expect(hi - lo).toBe(24);
  });

  it('tiles the pitched plot with pitch rows, highest on top', () => {
    const layout = computeLayout(makeScore({ tracks: [track('L', 'lead', [note(40, 0, PPQ), note(90, 0, PPQ)])] }));
    let prevTop = layout.pitched!.y + layout.pitched!.h;
    for (let p = layout.pitchLow; p <= layout.pitchHigh; p++) {
      const [top, bottom] = pitchRowSpan(layout, p);
      expect(bottom).toBe(prevTop);
      expect(bottom - top).toBeGreaterThan(0);
      prevTop = top;
    }
    expect(prevTop).toBe(layout.pitched!.y);
  });

  it('scales text with the picture so labels survive Discord downscaling', () => {
    expect(computeLayout(makeScore()).scale).toBe(2);
    expect(computeLayout(makeScore(), { width: 600, height: 300 }).scale).toBe(1);
  });

  it('writes the title line facts', () => {
    const score = makeScore({ bpm: 92, durationSec: 125.4, meter: { numerator: 6, denominator: 8 } });
    expect(subtitleOf(score)).toBe('lofi · calm · A minor · 92 bpm · 6/8 · 2:05');
  });
});

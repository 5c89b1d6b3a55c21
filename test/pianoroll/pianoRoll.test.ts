import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { PPQ } from '../../src/core/score.ts';
import type { Score } from '../../src/core/score.ts';
import { computeLayout, pitchRowSpan, drumRowSpan } from '../../src/pianoroll/layout.ts';
import type { RollLayout } from '../../src/pianoroll/layout.ts';
import { renderPianoRoll } from '../../src/pianoroll/pianoRoll.ts';
import { SECTION_PALETTE, THEME, trackColors, velocityShade } from '../../src/pianoroll/palette.ts';
import { demoSong, makeScore, note, track } from './fixtures.ts';

const { PNG } = pngjs;
const BAR = 4 * PPQ;

interface Image {
  width: number;
  height: number;
  at(x: number, y: number): number;
}

function decode(png: Buffer): Image {
  const img = PNG.sync.read(png);
  return {
    width: img.width,
    height: img.height,
    at: (x, y) => {
      const i = (y * img.width + x) * 4;
      return (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!;
    },
  };
}

function render(score: Score, opts?: { width?: number; height?: number }): { img: Image; layout: RollLayout } {
  return { img: decode(renderPianoRoll(score, opts)), layout: computeLayout(score, opts) };
}

/** Expected column of a tick, computed here rather than with the renderer's own helper. */
function colOf(layout: RollLayout, tick: number): number {
  return layout.plotX + Math.round((tick * layout.plotW) / layout.totalTicks);
}

function centreOf(layout: RollLayout, pitch: number, tick: number, dur: number): [number, number] {
  const [y0, y1] = pitchRowSpan(layout, pitch);
  return [Math.floor((colOf(layout, tick) + colOf(layout, tick + dur) - 1) / 2), Math.floor((y0 + y1 - 1) / 2)];
}

const hex = (c: number) => c.toString(16).padStart(6, '0');

describe('renderPianoRoll', () => {
  it('writes a PNG of the default Discord embed size, or the size asked for', () => {
    const score = demoSong(20);
    const png = renderPianoRoll(score);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(decode(png)).toMatchObject({ width: 1200, height: 600 });
    expect(decode(renderPianoRoll(score, { width: 800, height: 420 }))).toMatchObject({ width: 800, height: 420 });
    // Nonsense sizes fall back to the default instead of throwing.
    expect(decode(renderPianoRoll(score, { width: Number.NaN }))).toMatchObject({ width: 1200, height: 600 });
  });

  it('is deterministic: the same score gives identical bytes', () => {
    const a = renderPianoRoll(demoSong(45));
    const b = renderPianoRoll(structuredClone(demoSong(45)));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(renderPianoRoll(demoSong(46)))).toBe(false);
  });

  it("paints each track's notes in its own colour, with velocity as brightness, and nowhere else", () => {
    const lead = [note(72, 0, BAR, 127), note(76, BAR * 2, BAR / 2, 40)];
    const bass = [note(48, BAR, BAR, 100), note(43, BAR * 3, BAR, 127)];
    const score = makeScore({ tracks: [track('Lead', 'lead', lead), track('Bass', 'bass', bass, 1)] });
    const { img, layout } = render(score);
    const [leadColor, bassColor] = trackColors(score) as [number, number];
    expect(leadColor).not.toBe(bassColor);

    const expected = new Map<number, number>(); // shade -> count of notes using it
    for (const [color, notes] of [[leadColor, lead], [bassColor, bass]] as const) {
      for (const n of notes) {
        const shade = velocityShade(color, n.velocity);
        const [x, y] = centreOf(layout, n.pitch, n.tick, n.durationTicks);
        expect(hex(img.at(x, y)), `pitch ${n.pitch} at tick ${n.tick}`).toBe(hex(shade));
        expected.set(shade, (expected.get(shade) ?? 0) + 1);
      }
    }
    // Quiet notes are darker than loud ones of the same track.
    const [qx, qy] = centreOf(layout, 76, BAR * 2, BAR / 2);
    const [lx, ly] = centreOf(layout, 72, 0, BAR);
    const sum = (c: number) => (c >> 16) + ((c >> 8) & 0xff) + (c & 0xff);
    expect(sum(img.at(qx, qy))).toBeLessThan(sum(img.at(lx, ly)) * 0.7);

    // Every pixel of a note colour in the plot lies inside that note's bar.
    const plot = layout.pitched!;
    const boxes = [...lead, ...bass].map((n) => {
      const [y0, y1] = pitchRowSpan(layout, n.pitch);
      return { x0: colOf(layout, n.tick), x1: colOf(layout, n.tick + n.durationTicks), y0, y1 };
    });
    let strays = 0;
    let seen = 0;
    for (let y = plot.y; y < plot.y + plot.h; y++) {
      for (let x = plot.x; x < plot.x + plot.w; x++) {
        if (!expected.has(img.at(x, y))) continue;
        seen++;
        if (!boxes.some((b) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1)) strays++;
      }
    }
    expect(seen).toBeGreaterThan(1000);
    expect(strays).toBe(0);
  });

  it('draws bar lines at each bar, stronger every 4 bars', () => {
    const score = makeScore({ endTick: 10 * BAR, tracks: [track('Lead', 'lead', [note(60, 0, PPQ)])] });
    const { img, layout } = render(score);
    // A row with no notes and no C line through it: only grid lines differ from the row's background.
    const [y0, y1] = pitchRowSpan(layout, 66);
    const y = Math.floor((y0 + y1) / 2);
    const strong: number[] = [];
    const weak: number[] = [];
    for (let x = layout.plotX; x < layout.plotX + layout.plotW; x++) {
      if (img.at(x, y) === THEME.strongBarLine) strong.push(x);
      if (img.at(x, y) === THEME.barLine) weak.push(x);
    }
    expect(strong).toEqual([0, 4, 8].map((b) => colOf(layout, b * BAR)));
    expect(weak).toEqual([1, 2, 3, 5, 6, 7, 9].map((b) => colOf(layout, b * BAR)));
  });

  it('follows the meter: 3/4 bars are three beats long', () => {
    const score = makeScore({ meter: { numerator: 3, denominator: 4 }, endTick: 8 * 3 * PPQ });
    const { img, layout } = render(score);
    const [y0, y1] = pitchRowSpan(layout, 66);
    const y = Math.floor((y0 + y1) / 2);
    const lines = [];
    for (let x = layout.plotX; x < layout.plotX + layout.plotW; x++) {
      if (img.at(x, y) === THEME.strongBarLine || img.at(x, y) === THEME.barLine) lines.push(x);
    }
    expect(lines).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((b) => colOf(layout, b * 3 * PPQ)));
    // Beats in between get the faint beat colour.
    expect(img.at(colOf(layout, PPQ), y)).toBe(THEME.beatLine);
  });

  it('thins bar lines on long pieces instead of drawing a solid wall', () => {
    const { img, layout } = render(demoSong(300));
    const y = layout.pitched!.y + 1;
    let lines = 0;
    for (let x = layout.plotX; x < layout.plotX + layout.plotW; x++) {
      if (img.at(x, y) === THEME.strongBarLine || img.at(x, y) === THEME.barLine) lines++;
    }
    expect(lines).toBeGreaterThan(10);
    expect(lines).toBeLessThan(layout.plotW / 10);
  });

  it('draws section bands with boundaries at the section ticks, repeated names in the same colour', () => {
    const sections = [
      { name: 'intro', startTick: 0, endTick: 2 * BAR },
      { name: 'A', startTick: 2 * BAR, endTick: 6 * BAR },
      { name: 'B', startTick: 6 * BAR, endTick: 8 * BAR },
      { name: 'A', startTick: 8 * BAR, endTick: 12 * BAR },
    ];
    const score = makeScore({ endTick: 12 * BAR, sections, tracks: [track('Lead', 'lead', [note(60, 0, BAR)])] });
    const { img, layout } = render(score);
    const y = layout.sectionBand.y + 1; // above the name text
    const runs: { color: number; from: number; to: number }[] = [];
    for (let x = layout.plotX; x < layout.plotX + layout.plotW; x++) {
      const c = img.at(x, y);
      const last = runs[runs.length - 1];
      if (last && last.color === c) last.to = x + 1;
      else runs.push({ color: c, from: x, to: x + 1 });
    }
    const bands = runs.filter((r) => r.color !== THEME.background);
    expect(bands.map((b) => b.from)).toEqual(sections.map((s) => colOf(layout, s.startTick)));
    // Each band stops one pixel short of the next section, leaving a visible seam.
    expect(bands.map((b) => b.to)).toEqual(sections.map((s) => colOf(layout, s.endTick) - 1));
    expect(bands.map((b) => b.color)).toEqual([SECTION_PALETTE[0], SECTION_PALETTE[1], SECTION_PALETTE[2], SECTION_PALETTE[1]]);
    // Names are written inside the bands.
    const textRow = layout.sectionBand.y + Math.floor(layout.sectionBand.h / 2);
    let textPixels = 0;
    for (let x = bands[0]!.from; x < bands[0]!.to; x++) if (img.at(x, textRow) === THEME.sectionText) textPixels++;
    expect(textPixels).toBeGreaterThan(3);
  });

  it('fits the pitch axis to the notes and labels the C lines', () => {
    const score = makeScore({ tracks: [track('Lead', 'lead', [note(60, 0, PPQ), note(79, PPQ, PPQ)])] });
    const layout = computeLayout(score);
    expect(layout.pitchLow).toBeLessThanOrEqual(58);
    expect(layout.pitchHigh).toBeGreaterThanOrEqual(81);
    expect(layout.pitchHigh - layout.pitchLow).toBeLessThan(30);
    const { img } = render(score);
    // "C4" and "C5" sit in the gutter beside their rows; a non-C row has no label.
    const labelPixels = (pitch: number) => {
      const [y0, y1] = pitchRowSpan(layout, pitch);
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = 0; x < layout.plotX; x++) if (img.at(x, y) === THEME.label) n++;
      return n;
    };
    expect(labelPixels(60)).toBeGreaterThan(5);
    expect(labelPixels(72)).toBeGreaterThan(5);
    expect(labelPixels(66)).toBe(0);
    // The C line runs along the bottom of the C row.
    const [, c4Bottom] = pitchRowSpan(layout, 60);
    expect(img.at(layout.plotX + layout.plotW - 5, c4Bottom - 1)).toBe(THEME.octaveLine);
  });

  it('puts drums in their own lane, one row per drum sound, below the pitched plot', () => {
    const drums = [note(36, 0, 60, 120), note(38, PPQ, 60, 120), note(42, 2 * PPQ, 60, 120), note(36, 3 * PPQ, 60, 120)];
    const score = makeScore({ tracks: [track('Keys', 'harmony', [note(60, 0, BAR)]), track('Drums', 'drums', drums)] });
    const { img, layout } = render(score);
    expect(layout.drumPitches).toEqual([42, 38, 36]);
    const lane = layout.drums!;
    expect(lane.y).toBeGreaterThan(layout.pitched!.y + layout.pitched!.h);
    const shade = velocityShade(trackColors(score)[1]!, 120);
    for (const hit of drums) {
      const [y0, y1] = drumRowSpan(layout, layout.drumPitches.indexOf(hit.pitch));
      expect(img.at(colOf(layout, hit.tick) + 1, Math.floor((y0 + y1) / 2)), `drum ${hit.pitch}`).toBe(shade);
      // ...and not in the other rows at that time.
      for (let row = 0; row < 3; row++) {
        if (layout.drumPitches[row] === hit.pitch) continue;
        const [r0, r1] = drumRowSpan(layout, row);
        expect(img.at(colOf(layout, hit.tick) + 1, Math.floor((r0 + r1) / 2))).not.toBe(shade);
      }
    }
    // Drum notes never show up in the pitched plot (pitch 36 would be below its range anyway).
    expect(layout.pitchLow).toBeGreaterThan(40);
  });

  it('shows a legend with each track in its colour', () => {
    const score = demoSong(10);
    const { img, layout } = render(score);
    const colors = trackColors(score);
    expect(layout.legend.map((l) => l.label)).toEqual(score.tracks.map((t) => t.name));
    for (const item of layout.legend) {
      const swatchCentre = img.at(item.x + Math.floor(layout.textH / 2), item.y + Math.floor(layout.textH / 2));
      expect(hex(swatchCentre)).toBe(hex(colors[item.track]!));
      let namePixels = 0;
      for (let x = item.x + layout.textH; x < item.x + layout.textH + 40; x++) {
        for (let y = item.y; y < item.y + layout.textH; y++) if (img.at(x, y) === colors[item.track]) namePixels++;
      }
      expect(namePixels).toBeGreaterThan(5);
    }
    let titlePixels = 0;
    for (let x = layout.plotX; x < layout.plotX + 200; x++) {
      for (let y = layout.titleY; y < layout.titleY + layout.textH; y++) if (img.at(x, y) === THEME.title) titlePixels++;
    }
    expect(titlePixels).toBeGreaterThan(50);
  });
});

describe('renderPianoRoll edge cases', () => {
  it('renders a score with no tracks, or only empty ones', () => {
    for (const tracks of [[], [track('Lead', 'lead', []), track('Drums', 'drums', [])]]) {
      const score = makeScore({ tracks, endTick: 0, sections: [] });
      const { img, layout } = render(score);
      expect(img.width).toBe(1200);
      expect(layout.drums).toBeNull();
      const colors = new Set(trackColors(score));
      const plot = layout.pitched!;
      let coloured = 0;
      for (let y = plot.y; y < plot.y + plot.h; y++) {
        for (let x = plot.x; x < plot.x + plot.w; x++) if (colors.has(img.at(x, y))) coloured++;
      }
      expect(coloured).toBe(0);
    }
  });

  it('renders a single note, centred in a readable pitch range', () => {
    const score = makeScore({ tracks: [track('Lead', 'lead', [note(64, PPQ, PPQ, 90)])] });
    const { img, layout } = render(score);
    expect(layout.pitchHigh - layout.pitchLow + 1).toBeGreaterThanOrEqual(25);
    expect(layout.pitchLow).toBeLessThan(64);
    expect(layout.pitchHigh).toBeGreaterThan(64);
    const [x, y] = centreOf(layout, 64, PPQ, PPQ);
    expect(img.at(x, y)).toBe(velocityShade(trackColors(score)[0]!, 90));
  });

  it('renders a one-second piece (half a bar)', () => {
    const notes = [note(60, 0, PPQ), note(67, PPQ, PPQ)];
    const score = makeScore({ durationSec: 1, endTick: 2 * PPQ, tracks: [track('Lead', 'lead', notes)] });
    const { img, layout } = render(score);
    expect(layout.totalTicks).toBe(2 * PPQ);
    const [x, y] = centreOf(layout, 67, PPQ, PPQ);
    expect(x).toBeGreaterThan(layout.plotX + layout.plotW / 2);
    expect(img.at(x, y)).toBe(velocityShade(trackColors(score)[0]!, 100));
  });

  it('renders notes at pitch 0 and 127 at the very bottom and top', () => {
    const score = makeScore({ tracks: [track('Lead', 'lead', [note(0, 0, BAR, 127), note(127, BAR, BAR, 127)])] });
    const { img, layout } = render(score);
    expect([layout.pitchLow, layout.pitchHigh]).toEqual([0, 127]);
    const shade = velocityShade(trackColors(score)[0]!, 127);
    const plot = layout.pitched!;
    expect(pitchRowSpan(layout, 127)[0]).toBe(plot.y);
    expect(pitchRowSpan(layout, 0)[1]).toBe(plot.y + plot.h);
    expect(img.at(...centreOf(layout, 0, 0, BAR))).toBe(shade);
    expect(img.at(...centreOf(layout, 127, BAR, BAR))).toBe(shade);
  });

  it('renders a drums-only score with the lane filling the plot', () => {
    const score = makeScore({ tracks: [track('Drums', 'drums', [note(36, 0, 60), note(42, PPQ, 60)])] });
    const { layout } = render(score);
    expect(layout.pitched).toBeNull();
    expect(layout.drums!.h).toBeGreaterThan(200);
  });

  it('renders a 5-minute, 5-track piece with thousands of notes quickly', () => {
    const score = demoSong(300);
    const notes = score.tracks.reduce((n, t) => n + t.notes.length, 0);
    expect(notes).toBeGreaterThan(3000);
    renderPianoRoll(score); // warm-up: the first call pays for JIT compilation
    const start = performance.now();
    const png = renderPianoRoll(score);
    const ms = performance.now() - start;
    expect(decode(png)).toMatchObject({ width: 1200, height: 600 });
    // A loose sanity bound for a shared CI box; it runs in about 50 ms on a laptop.
    expect(ms).toBeLessThan(2000);
  });

  it('survives awkward text and sizes: accents, emoji, very long titles, tiny images', () => {
    const score = demoSong(12);
    score.meta.title = 'Café — Ünïcødé 🎵 '.repeat(12);
    score.tracks[0]!.name = 'Lead with a really rather long name that cannot fit anywhere at all';
    for (const opts of [{}, { width: 320, height: 180 }, { width: 10, height: 10 }]) {
      const img = decode(renderPianoRoll(score, opts));
      expect(img.width).toBeGreaterThanOrEqual(240);
    }
  });
});

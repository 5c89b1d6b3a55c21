/**
 * Geometry of the piano roll: where the header, legend, section band, pitched plot, drum lane and
 * bar-number axis go, and how ticks and pitches map to pixels. Pure arithmetic, no drawing, so the
 * tests can check the picture against the same coordinates.
 */
import { ticksPerBar } from '../core/score.ts';
import type { Score } from '../core/score.ts';
import type { Rect } from './canvas.ts';
import { ADVANCE, GLYPH_H, textWidth } from './font.ts';
import { isDrumTrack } from './palette.ts';

export const DEFAULT_WIDTH = 1200;
export const DEFAULT_HEIGHT = 600;

export interface PianoRollOptions {
  width?: number;
  height?: number;
}

export interface LegendItem {
  track: number;
  label: string;
  x: number;
  y: number;
}

export interface RollLayout {
  width: number;
  height: number;
  /** Pixel size of one font dot; 2 at Discord's 1200×600 so labels survive the embed's downscaling. */
  scale: number;
  margin: number;
  textH: number;
  titleY: number;
  legend: LegendItem[];
  sectionBand: Rect;
  /** Pitched notes; null when the piece has only drums. */
  pitched: Rect | null;
  /** Drum lane, one row per drum sound; null when there are no drum notes. */
  drums: Rect | null;
  /** Bar numbers under the plot. */
  axis: Rect;
  /** Horizontal extent shared by the band, plots and axis. */
  plotX: number;
  plotW: number;
  totalTicks: number;
  ticksPerBar: number;
  /** Lowest and highest pitch row shown in the pitched plot. */
  pitchLow: number;
  pitchHigh: number;
  /** Drum keys in the lane, top row first (highest key on top, kick at the bottom). */
  drumPitches: number[];
}

/** Rows shown at least, so a single note or a narrow bass line isn't blown up to fill the plot. */
const MIN_PITCH_ROWS = 25;
const PITCH_PAD = 2;

function clampInt(value: number | undefined, fallback: number, lo: number, hi: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(lo, Math.min(hi, Math.round(value)));
}

/** Length of the time axis: the music's end, stretched to cover every note and section. */
export function totalTicksOf(score: Score): number {
  let end = Math.max(0, score.endTick);
  for (const track of score.tracks) for (const n of track.notes) end = Math.max(end, n.tick + n.durationTicks);
  for (const s of score.sections) end = Math.max(end, s.endTick);
  return end > 0 ? end : ticksPerBar(score.meter, score.ppq) || score.ppq * 4;
}

/** Pitch rows to show: the notes in use plus a little headroom, at least MIN_PITCH_ROWS, within 0–127. */
export function pitchRange(score: Score): [number, number] {
  let lo = 128;
  let hi = -1;
  for (const track of score.tracks) {
    if (isDrumTrack(track)) continue;
    for (const n of track.notes) {
      lo = Math.min(lo, n.pitch);
      hi = Math.max(hi, n.pitch);
    }
  }
  if (hi < 0) return [48, 72]; // nothing pitched: an empty C3–C5 grid
  lo = Math.max(0, lo - PITCH_PAD);
  hi = Math.min(127, hi + PITCH_PAD);
  const missing = MIN_PITCH_ROWS - (hi - lo + 1);
  if (missing > 0) {
    lo -= Math.floor(missing / 2);
    hi += Math.ceil(missing / 2);
    if (lo < 0) [lo, hi] = [0, hi - lo];
    if (hi > 127) [lo, hi] = [lo - (hi - 127), 127];
  }
  return [lo, hi];
}

function drumPitchesOf(score: Score): number[] {
  const keys = new Set<number>();
  for (const track of score.tracks) if (isDrumTrack(track)) for (const n of track.notes) keys.add(n.pitch);
  return [...keys].sort((a, b) => b - a);
}

export function computeLayout(score: Score, opts: PianoRollOptions = {}): RollLayout {
  const width = clampInt(opts.width, DEFAULT_WIDTH, 240, 4096);
  const height = clampInt(opts.height, DEFAULT_HEIGHT, 160, 4096);
  const scale = Math.max(1, Math.round(Math.min(width / 600, height / 300)));
  const s = scale;
  const margin = 6 * s;
  const textH = GLYPH_H * s;

  // Left gutter holds three-character labels ("C-1", "CHH") right-aligned against the plot.
  const plotX = margin + (3 * ADVANCE - 1) * s + 4 * s;
  const plotW = Math.max(1, width - margin - plotX);

  const titleY = margin;
  const legend: LegendItem[] = [];
  let legendX = plotX;
  let legendY = titleY + textH + 5 * s;
  score.tracks.forEach((track, index) => {
    const label = track.name || track.role;
    const itemW = textH + 3 * s + textWidth(label, s);
    if (legendX > plotX && legendX + itemW > plotX + plotW) {
      legendX = plotX;
      legendY += textH + 4 * s;
    }
    legend.push({ track: index, label, x: legendX, y: legendY });
    legendX += itemW + 9 * s;
  });
  const headerBottom = score.tracks.length > 0 ? legendY + textH : titleY + textH;

  const sectionBand = { x: plotX, y: headerBottom + 6 * s, w: plotW, h: textH + 5 * s };
  const axisH = 3 * s + 2 * s + textH;
  const axis = { x: plotX, y: height - margin - axisH, w: plotW, h: axisH };
  const plotTop = sectionBand.y + sectionBand.h + s;
  const plotH = Math.max(2, axis.y - plotTop);

  const drumPitches = drumPitchesOf(score);
  const hasPitched = score.tracks.some((t) => !isDrumTrack(t) && t.notes.length > 0);
  let pitched: Rect | null = { x: plotX, y: plotTop, w: plotW, h: plotH };
  let drums: Rect | null = null;
  if (drumPitches.length > 0 && !hasPitched) {
    pitched = null;
    drums = { x: plotX, y: plotTop, w: plotW, h: plotH };
  } else if (drumPitches.length > 0) {
    // The lane gets up to ~30% of the height; rows stay between 3 px and a label's height.
    const gap = 3 * s;
    const rowH = Math.max(3, Math.min(textH + 3 * s, Math.floor((plotH * 0.3) / drumPitches.length)));
    const laneH = Math.min(rowH * drumPitches.length, Math.floor(plotH / 2));
    drums = { x: plotX, y: plotTop + plotH - laneH, w: plotW, h: laneH };
    pitched = { x: plotX, y: plotTop, w: plotW, h: Math.max(1, plotH - laneH - gap) };
  }

  const [pitchLow, pitchHigh] = pitchRange(score);
  return {
    width, height, scale, margin, textH, titleY, legend, sectionBand, pitched, drums, axis, plotX, plotW,
    totalTicks: totalTicksOf(score),
    ticksPerBar: ticksPerBar(score.meter, score.ppq),
    pitchLow, pitchHigh, drumPitches,
  };
}

/** Column of a tick; the end of the piece lands on plotX + plotW (just past the last column). */
export function tickToX(layout: RollLayout, tick: number): number {
  return layout.plotX + Math.round((tick * layout.plotW) / layout.totalTicks);
}

/** Splits rect into n rows with integer edges that tile it exactly; returns [top, bottom). */
function rowSpan(rect: Rect, n: number, row: number): [number, number] {
  return [rect.y + Math.round((row * rect.h) / n), rect.y + Math.round(((row + 1) * rect.h) / n)];
}

/** Pixel rows [top, bottom) of a pitch in the pitched plot. */
export function pitchRowSpan(layout: RollLayout, pitch: number): [number, number] {
  const rows = layout.pitchHigh - layout.pitchLow + 1;
  return rowSpan(layout.pitched!, rows, layout.pitchHigh - pitch);
}

/** Pixel rows [top, bottom) of the i-th drum row (index into layout.drumPitches). */
export function drumRowSpan(layout: RollLayout, index: number): [number, number] {
  return rowSpan(layout.drums!, layout.drumPitches.length, index);
}

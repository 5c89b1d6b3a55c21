/**
 * The background of the piano roll: key stripes and labelled C lines for the pitched plot,
 * labelled rows for the drum lane, beat and bar lines through both, and bar numbers underneath.
 */
import { ticksPerBeat } from '../core/score.ts';
import type { Meter } from '../core/score.ts';
import type { Canvas, Rect } from './canvas.ts';
import { drumLabel } from './drumNames.ts';
import { drawText, GLYPH_H, textWidth } from './font.ts';
import { drumRowSpan, pitchRowSpan, tickToX } from './layout.ts';
import type { RollLayout } from './layout.ts';
import { THEME } from './palette.ts';

const BLACK_KEYS = new Set([1, 3, 6, 8, 10]);
/** Closest two bar lines may sit before we thin them out, in pixels: denser reads as noise. */
const MIN_BAR_GAP = 10;
/** Beat lines only appear when beats are at least this far apart. */
const MIN_BEAT_GAP = 8;

export function octaveLabel(pitch: number): string {
  return `C${Math.floor(pitch / 12) - 1}`;
}

/** Draw a label right-aligned against the plot's left edge, centred on rows [y0, y1). */
function gutterLabel(canvas: Canvas, layout: RollLayout, text: string, y0: number, y1: number, scale: number): void {
  const x = layout.plotX - 4 * layout.scale - textWidth(text, scale);
  drawText(canvas, text, x, Math.round((y0 + y1 - GLYPH_H * scale) / 2), THEME.label, scale);
}

export function drawPitchGrid(canvas: Canvas, layout: RollLayout): void {
  const plot = layout.pitched;
  if (!plot) return;
  canvas.fillRect(plot.x, plot.y, plot.w, plot.h, THEME.plot);
  let lastLabelTop = Infinity;
  for (let p = layout.pitchLow; p <= layout.pitchHigh; p++) {
    const [y0, y1] = pitchRowSpan(layout, p);
    if (BLACK_KEYS.has(p % 12) && y1 - y0 >= 2) canvas.fillRect(plot.x, y0, plot.w, y1 - y0, THEME.blackKeyRow);
    if (p % 12 !== 0) continue;
    // The C line runs under the C row, so each octave reads as the band above its line.
    canvas.fillRect(plot.x, y1 - 1, plot.w, 1, THEME.octaveLine);
    const labelTop = Math.round((y0 + y1 - layout.textH) / 2);
    // Pitches go up as y goes down the loop, so labels are placed bottom to top; skip ones that would touch.
    if (labelTop + layout.textH + layout.scale <= lastLabelTop) {
      gutterLabel(canvas, layout, octaveLabel(p), y0, y1, layout.scale);
      lastLabelTop = labelTop;
    }
  }
}

export function drawDrumGrid(canvas: Canvas, layout: RollLayout): void {
  const lane = layout.drums;
  if (!lane) return;
  canvas.fillRect(lane.x, lane.y, lane.w, lane.h, THEME.plot);
  layout.drumPitches.forEach((pitch, i) => {
    const [y0, y1] = drumRowSpan(layout, i);
    if (i % 2 === 1) canvas.fillRect(lane.x, y0, lane.w, y1 - y0, THEME.blackKeyRow);
    // Full-size labels when the row has room for them and a gap, small ones when not, none below 8 px.
    const scale = y1 - y0 >= layout.textH + layout.scale ? layout.scale : y1 - y0 >= GLYPH_H + 1 ? 1 : 0;
    if (scale > 0) gutterLabel(canvas, layout, drumLabel(pitch), y0, y1, scale);
  });
}

/** Bars between drawn bar lines: every bar when there is room, else every 4th, 16th, ... */
export function barLineStep(layout: RollLayout): number {
  const pxPerBar = (layout.plotW * layout.ticksPerBar) / layout.totalTicks;
  let step = 1;
  while (pxPerBar * step < MIN_BAR_GAP) step *= 4;
  return step;
}

/** Beat and bar lines through a plot rectangle; every 4th bar line is stronger. */
export function drawTimeGrid(canvas: Canvas, layout: RollLayout, rect: Rect, meter: Meter, ppq: number): void {
  const tpBar = layout.ticksPerBar;
  if (!(tpBar > 0)) return;
  const tpBeat = ticksPerBeat(meter, ppq);
  const end = layout.plotX + layout.plotW;
  if (tpBeat > 0 && (layout.plotW * tpBeat) / layout.totalTicks >= MIN_BEAT_GAP) {
    for (let t = 0; t < layout.totalTicks; t += tpBeat) {
      if (t % tpBar !== 0) canvas.fillRect(tickToX(layout, t), rect.y, 1, rect.h, THEME.beatLine);
    }
  }
  const step = barLineStep(layout);
  for (let bar = 0; bar * tpBar < layout.totalTicks; bar += step) {
    const x = tickToX(layout, bar * tpBar);
    if (x >= end) break;
    // Every 4th drawn line is stronger: every 4 bars, or every 16 once lines are thinned to every 4th bar.
    canvas.fillRect(x, rect.y, 1, rect.h, (bar / step) % 4 === 0 ? THEME.strongBarLine : THEME.barLine);
  }
}

/** Tick marks under the plot (beats short, bars longer) and bar numbers where they fit. */
export function drawAxis(canvas: Canvas, layout: RollLayout, meter: Meter, ppq: number): void {
  const { axis, scale: s, ticksPerBar: tpBar } = layout;
  if (!(tpBar > 0)) return;
  const tpBeat = ticksPerBeat(meter, ppq);
  const end = layout.plotX + layout.plotW;
  if (tpBeat > 0 && (layout.plotW * tpBeat) / layout.totalTicks >= 3) {
    for (let t = 0; t < layout.totalTicks; t += tpBeat) canvas.fillRect(tickToX(layout, t), axis.y, 1, s, THEME.axisTick);
  }
  const lineStep = barLineStep(layout);
  const pxPerBar = (layout.plotW * tpBar) / layout.totalTicks;
  const widest = textWidth(String(Math.ceil(layout.totalTicks / tpBar)), s);
  let labelStep = lineStep;
  while (pxPerBar * labelStep < widest + 6 * s) labelStep *= 2;
  for (let bar = 0; bar * tpBar < layout.totalTicks; bar += lineStep) {
    const x = tickToX(layout, bar * tpBar);
    if (x >= end) break;
    canvas.fillRect(x, axis.y, 1, ((bar / lineStep) % 4 === 0 ? 3 : 2) * s, THEME.axisTick);
    const label = String(bar + 1);
    // A number that would run off the right edge is left out rather than cut.
    if (bar % labelStep === 0 && x + s + textWidth(label, s) <= layout.width - s) {
      drawText(canvas, label, x + s, axis.y + 4 * s, THEME.label, s);
    }
  }
}

/**
 * Piano-roll picture of a Score, posted as a PNG next to the generated audio.
 *
 * Layout (top to bottom): title line, legend, section band, pitched notes over key stripes with
 * labelled C lines, the drum lane (one row per drum sound), and bar numbers. Everything is drawn
 * with integer arithmetic from the score alone, so the same score always gives the same bytes.
 */
import type { Score } from '../core/score.ts';
import { Canvas } from './canvas.ts';
import type { Rect } from './canvas.ts';
import { drawText, textWidth } from './font.ts';
import { drawAxis, drawDrumGrid, drawPitchGrid, drawTimeGrid } from './grid.ts';
import { drawLegend, drawSections, drawTitle } from './header.ts';
import { computeLayout } from './layout.ts';
import type { PianoRollOptions, RollLayout } from './layout.ts';
import { drawDrumHits, drawPitchedNotes } from './notes.ts';
import { THEME, trackColors } from './palette.ts';

export type { PianoRollOptions } from './layout.ts';

function drawFrame(canvas: Canvas, r: Rect): void {
  canvas.fillRect(r.x - 1, r.y - 1, r.w + 2, 1, THEME.frame);
  canvas.fillRect(r.x - 1, r.y + r.h, r.w + 2, 1, THEME.frame);
  canvas.fillRect(r.x - 1, r.y, 1, r.h, THEME.frame);
  canvas.fillRect(r.x + r.w, r.y, 1, r.h, THEME.frame);
}

/** Draw the whole picture onto a canvas (exposed for tests that want pixels, not PNG bytes). */
export function drawPianoRoll(score: Score, opts: PianoRollOptions = {}): { canvas: Canvas; layout: RollLayout } {
  const layout = computeLayout(score, opts);
  const canvas = new Canvas(layout.width, layout.height, THEME.background);
  const colors = trackColors(score);
  const plots = [layout.pitched, layout.drums].filter((r): r is Rect => r !== null);

  drawPitchGrid(canvas, layout);
  drawDrumGrid(canvas, layout);
  for (const r of plots) drawTimeGrid(canvas, layout, r, score.meter, score.ppq);
  for (const r of plots) drawFrame(canvas, r);
  drawPitchedNotes(canvas, layout, score, colors);
  drawDrumHits(canvas, layout, score, colors);
  drawSections(canvas, layout, score);
  drawAxis(canvas, layout, score.meter, score.ppq);
  drawTitle(canvas, layout, score);
  drawLegend(canvas, layout, colors);

  if (score.tracks.every((t) => t.notes.length === 0) && layout.pitched) {
    const p = layout.pitched;
    const msg = 'no notes';
    const x = p.x + Math.round((p.w - textWidth(msg, layout.scale)) / 2);
    drawText(canvas, msg, x, p.y + Math.round((p.h - layout.textH) / 2), THEME.label, layout.scale);
  }
  return { canvas, layout };
}

/** PNG bytes of the score's piano roll; 1200×600 unless width/height say otherwise. */
export function renderPianoRoll(score: Score, opts: PianoRollOptions = {}): Buffer {
  return drawPianoRoll(score, opts).canvas.toPng();
}

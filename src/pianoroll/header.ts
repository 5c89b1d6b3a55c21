/**
 * Text around the plot: the title line, the legend of track colours, and the section band.
 */
import { formatKey } from '../core/keys.ts';
import type { Score } from '../core/score.ts';
import type { Canvas, Color } from './canvas.ts';
import { drawText, fitText, textWidth } from './font.ts';
import { tickToX } from './layout.ts';
import type { RollLayout } from './layout.ts';
import { sectionColors, THEME } from './palette.ts';

export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** "style · mood · key · bpm · meter · length", the part of the title line after the title. */
export function subtitleOf(score: Score): string {
  const bpm = Number.isFinite(score.bpm) ? `${Math.round(score.bpm * 10) / 10} bpm` : '';
  const meter = `${score.meter.numerator}/${score.meter.denominator}`;
  const parts = [score.meta.style, score.meta.mood, formatKey(score.key), bpm, meter, formatDuration(score.durationSec)];
  return parts.filter((p) => p && p.trim()).join(' · ');
}

export function drawTitle(canvas: Canvas, layout: RollLayout, score: Score): void {
  const s = layout.scale;
  const maxW = layout.plotW;
  const rest = ' · ' + subtitleOf(score);
  const title = score.meta.title.trim() || 'Untitled';
  // The title gives way first; the musical facts after it are what people compare between pieces.
  const restW = textWidth(rest, s);
  const fittedTitle = fitText(title, maxW - restW, s);
  if (fittedTitle.length >= Math.min(8, title.length)) {
    const x = drawText(canvas, fittedTitle, layout.plotX, layout.titleY, THEME.title, s);
    drawText(canvas, rest, x + s, layout.titleY, THEME.subtitle, s);
  } else {
    drawText(canvas, fitText(title + rest, maxW, s), layout.plotX, layout.titleY, THEME.title, s);
  }
}

export function drawLegend(canvas: Canvas, layout: RollLayout, colors: readonly Color[]): void {
  const s = layout.scale;
  const right = layout.plotX + layout.plotW;
  for (const item of layout.legend) {
    const color = colors[item.track]!;
    const swatch = layout.textH;
    canvas.fillRect(item.x + 1, item.y, swatch - 2, swatch, color);
    canvas.fillRect(item.x, item.y + 1, swatch, swatch - 2, color);
    const textX = item.x + swatch + 3 * s;
    drawText(canvas, fitText(item.label, right - textX, s), textX, item.y, color, s);
  }
}

/** Coloured bands over the plot, one per section, named where the name fits. */
export function drawSections(canvas: Canvas, layout: RollLayout, score: Score): void {
  const band = layout.sectionBand;
  const s = layout.scale;
  const colors = sectionColors(score.sections.map((sec) => sec.name));
  canvas.withClip(band, () => {
    score.sections.forEach((section, i) => {
      const x0 = tickToX(layout, section.startTick);
      const x1 = tickToX(layout, section.endTick);
      // One pixel of background between neighbours marks the boundary even when colours repeat.
      const w = x1 - x0 > 2 ? x1 - x0 - 1 : x1 - x0;
      if (w <= 0) return;
      canvas.fillRect(x0, band.y, w, band.h, colors[i]!);
      const label = fitText(section.name, w - 6 * s, s);
      if (label) drawText(canvas, label, x0 + 3 * s, band.y + Math.round((band.h - layout.textH) / 2), THEME.sectionText, s);
    });
  });
}

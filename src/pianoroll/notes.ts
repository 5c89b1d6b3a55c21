/**
 * Note bars for pitched tracks and hit marks for the drum lane.
 */
import type { Role, Score, ScoreNote } from '../core/score.ts';
import { mix } from './canvas.ts';
import type { Canvas, Color } from './canvas.ts';
import { drumRowSpan, pitchRowSpan, tickToX } from './layout.ts';
import type { RollLayout } from './layout.ts';
import { isDrumTrack, velocityShade } from './palette.ts';

/** Background parts first, the tune last, so the melody is never hidden under a pad. */
const DRAW_RANK: Record<Role, number> = { pad: 0, harmony: 1, arp: 2, perc: 3, bass: 3, lead: 4, drums: 5 };

/**
 * A bar with its four corner pixels left out (a rounded look that survives downscaling) and a
 * lighter top edge when it is tall enough to show one.
 */
export function drawNoteBar(canvas: Canvas, x: number, y: number, w: number, h: number, color: Color): void {
  if (w < 4 || h < 4) {
    canvas.fillRect(x, y, w, h, color);
    return;
  }
  canvas.fillRect(x + 1, y, w - 2, h, color);
  canvas.fillRect(x, y + 1, 1, h - 2, color);
  canvas.fillRect(x + w - 1, y + 1, 1, h - 2, color);
  if (h >= 6) canvas.fillRect(x + 1, y, w - 2, 1, mix(color, 0xffffff, 0.35));
}

export function drawPitchedNotes(canvas: Canvas, layout: RollLayout, score: Score, colors: readonly Color[]): void {
  const plot = layout.pitched;
  if (!plot) return;
  const order = score.tracks
    .map((track, index) => ({ track, index }))
    .filter(({ track }) => !isDrumTrack(track))
    .sort((a, b) => DRAW_RANK[a.track.role] - DRAW_RANK[b.track.role] || a.index - b.index);
  canvas.withClip(plot, () => {
    for (const { track, index } of order) {
      const color = colors[index]!;
      for (const note of track.notes) {
        const x0 = tickToX(layout, note.tick);
        let x1 = tickToX(layout, note.tick + note.durationTicks);
        // A one-pixel gap keeps repeated notes apart once they are wide enough to spare it.
        if (x1 - x0 > 3) x1 -= 1;
        let [y0, y1] = pitchRowSpan(layout, note.pitch);
        if (y1 - y0 >= 3) y1 -= 1;
        drawNoteBar(canvas, x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0), velocityShade(color, note.velocity));
      }
    }
  });
}

export function drawDrumHits(canvas: Canvas, layout: RollLayout, score: Score, colors: readonly Color[]): void {
  const lane = layout.drums;
  if (!lane) return;
  const rowOf = new Map(layout.drumPitches.map((pitch, i) => [pitch, i]));
  canvas.withClip(lane, () => {
    score.tracks.forEach((track, index) => {
      if (!isDrumTrack(track)) return;
      // Loud hits last, so a dense hi-hat pattern shows its accents even where hits overlap.
      const hits: ScoreNote[] = [...track.notes].sort((a, b) => a.velocity - b.velocity || a.tick - b.tick);
      for (const hit of hits) {
        const [y0, y1Full] = drumRowSpan(layout, rowOf.get(hit.pitch)!);
        const y1 = y1Full - y0 >= 3 ? y1Full - 1 : y1Full;
        const x0 = tickToX(layout, hit.tick);
        // Hits are instants: a short mark, at most about as wide as the row is tall.
        const w = Math.max(2, Math.min(tickToX(layout, hit.tick + hit.durationTicks) - x0 - 1, y1 - y0 + 2));
        drawNoteBar(canvas, x0, y0, w, y1 - y0, velocityShade(colors[index]!, hit.velocity));
      }
    });
  });
}

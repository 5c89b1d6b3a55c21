/**
 * Draws <model dir>/loss.png from the training history in the checkpoint: training loss (blue) and
 * validation loss (orange) in nats/token against training tokens, grid lines every 0.25 nats and
 * every 500k tokens. Axis ranges go to loss.json next to it (the PNG has no text: pngjs has no fonts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

export function writeLossCurve(dir: string): string {
  interface Point {
    step: number;
    tokens: number;
    trainLoss: number;
    valLoss: number;
  }
  const state = JSON.parse(readFileSync(join(dir, 'checkpoint/state.json'), 'utf8')) as { history: Point[] };
  const h = state.history;
  if (h.length < 2) throw new Error('not enough history to plot');

  const W = 800;
  const H = 480;
  const M = 40;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const maxTok = Math.max(...h.map((p) => p.tokens));
  const ys = h.flatMap((p) => [p.trainLoss, p.valLoss]);
  const yMin = Math.floor(Math.min(...ys) * 4) / 4;
  const yMax = Math.ceil(Math.max(...ys) * 4) / 4;
  const px = (tok: number) => M + ((W - 2 * M) * tok) / maxTok;
  const py = (y: number) => H - M - ((H - 2 * M) * (y - yMin)) / (yMax - yMin);
  const set = (x: number, y: number, c: [number, number, number]) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= W || yi >= H) return;
    const i = (yi * W + xi) * 4;
    png.data[i] = c[0];
    png.data[i + 1] = c[1];
    png.data[i + 2] = c[2];
    png.data[i + 3] = 255;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, c: [number, number, number], thick = 1) => {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let k = 0; k <= n; k++)
      for (let d = -thick + 1; d < thick; d++) {
        set(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n + d, c);
        set(x0 + ((x1 - x0) * k) / n + d, y0 + ((y1 - y0) * k) / n, c);
      }
  };
  for (let y = yMin; y <= yMax + 1e-9; y += 0.25) line(M, py(y), W - M, py(y), [225, 225, 225]);
  for (let t = 0; t <= maxTok; t += 500_000) line(px(t), M, px(t), H - M, [225, 225, 225]);
  line(M, H - M, W - M, H - M, [0, 0, 0]);
  line(M, M, M, H - M, [0, 0, 0]);
  for (let i = 1; i < h.length; i++) {
    line(px(h[i - 1]!.tokens), py(h[i - 1]!.trainLoss), px(h[i]!.tokens), py(h[i]!.trainLoss), [31, 119, 180], 2);
    line(px(h[i - 1]!.tokens), py(h[i - 1]!.valLoss), px(h[i]!.tokens), py(h[i]!.valLoss), [255, 127, 14], 2);
  }
  writeFileSync(join(dir, 'loss.png'), PNG.sync.write(png));
  writeFileSync(join(dir, 'loss.json'), JSON.stringify({ xAxis: { label: 'training tokens', min: 0, max: maxTok, gridEvery: 500_000 }, yAxis: { label: 'loss (nats/token)', min: yMin, max: yMax, gridEvery: 0.25 }, series: { blue: 'train (mean since previous point)', orange: 'validation' }, history: h }, null, 1));
  return `loss.png: ${h.length} points, tokens 0–${maxTok}, loss ${yMin}–${yMax}`;

}

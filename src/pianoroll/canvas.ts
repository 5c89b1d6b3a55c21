/**
 * A tiny RGB raster: just the primitives the piano roll needs (rectangles, blends, clipping),
 * encoded to PNG with pngjs. Colours are 0xRRGGBB numbers so palettes stay readable.
 */
import pngjs from 'pngjs';

const { PNG } = pngjs;

export type Color = number;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function rgb(color: Color): [number, number, number] {
  return [(color >> 16) & 0xff, (color >> 8) & 0xff, color & 0xff];
}

export function packRgb(r: number, g: number, b: number): Color {
  const c = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return (c(r) << 16) | (c(g) << 8) | c(b);
}

/** Linear mix of two colours; t = 0 gives a, t = 1 gives b. */
export function mix(a: Color, b: Color, t: number): Color {
  const [ar, ag, ab] = rgb(a);
  const [br, bg, bb] = rgb(b);
  return packRgb(ar + (br - ar) * t, ag + (bg - ag) * t, ab + (bb - ab) * t);
}

export class Canvas {
  readonly data: Buffer;
  private clip: Rect;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Color,
  ) {
    this.data = Buffer.alloc(width * height * 3);
    this.clip = { x: 0, y: 0, w: width, h: height };
    this.fillRect(0, 0, width, height, background);
  }

  /** Restrict drawing to r (intersected with the canvas) while fn runs. */
  withClip(r: Rect, fn: () => void): void {
    const saved = this.clip;
    const x0 = Math.max(saved.x, r.x);
    const y0 = Math.max(saved.y, r.y);
    const x1 = Math.min(saved.x + saved.w, r.x + r.w);
    const y1 = Math.min(saved.y + saved.h, r.y + r.h);
    this.clip = { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
    try {
      fn();
    } finally {
      this.clip = saved;
    }
  }

  /** Fill the integer rectangle [x, x+w) × [y, y+h), clipped. */
  fillRect(x: number, y: number, w: number, h: number, color: Color): void {
    const c = this.clipped(x, y, w, h);
    if (!c) return;
    const [r, g, b] = rgb(color);
    const { data, width } = this;
    // Paint the first row pixel by pixel, then copy it down: copyWithin is far faster than loops.
    const rowStart = (c.y0 * width + c.x0) * 3;
    const rowBytes = (c.x1 - c.x0) * 3;
    for (let i = rowStart; i < rowStart + rowBytes; i += 3) {
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
    }
    for (let yy = c.y0 + 1; yy < c.y1; yy++) {
      data.copyWithin((yy * width + c.x0) * 3, rowStart, rowStart + rowBytes);
    }
  }

  /** Blend color over the rectangle with opacity alpha (0–1). */
  blendRect(x: number, y: number, w: number, h: number, color: Color, alpha: number): void {
    const c = this.clipped(x, y, w, h);
    if (!c) return;
    const [r, g, b] = rgb(color);
    const { data, width } = this;
    const keep = 1 - alpha;
    for (let yy = c.y0; yy < c.y1; yy++) {
      for (let i = (yy * width + c.x0) * 3, end = (yy * width + c.x1) * 3; i < end; i += 3) {
        data[i] = Math.round(data[i]! * keep + r * alpha);
        data[i + 1] = Math.round(data[i + 1]! * keep + g * alpha);
        data[i + 2] = Math.round(data[i + 2]! * keep + b * alpha);
      }
    }
  }

  setPixel(x: number, y: number, color: Color): void {
    this.fillRect(x, y, 1, 1, color);
  }

  getPixel(x: number, y: number): Color {
    const i = (y * this.width + x) * 3;
    return (this.data[i]! << 16) | (this.data[i + 1]! << 8) | this.data[i + 2]!;
  }

  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = this.data;
    // RGB in, RGB out. Level 6 is several times faster than pngjs's default 9 for about the same size
    // on flat-coloured images like this one; the output is still byte-for-byte deterministic.
    return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false, deflateLevel: 6 });
  }

  private clipped(x: number, y: number, w: number, h: number) {
    const { clip } = this;
    const x0 = Math.max(Math.round(x), clip.x);
    const y0 = Math.max(Math.round(y), clip.y);
    const x1 = Math.min(Math.round(x + w), clip.x + clip.w);
    const y1 = Math.min(Math.round(y + h), clip.y + clip.h);
    return x1 > x0 && y1 > y0 ? { x0, y0, x1, y1 } : null;
  }
}

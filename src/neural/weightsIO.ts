/**
 * Weight files in the TensorFlow.js weights-manifest layout (model.json + one .bin shard), with
 * float16 storage for the shipped model (halves the size; the LSTM's outputs change by < 1e-3,
 * checked in test/neural) and float32 for training checkpoints (exact resume).
 * Decoding is plain JS so inference needs no tfjs at all.
 */

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'float16'; original_dtype: 'float32' };
}

export interface WeightsManifestEntry {
  paths: string[];
  weights: WeightSpec[];
}

export type NamedArrays = Record<string, { shape: number[]; data: Float32Array }>;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary32 → binary16, round to nearest even. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >>> 10;
  return sign | half;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function encodeWeights(arrays: NamedArrays, half: boolean): { specs: WeightSpec[]; data: Uint8Array } {
  const specs: WeightSpec[] = [];
  let bytes = 0;
  for (const a of Object.values(arrays)) bytes += a.data.length * (half ? 2 : 4);
  const data = new Uint8Array(bytes);
  const view = new DataView(data.buffer);
  let off = 0;
  for (const [name, a] of Object.entries(arrays)) {
    specs.push(half ? { name, shape: a.shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } } : { name, shape: a.shape, dtype: 'float32' });
    for (let i = 0; i < a.data.length; i++) {
      if (half) {
        view.setUint16(off, toHalf(a.data[i]!), true);
        off += 2;
      } else {
        view.setFloat32(off, a.data[i]!, true);
        off += 4;
      }
    }
  }
  return { specs, data };
}

export function decodeWeights(specs: readonly WeightSpec[], buf: Uint8Array): NamedArrays {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: NamedArrays = {};
  let off = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (s.quantization?.dtype === 'float16') {
      for (let i = 0; i < n; i++, off += 2) data[i] = fromHalf(view.getUint16(off, true));
    } else {
      for (let i = 0; i < n; i++, off += 4) data[i] = view.getFloat32(off, true);
    }
    out[s.name] = { shape: s.shape, data };
  }
  if (off !== buf.byteLength) throw new Error(`weights: read ${off} of ${buf.byteLength} bytes`);
  return out;
}

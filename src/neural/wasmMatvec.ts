/**
 * A tiny hand-assembled WebAssembly SIMD kernel for the inference step's matrix–vector products:
 *   matvec(z, m, v, rows, n):  z[j] += Σ_i m[j·n + i] · v[i]   for j < rows  (n a multiple of 8)
 * (byte offsets into the module's own memory; m row-major, i.e. the transposed weights).
 * Plain JS reaches about 1 GMAC/s here; f32x4 with two accumulators is several times faster, which
 * is what keeps a 60 s melody well under the 300 ms budget on a loaded 2-core machine.
 * The bytes are assembled below (not a committed binary) so the source is the kernel; if the
 * runtime lacks SIMD, createMatvec returns null and lstmCore.ts stays on plain JS.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Locals: params z=0 m=1 v=2 rows=3 n=4; j=5 i=6 mp=7 (i32); acc=8 acc2=9 (v128).
const [Z, M, V, ROWS, N, J, I, MP, ACC, ACC2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const i32c = (k: number) => [0x41, k]; // k < 64: one-byte signed LEB
const SIMD = (op: number, ...rest: number[]) => [0xfd, ...uleb(op), ...rest];
const v128load = (offset: number) => SIMD(0x00, 4, ...uleb(offset));
const F32X4_ADD = SIMD(0xe4);
const F32X4_MUL = SIMD(0xe6);
const lane = (k: number) => SIMD(0x1f, k);
const addr = (base: number, index: number) => [...get(base), ...get(index), ...i32c(2), 0x74 /* shl */, 0x6a /* add */];

function body(): number[] {
  const code = [
    ...i32c(0), ...set(J),
    0x02, 0x40, // block $outer
    0x03, 0x40, // loop $rows
    ...get(J), ...get(ROWS), 0x4f /* i32.ge_u */, 0x0d, 1, // br_if $outer
    ...get(M), ...get(J), ...get(N), 0x6c /* mul */, ...i32c(2), 0x74, 0x6a, ...set(MP),
    ...SIMD(0x0c, ...new Array(16).fill(0)), ...set(ACC),
    ...SIMD(0x0c, ...new Array(16).fill(0)), ...set(ACC2),
    ...i32c(0), ...set(I),
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $inner
    ...get(I), ...get(N), 0x4f, 0x0d, 1, // br_if $done
    ...get(ACC), ...get(MP), ...v128load(0), ...addr(V, I), ...v128load(0), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC),
    ...get(ACC2), ...get(MP), ...v128load(16), ...addr(V, I), ...v128load(16), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC2),
    ...get(MP), 0x41, 32, 0x6a, ...set(MP),
    ...get(I), ...i32c(8), 0x6a, ...set(I),
    0x0c, 0, // br $inner
    0x0b, 0x0b, // end loop, end block
    ...get(ACC), ...get(ACC2), ...F32X4_ADD, ...set(ACC),
    ...addr(Z, J), // store address
    ...addr(Z, J), 0x2a, 2, 0, // f32.load
    ...get(ACC), ...lane(0), 0x92,
    ...get(ACC), ...lane(1), 0x92,
    ...get(ACC), ...lane(2), 0x92,
    ...get(ACC), ...lane(3), 0x92,
    0x38, 2, 0, // f32.store
    ...get(J), ...i32c(1), 0x6a, ...set(J),
    0x0c, 0, // br $rows
    0x0b, 0x0b, // end loop, end block
    0x0b, // end function
  ];
  const locals = [2, 3, I32, 2, V128];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

export function matvecModuleBytes(pages: number): Uint8Array<ArrayBuffer> {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...uleb(pages)]),
    ...section(7, [2, ...name('matvec'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...body()]),
  ];
  return Uint8Array.from(bytes);
}

export interface Matvec {
  memory: WebAssembly.Memory;
  matvec: (z: number, m: number, v: number, rows: number, n: number) => void;
}

/** Instantiate with at least `bytes` of memory; null when WebAssembly SIMD is unavailable. */
export function createMatvec(bytes: number): Matvec | null {
  try {
    const pages = Math.ceil(bytes / 65536) + 1;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(matvecModuleBytes(pages)));
    const { matvec, memory } = instance.exports as unknown as Matvec;
    return { matvec, memory };
  } catch {
    return null;
  }
}

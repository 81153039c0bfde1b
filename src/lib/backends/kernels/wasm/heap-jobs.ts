/**
 * The loops this folder's kernels run in JavaScript on the wasm heap, in a form that several
 * threads can share (./helper-threads.ts): a job reads its operands' byte offsets and sizes from
 * `args` and computes the part [lo, hi) of its outer loop. Parts write disjoint elements, and each
 * element is computed the same way whatever the split, so splitting a job never changes a value.
 *
 * No tfjs import: a helper thread loads this module and ./helper-threads.ts alone.
 */
import { fusedAdamLoop } from "../fused-adam-op.ts";

/**
 * One job: `heap` is the wasm memory's buffer, `args` the job's numbers (byte offsets, sizes,
 * constants; float64 holds every float32 and every heap offset exactly).
 */
export type HeapJob = (heap: ArrayBufferLike, args: Float64Array, lo: number, hi: number) => void;

/** What the jobs read from `args`, in order; the kernels write them with these names in mind. */
export const JOB_ARGS = {
  maxPoolGrad2x2: ["x", "maxes", "dy", "dx", "batch", "inHeight", "inWidth", "channels", "outHeight", "outWidth"],
  transposeBatchAndChannels: ["src", "dst", "batch", "pixels", "channels"],
  patchRows: ["xT", "dst", "batch", "height", "width", "inChannels", "kh", "kw", "outHeight", "outWidth", "top", "left"],
  fusedAdam: ["variable", "gradient", "moments", "outVariable", "outMoments", "size", "b1", "oneMinusB1", "b2", "oneMinusB2", "c1", "c2", "eps", "negLr"],
  transposeRows: ["src", "dst", "rows", "cols"],
  batchNormRows: ["x", "out", "channelParams", "rows", "channels"],
} as const;

/** A job's name. */
export type HeapJobName = keyof typeof JOB_ARGS;

/** The arguments of job `name`, by name. */
export type HeapJobArgs<N extends HeapJobName> = Record<(typeof JOB_ARGS)[N][number], number>;

const f32 = (heap: ArrayBufferLike, byteOffset: number, length: number) => new Float32Array(heap, byteOffset, length);

/**
 * MaxPoolGrad of the 2x2, stride-2, unpadded pool: windows are disjoint and inside x. The part is
 * a range of window rows (b * outHeight + yo), each writing its two rows of dx.
 *
 * Each window's four dx values are written (the gradient at its first maximum, zero elsewhere)
 * without a branch on the data: which of four values is largest is a coin toss the processor
 * mispredicts about half the time, and this took twice as long with the comparisons as jumps
 * (CNN 32-64-3-64's pool1 at batch 64: 2.1 against 5.9 ms, docs/wasm.md). The window's maximum is
 * the forward pass's output (`maxes`), so the first position holding it is the first maximum; the
 * gradient is copied as its bits, masked by the 0-or-1 results of the comparisons. A window whose
 * maximum is NaN or infinite, or holds no value equal to it (an `output` that is not this input's
 * pool), takes the comparisons one by one, as the general path does: NaN never wins, a window of
 * NaN and -Infinity gets no gradient.
 */
function maxPoolGrad2x2(heap: ArrayBufferLike, args: Float64Array, lo: number, hi: number): void {
  const [x, maxesAt, dyAt, dxAt, batch, inHeight, inWidth, channels, outHeight, outWidth] = args;
  const xs = f32(heap, x, batch * inHeight * inWidth * channels);
  const maxes = f32(heap, maxesAt, batch * outHeight * outWidth * channels);
  const dys = f32(heap, dyAt, maxes.length);
  const dx = f32(heap, dxAt, xs.length);
  const dxBits = new Int32Array(heap, dxAt, xs.length);
  const dyBits = new Int32Array(heap, dyAt, maxes.length);
  const rowStride = inWidth * channels;
  let dyIndex = lo * outWidth * channels;
  for (let row = lo; row < hi; row++) {
    const b = Math.floor(row / outHeight);
    const yo = row - b * outHeight;
    for (let xo = 0; xo < outWidth; xo++) {
      const p00 = ((b * inHeight + 2 * yo) * inWidth + 2 * xo) * channels;
      for (let c = 0; c < channels; c++, dyIndex++) {
        const a = p00 + c;
        const bb = a + channels;
        const cc = a + rowStride;
        const d = cc + channels;
        const m = maxes[dyIndex];
        // The first of a, b, c, d equal to m gets 1 (+bool: V8 turns it into a flag, where a
        // ternary would be a jump again).
        const wa = +(xs[a] === m);
        const wb = (1 - wa) & +(xs[bb] === m);
        const wc = (1 - wa - wb) & +(xs[cc] === m);
        const wd = (1 - wa - wb - wc) & +(xs[d] === m);
        if (m - m !== 0 || wa + wb + wc + wd === 0) {
          maxPoolGradWindow(xs, dx, dys[dyIndex], a, bb, cc, d);
          continue;
        }
        const g = dyBits[dyIndex];
        dxBits[a] = g & -wa;
        dxBits[bb] = g & -wb;
        dxBits[cc] = g & -wc;
        dxBits[d] = g & -wd;
      }
    }
  }
}

/** One 2x2 window the slow way: comparisons in order from -Infinity, as the general path. */
function maxPoolGradWindow(xs: Float32Array, dx: Float32Array, g: number, a: number, b: number, c: number, d: number): void {
  let best = -1;
  let v = Number.NEGATIVE_INFINITY;
  for (const i of [a, b, c, d]) {
    dx[i] = 0;
    if (xs[i] > v) {
      v = xs[i];
      best = i;
    }
  }
  if (best >= 0) dx[best] = g;
}

/**
 * x [N,H,W,C] to x^T [C,H,W,N]; the part is a range of pixels (y, x). Writes run contiguously
 * along n; the reads of one pixel (n rows of c floats) stay in cache. The stock Transpose kernel
 * takes ~5 ns per element for this permutation, which moves single floats, not rows.
 */
function transposeBatchAndChannels(heap: ArrayBufferLike, args: Float64Array, lo: number, hi: number): void {
  const [srcAt, dstAt, n, pixels, c] = args;
  const src = f32(heap, srcAt, n * pixels * c);
  const dst = f32(heap, dstAt, src.length);
  const srcBatchStride = pixels * c;
  for (let p = lo; p < hi; p++) {
    for (let k = 0; k < c; k++) {
      let o = (k * pixels + p) * n;
      for (let b = 0, i = p * c + k; b < n; b++, i += srcBatchStride) dst[o++] = src[i];
    }
  }
}

/**
 * The patch matrix P^T [kh*kw*Cin, Ho*Wo*N] of a stride-1 convolution's filter gradient, from x^T
 * [Cin,H,W,N]: P^T[(i,j,ci), (y,x,n)] = x^T[ci, y+i-top, x+j-left, n], zeros where the window
 * hangs over the padding. Copied in contiguous runs of up to Wo*N floats; the part is a range of
 * rows (i, j, ci).
 */
function patchRows(heap: ArrayBufferLike, args: Float64Array, lo: number, hi: number): void {
  const [srcAt, dstAt, n, h, w, cin, kh, kw, ho, wo, top, left] = args;
  const src = f32(heap, srcAt, cin * h * w * n);
  const rowLength = ho * wo * n;
  const dst = f32(heap, dstAt, kh * kw * cin * rowLength);
  for (let r = lo; r < hi; r++) {
    const ci = r % cin;
    const j = Math.floor(r / cin) % kw;
    const i = Math.floor(r / (cin * kw));
    const x0 = Math.max(0, left - j);
    const x1 = Math.max(x0, Math.min(wo, w + left - j));
    let o = r * rowLength;
    for (let y = 0; y < ho; y++, o += wo * n) {
      const yi = y + i - top;
      if (yi < 0 || yi >= h) {
        dst.fill(0, o, o + wo * n);
        continue;
      }
      if (x0 > 0) dst.fill(0, o, o + x0 * n);
      const start = ((ci * h + yi) * w + x0 + j - left) * n;
      dst.set(src.subarray(start, start + (x1 - x0) * n), o + x0 * n);
      if (x1 < wo) dst.fill(0, o + x1 * n, o + wo * n);
    }
  }
}

/** One Adam step (../fused-adam-op.ts) over the elements [lo, hi) of one variable. */
function fusedAdam(heap: ArrayBufferLike, args: Float64Array, lo: number, hi: number): void {
  const [w, g, mv, outW, outMv, size, b1, oneMinusB1, b2, oneMinusB2, c1, c2, eps, negLr] = args;
  const constants = { b1, oneMinusB1, b2, oneMinusB2, c1, c2, eps, negLr };
  fusedAdamLoop(f32(heap, w, size), f32(heap, g, size), f32(heap, mv, 2 * size), f32(heap, outW, size), f32(heap, outMv, 2 * size), constants, lo, hi);
}

/** Rows per block of {@link transposeRows}: a block's reads stay in cache while each column's writes run contiguously. */
export const TRANSPOSE_BLOCK = 64;

/**
 * src [rows, cols] to dst [cols, rows], both row-major, in blocks of {@link TRANSPOSE_BLOCK} rows
 * (~2 ns per element; the stock Transpose kernel takes ~8.5 for [50176, 64]); the part is a range
 * of blocks.
 */
function transposeRows(heap: ArrayBufferLike, args: Float64Array, lo: number, hi: number): void {
  const [srcAt, dstAt, rows, cols] = args;
  const src = f32(heap, srcAt, rows * cols);
  const dst = f32(heap, dstAt, rows * cols);
  for (let r0 = lo * TRANSPOSE_BLOCK; r0 < Math.min(rows, hi * TRANSPOSE_BLOCK); r0 += TRANSPOSE_BLOCK) {
    const r1 = Math.min(rows, r0 + TRANSPOSE_BLOCK);
    for (let c = 0; c < cols; c++) {
      let o = c * rows + r0;
      for (let i = r0 * cols + c, r = r0; r < r1; r++, i += cols) dst[o++] = src[i];
    }
  }
}

/**
 * Batch normalisation of x [rows, channels] with per-channel float64 parameters at
 * `channelParams` (mean, offset, factor = scale / sqrt(variance + epsilon), `channels` each):
 * out = offset + (x - mean) * factor, the cpu backend's formula; the part is a range of rows.
 */
function batchNormRows(heap: ArrayBufferLike, args: Float64Array, lo: number, hi: number): void {
  const [xAt, outAt, paramsAt, rows, channels] = args;
  const xs = f32(heap, xAt, rows * channels);
  const ys = f32(heap, outAt, rows * channels);
  const m = new Float64Array(heap, paramsAt, channels);
  const o = new Float64Array(heap, paramsAt + 8 * channels, channels);
  const factor = new Float64Array(heap, paramsAt + 16 * channels, channels);
  for (let i = lo * channels; i < hi * channels; i += channels) {
    for (let c = 0; c < channels; c++) ys[i + c] = o[c] + (xs[i + c] - m[c]) * factor[c];
  }
}

/** Every job, by name. */
export const HEAP_JOBS: Record<HeapJobName, HeapJob> = { maxPoolGrad2x2, transposeBatchAndChannels, patchRows, fusedAdam, transposeRows, batchNormRows };

/** Job names in a fixed order: a job crosses to a helper thread as its index here. */
export const HEAP_JOB_NAMES = Object.keys(JOB_ARGS) as HeapJobName[];

/** `args` of job `name` as the Float64Array the job reads, in {@link JOB_ARGS} order. */
export function packJobArgs<N extends HeapJobName>(name: N, args: HeapJobArgs<N>, into: Float64Array): Float64Array {
  const names = JOB_ARGS[name] as readonly string[];
  for (let i = 0; i < names.length; i++) into[i] = (args as Record<string, number>)[names[i]];
  return into;
}

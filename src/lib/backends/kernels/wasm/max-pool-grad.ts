/** `MaxPoolGrad` for the wasm backend, in JavaScript on the wasm heap. */
import { backend_util, MaxPoolGrad } from "@tensorflow/tfjs-core";
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import type { KernelArgs, Shape4, WasmKernel } from "./shared.ts";

/**
 * MaxPoolGrad in JavaScript straight on the wasm heap. The stock kernel is a generic pooling
 * template that takes ~25 ns per element, and it seeds its running maximum with the smallest
 * positive float, so windows of values <= 0 send their gradient to the wrong place. This one
 * follows the cpu backend: each window's gradient goes to its first maximum.
 */
function maxPoolGrad(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as MaxPoolGradAttrs;
  const dy = inputs.dy as TensorInfo;
  const input = inputs.input as TensorInfo;
  const output = inputs.output as TensorInfo | undefined;
  const info = backend_util.computePool2DInfo(input.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(input.shape, "float32");
  // Heap views are taken after the last allocation: growing wasm memory would detach them.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const xs = backend.typedArrayFromHeap(input) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  const tiled =
    top === 0 &&
    left === 0 &&
    strideHeight === effectiveFilterHeight &&
    strideWidth === effectiveFilterWidth &&
    outHeight * strideHeight <= inHeight &&
    outWidth * strideWidth <= inWidth;
  if (tiled && effectiveFilterHeight === 2 && effectiveFilterWidth === 2 && output !== undefined) {
    // The windows cover x but for a last odd row or column, which gets no gradient.
    if (2 * outHeight < inHeight || 2 * outWidth < inWidth) dx.fill(0);
    maxPoolGrad2x2(xs, backend.typedArrayFromHeap(output) as Float32Array, dys, dx, info);
    return out;
  }
  dx.fill(0);
  const maxValue = new Float32Array(channels);
  const maxIndex = new Int32Array(channels);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yo = 0; yo < outHeight; yo++) {
      const y0 = Math.max(0, yo * strideHeight - top);
      const y1 = Math.min(inHeight, yo * strideHeight - top + effectiveFilterHeight);
      for (let xo = 0; xo < outWidth; xo++) {
        const x0 = Math.max(0, xo * strideWidth - left);
        const x1 = Math.min(inWidth, xo * strideWidth - left + effectiveFilterWidth);
        maxValue.fill(Number.NEGATIVE_INFINITY);
        maxIndex.fill(-1);
        for (let yi = y0; yi < y1; yi++) {
          for (let xi = x0; xi < x1; xi++) {
            const base = ((b * inHeight + yi) * inWidth + xi) * channels;
            for (let c = 0; c < channels; c++) {
              const v = xs[base + c];
              if (v > maxValue[c]) {
                maxValue[c] = v;
                maxIndex[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++, dyIndex++) {
          if (maxIndex[c] >= 0) dx[maxIndex[c]] += dys[dyIndex];
        }
      }
    }
  }
  return out;
}

/**
 * The common 2x2, stride-2, unpadded pool: windows are disjoint and inside x. Each window's four
 * dx values are written (the gradient at its first maximum, zero elsewhere) without a branch on
 * the data: which of four values is largest is a coin toss the processor mispredicts about half
 * the time, and this took twice as long with the comparisons as jumps (CNN 32-64-3-64's pool1 at
 * batch 64: 2.1 against 5.9 ms, docs/wasm.md). The window's maximum is the forward pass's output
 * (`maxes`), so the first position holding it is the first maximum; the gradient is copied as its
 * bits, masked by the 0-or-1 results of the comparisons. A window whose maximum is NaN or
 * infinite, or holds no value equal to it (an `output` that is not this input's pool), takes the
 * comparisons one by one, as the general path does: NaN never wins, a window of NaN and -Infinity
 * gets no gradient.
 */
function maxPoolGrad2x2(xs: Float32Array, maxes: Float32Array, dys: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const rowStride = inWidth * channels;
  const dxBits = new Int32Array(dx.buffer, dx.byteOffset, dx.length);
  const dyBits = new Int32Array(dys.buffer, dys.byteOffset, dys.length);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yo = 0; yo < outHeight; yo++) {
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

/** `MaxPoolGrad`: dy [N,Ho,Wo,C], the pool's input [N,H,W,C] and output [N,Ho,Wo,C] to dx [N,H,W,C]. */
export const maxPoolGradKernel: WasmKernel = {
  kernelName: MaxPoolGrad,
  required: false,
  make: () => maxPoolGrad as unknown as KernelFunc,
};

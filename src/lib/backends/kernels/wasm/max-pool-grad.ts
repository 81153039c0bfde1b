/** `MaxPoolGrad` for the wasm backend, in JavaScript on the wasm heap. */
import { backend_util, MaxPoolGrad } from "@tensorflow/tfjs-core";
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { MIN_PART_ELEMENTS, runHeapJob } from "./helper-threads.ts";
import type { KernelArgs, Shape4, WasmKernel } from "./shared.ts";

/**
 * MaxPoolGrad in JavaScript straight on the wasm heap. The stock kernel is a generic pooling
 * template that takes ~25 ns per element, and it seeds its running maximum with the smallest
 * positive float, so windows of values <= 0 send their gradient to the wrong place. This one
 * follows the cpu backend: each window's gradient goes to its first maximum. The common 2x2,
 * stride-2 pool takes a faster loop (./heap-jobs.ts, `maxPoolGrad2x2`), shared with the helper
 * threads where they run (./helper-threads.ts).
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
    const maxes = backend.typedArrayFromHeap(output) as Float32Array;
    const args = {
      x: xs.byteOffset,
      maxes: maxes.byteOffset,
      dy: dys.byteOffset,
      dx: dx.byteOffset,
      batch: batchSize,
      inHeight,
      inWidth,
      channels,
      outHeight,
      outWidth,
    };
    // The part is a range of window rows (b, yo).
    runHeapJob(dx.buffer, "maxPoolGrad2x2", args, batchSize * outHeight, Math.ceil(MIN_PART_ELEMENTS / (4 * outWidth * channels)));
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

/** `MaxPoolGrad`: dy [N,Ho,Wo,C], the pool's input [N,H,W,C] and output [N,Ho,Wo,C] to dx [N,H,W,C]. */
export const maxPoolGradKernel: WasmKernel = {
  kernelName: MaxPoolGrad,
  required: false,
  make: () => maxPoolGrad as unknown as KernelFunc,
};

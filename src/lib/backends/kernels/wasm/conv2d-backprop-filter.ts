/**
 * `Conv2DBackpropFilter` for the wasm backend, which tfjs-backend-wasm 4.22 lacks altogether.
 * The filter gradient of a stride-1 convolution is a matrix product of the input's patches by dy,
 * so it runs on the backend's XNNPACK-backed `BatchMatMul` (and, for few input channels, `Conv2D`
 * to gather the patches) plus layout changes; other shapes (stride > 1, NCHW) take a direct
 * summation that is slow but correct.
 */
import { backend_util, BatchMatMul, Conv2DBackpropFilter } from "@tensorflow/tfjs-core";
import type { Conv2DBackpropFilterAttrs, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { MIN_PART_ELEMENTS, runHeapJob } from "./helper-threads.ts";
import { convolve, dispose, fastPathPads, forwardConvInfo, MATMUL_MAX_TAPS, runKernel, transpose, transposeInto } from "./shared.ts";
import type { KernelArgs, Pads, Shape4, WasmKernel } from "./shared.ts";

/**
 * x [N,H,W,C] to x^T [C,H,W,N] in JavaScript on the wasm heap (./heap-jobs.ts), split between
 * threads by pixels where helpers run: the stock Transpose kernel takes ~5 ns per element for this
 * permutation, which moves single floats, not rows.
 */
function transposeBatchAndChannels(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const [n, h, w, c] = x.shape;
  const out = backend.makeOutput([c, h, w, n], x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const args = { src: src.byteOffset, dst: dst.byteOffset, batch: n, pixels: h * w, channels: c };
  runHeapJob(dst.buffer, "transposeBatchAndChannels", args, h * w, Math.ceil(MIN_PART_ELEMENTS / (n * c)));
  return out;
}

/**
 * dW[i,j,ci,co] = sum over y,x,n of xpad[n, y+i, x+j, ci] * dy[n, y, x, co], as one XNNPACK matrix
 * product: dW [kh*kw*Cin, Cout] = P^T [kh*kw*Cin, Ho*Wo*N] times dy^T [Ho*Wo*N, Cout]. The patch
 * matrix P^T[(i,j,ci), (y,x,n)] = x^T[ci, y+i-top, x+j-left, n] is copied in JavaScript from x^T
 * [Cin,H,W,N] (./heap-jobs.ts, `patchRows`; split between threads by rows where helpers run); its
 * rows are dW's layout, so nothing is transposed afterwards. Until 2026-12-07 this
 * was a valid convolution of x^T by dy^T seen as an Ho x Wo filter, which sums in the same order
 * (y, x, n), so both give the same values bit for bit; the product is faster (ResNet 3x64's block
 * gradients 44.7 → 41.2 ms each, its whole step about 5% faster on one thread; the CNN's second
 * layer the same within the machine's noise; docs/wasm.md), at the price of the patch matrix (29 MB for a ResNet 3x64 block at batch 64).
 */
function backpropFilterProduct(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, pads: Pads): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: ho, outWidth: wo, outChannels: cout, filterHeight: kh, filterWidth: kw } = info;
  const xT = transposeBatchAndChannels(backend, x);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const taps = kh * kw * cin;
  const k = ho * wo * n;
  const patchesT = backend.makeOutput([1, taps, k], "float32");
  const src = backend.typedArrayFromHeap(xT) as Float32Array;
  const dst = backend.typedArrayFromHeap(patchesT) as Float32Array;
  const args = {
    xT: src.byteOffset,
    dst: dst.byteOffset,
    batch: n,
    height: h,
    width: w,
    inChannels: cin,
    kh,
    kw,
    outHeight: ho,
    outWidth: wo,
    top: pads.top,
    left: pads.left,
  };
  runHeapJob(dst.buffer, "patchRows", args, taps, Math.ceil(MIN_PART_ELEMENTS / k));
  dispose(backend, xT);
  const grad = runKernel(BatchMatMul, {
    inputs: { a: patchesT, b: { ...dyT, shape: [1, k, cout] } },
    backend,
    attrs: { transposeA: false, transposeB: false } as unknown as NamedAttrMap,
  });
  dispose(backend, patchesT, dyT);
  return { ...grad, shape: [kh, kw, cin, cout] };
}

/**
 * dy [pixels, C] to dy^T [1, C, pixels], by whichever is faster for C: the stock Transpose kernel
 * up to 32 channels (about 1 ms for CNN 32-64-3-64's first layer, [43264, 32], against 2.4 in
 * JavaScript), JavaScript beyond (the stock kernel takes 27 ms for the ResNet stem's [50176, 64],
 * JavaScript about 4). Both serial; a copy, so either gives the same values.
 */
function transposePixelsAndChannels(backend: BackendWasm, dy: TensorInfo, pixels: number, channels: number): TensorInfo {
  if (channels <= 32) {
    const t = transpose(backend, { ...dy, shape: [pixels, channels] }, [1, 0]);
    return { ...t, shape: [1, channels, pixels] };
  }
  const dyT = backend.makeOutput([1, channels, pixels], "float32");
  transposeInto(backend.typedArrayFromHeap(dy) as Float32Array, backend.typedArrayFromHeap(dyT) as Float32Array, pixels, channels);
  return dyT;
}

/**
 * The same gradient the other way round, for few input channels (kh*kw*Cin taps): dW^T [Cout, kh*kw*Cin] is
 * dy^T [Cout, N*Ho*Wo] times the patches [N*Ho*Wo, kh*kw*Cin]. The patch matrix is the operand
 * XNNPACK repacks on every call (at ~14 ns per element when it is laid out [K, N]), so it is
 * kept the small one. The patches come from XNNPACK (a convolution, on every thread), dy^T from
 * transposePixelsAndChannels.
 */
function backpropFilterMatMul(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, pads: Pads): TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const taps = filterHeight * filterWidth * inChannels;
  const pixels = batchSize * outHeight * outWidth;
  // The patches are themselves a convolution: with the one-hot filter E[i,j,ci,(i,j,ci)] = 1
  // each output pixel lists its receptive field, zeros where it hangs over the padding.
  const oneHot = backend.makeOutput([filterHeight, filterWidth, inChannels, taps], "float32");
  const e = backend.typedArrayFromHeap(oneHot) as Float32Array;
  e.fill(0);
  for (let t = 0; t < taps; t++) e[t * taps + t] = 1;
  const patches = convolve(backend, x, oneHot, pads);
  dispose(backend, oneHot);
  const dyT = transposePixelsAndChannels(backend, dy, pixels, outChannels);
  const gradT = runKernel(BatchMatMul, {
    inputs: { a: dyT, b: { ...patches, shape: [1, pixels, taps] } },
    backend,
    attrs: { transposeA: false, transposeB: false } as unknown as NamedAttrMap,
  });
  dispose(backend, patches, dyT);
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], "float32");
  transposeInto(backend.typedArrayFromHeap(gradT) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array, outChannels, taps);
  dispose(backend, gradT);
  return out;
}

function backpropFilterFast(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, pads: Pads): TensorInfo {
  return info.filterHeight * info.filterWidth * info.inChannels <= MATMUL_MAX_TAPS
    ? backpropFilterMatMul(backend, x, dy, info, pads)
    : backpropFilterProduct(backend, x, dy, info, pads);
}

/** Direct summation over every (n, y, x) for any stride and data format; slow, always correct. */
function backpropFilterLoops(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const xs = backend.readSync(x.dataId) as Float32Array;
  const dys = backend.readSync(dy.dataId) as Float32Array;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const channelsLast = info.dataFormat === "channelsLast";
  // Element strides of x and dy in their own layout.
  const xStride = channelsLast
    ? { n: inHeight * inWidth * inChannels, h: inWidth * inChannels, w: inChannels, c: 1 }
    : { n: inChannels * inHeight * inWidth, h: inWidth, w: 1, c: inHeight * inWidth };
  const yStride = channelsLast
    ? { n: outHeight * outWidth * outChannels, h: outWidth * outChannels, w: outChannels, c: 1 }
    : { n: outChannels * outHeight * outWidth, h: outWidth, w: 1, c: outHeight * outWidth };
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  const { top, left } = info.padInfo;
  for (let i = 0; i < filterHeight; i++) {
    for (let j = 0; j < filterWidth; j++) {
      for (let ci = 0; ci < inChannels; ci++) {
        for (let co = 0; co < outChannels; co++) {
          let sum = 0;
          for (let n = 0; n < batchSize; n++) {
            for (let yo = 0; yo < outHeight; yo++) {
              const yi = yo * strideHeight + i * dilationHeight - top;
              if (yi < 0 || yi >= inHeight) continue;
              for (let xo = 0; xo < outWidth; xo++) {
                const xi = xo * strideWidth + j * dilationWidth - left;
                if (xi < 0 || xi >= inWidth) continue;
                sum +=
                  xs[n * xStride.n + yi * xStride.h + xi * xStride.w + ci * xStride.c] * dys[n * yStride.n + yo * yStride.h + xo * yStride.w + co * yStride.c];
              }
            }
          }
          dw[((i * filterWidth + j) * inChannels + ci) * outChannels + co] = sum;
        }
      }
    }
  }
  return backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], "float32", undefined, dw);
}

function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const info = forwardConvInfo(x.shape as Shape4, attrs.filterShape as Shape4, attrs);
  const pads = fastPathPads(info);
  return pads === null ? backpropFilterLoops(backend, x, dy, info) : backpropFilterFast(backend, x, dy, info, pads);
}

/** `Conv2DBackpropFilter`: x [N,H,W,Cin] and dy [N,Ho,Wo,Cout] to dW [kh,kw,Cin,Cout]. */
export const conv2DBackpropFilterKernel: WasmKernel = {
  kernelName: Conv2DBackpropFilter,
  required: false,
  make: () => conv2DBackpropFilter as unknown as KernelFunc,
};

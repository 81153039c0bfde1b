/**
 * `Conv2DBackpropFilter` for the wasm backend, which tfjs-backend-wasm 4.22 lacks altogether.
 * The filter gradient of a stride-1 convolution is itself a stride-1 convolution, so it runs on
 * the backend's XNNPACK-backed `Conv2D` plus layout changes; other shapes (stride > 1, NCHW)
 * take a direct summation that is slow but correct.
 */
import { backend_util, BatchMatMul, Conv2DBackpropFilter } from "@tensorflow/tfjs-core";
import type { Conv2DBackpropFilterAttrs, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { convolve, dispose, fastPathPads, forwardConvInfo, MATMUL_MAX_TAPS, runKernel, transpose, transposeInto } from "./shared.ts";
import type { KernelArgs, Pads, Shape4, WasmKernel } from "./shared.ts";

/**
 * x [N,H,W,C] to x^T [C,H,W,N] in JavaScript on the wasm heap: the stock Transpose kernel takes
 * ~5 ns per element for this permutation, which moves single floats, not rows.
 */
function transposeBatchAndChannels(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const [n, h, w, c] = x.shape;
  const out = backend.makeOutput([c, h, w, n], x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const pixels = h * w;
  const srcBatchStride = pixels * c;
  // Writes run contiguously along n; the reads of one pixel (n rows of c floats) stay in cache.
  for (let p = 0; p < pixels; p++) {
    for (let k = 0; k < c; k++) {
      let o = (k * pixels + p) * n;
      for (let b = 0, i = p * c + k; b < n; b++, i += srcBatchStride) dst[o++] = src[i];
    }
  }
  return out;
}

/**
 * dW[i,j,ci,co] = sum over n,y,x of xpad[n, y+i, x+j, ci] * dy[n, y, x, co]: a valid convolution
 * of the padded input seen as a batch of Cin images with N channels, x^T [Cin,H,W,N], by dy seen
 * as an Ho x Wo filter from N to Cout channels, dy^T [Ho,Wo,N,Cout]. The result [Cin,kh,kw,Cout]
 * is turned into [kh,kw,Cin,Cout].
 */
function backpropFilterConv(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, pads: Pads): TensorInfo {
  const xT = x.shape[3] === 1 ? x : transposeBatchAndChannels(backend, x);
  const input = { ...xT, shape: [x.shape[3], x.shape[1], x.shape[2], x.shape[0]] };
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const grad = convolve(backend, input, dyT, pads);
  if (xT !== x) dispose(backend, xT);
  dispose(backend, dyT);
  const out = transpose(backend, grad, [1, 2, 0, 3]);
  dispose(backend, grad);
  return out;
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
 * The same gradient as a matrix product, for few input channels: the convolution above then has
 * only kh*kw*Cin output pixels and runs XNNPACK far below its speed. dW^T [Cout, kh*kw*Cin] is
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
    : backpropFilterConv(backend, x, dy, pads);
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

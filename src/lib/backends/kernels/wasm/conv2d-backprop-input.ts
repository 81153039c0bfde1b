/**
 * `Conv2DBackpropInput` for the wasm backend: tfjs-backend-wasm's own is a plain loop nest
 * (~2.6 GFLOP/s). The input gradient of a stride-1 convolution is a stride-1 convolution of dy
 * with the flipped filter, run here on the backend's XNNPACK-backed `Conv2D`, or for filters
 * with few taps an XNNPACK matrix product plus col2im; other shapes go to the stock kernel.
 */
import { backend_util, BatchMatMul, Conv2DBackpropInput } from "@tensorflow/tfjs-core";
import type { Conv2DBackpropInputAttrs, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { convolve, dispose, fastPathPads, forwardConvInfo, MATMUL_MAX_TAPS, runKernel } from "./shared.ts";
import type { KernelArgs, Pads, Shape4, WasmKernel } from "./shared.ts";

/**
 * dx is the full correlation of dy with the filter rotated by 180 degrees and with its in/out
 * channels swapped, Wf[i,j,co,ci] = W[kh-1-i, kw-1-j, ci, co], padded by kh-1-top above and
 * kh-1-bottom below (likewise for width), which gives back H rows from Ho.
 */
function backpropInputFast(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, pads: Pads, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels, outChannels } = info;
  const flipped = backend.makeOutput([kh, kw, outChannels, inChannels], "float32");
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const wf = backend.typedArrayFromHeap(flipped) as Float32Array;
  let o = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = ((kh - 1 - i) * kw + (kw - 1 - j)) * inChannels * outChannels;
      for (let co = 0; co < outChannels; co++) {
        for (let ci = 0; ci < inChannels; ci++) wf[o++] = w[tap + ci * outChannels + co];
      }
    }
  }
  const dx = convolve(backend, dy, flipped, {
    top: kh - 1 - pads.top,
    bottom: kh - 1 - pads.bottom,
    left: kw - 1 - pads.left,
    right: kw - 1 - pads.right,
  });
  dispose(backend, flipped);
  return dx;
}

/**
 * The same gradient as a matrix product, for few input channels (the network's first layer):
 * the convolution above then has only Cin output channels. The columns C [N*Ho*Wo, kh*kw*Cin]
 * = dy [N*Ho*Wo, Cout] times W^T [Cout, kh*kw*Cin] hold each output pixel's contribution to
 * every input pixel of its window; summing them into place (col2im, in JavaScript) gives dx.
 */
function backpropInputMatMul(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, pads: Pads, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight: kh, filterWidth: kw } = info;
  const taps = kh * kw * inChannels;
  const pixels = batchSize * outHeight * outWidth;
  const filterT = backend.makeOutput([1, outChannels, taps], "float32");
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const wT = backend.typedArrayFromHeap(filterT) as Float32Array;
  for (let co = 0, o = 0; co < outChannels; co++) {
    for (let t = 0; t < taps; t++) wT[o++] = w[t * outChannels + co];
  }
  const cols = runKernel(BatchMatMul, {
    inputs: { a: { ...dy, shape: [1, pixels, outChannels] }, b: filterT },
    backend,
    attrs: { transposeA: false, transposeB: false } as unknown as NamedAttrMap,
  });
  dispose(backend, filterT);
  const out = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], "float32");
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const c = backend.typedArrayFromHeap(cols) as Float32Array;
  dx.fill(0);
  let p = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++, p++) {
        const colBase = p * taps;
        for (let i = 0; i < kh; i++) {
          const yi = y + i - pads.top;
          if (yi < 0 || yi >= inHeight) continue;
          for (let j = 0; j < kw; j++) {
            const xi = x + j - pads.left;
            if (xi < 0 || xi >= inWidth) continue;
            const d = ((n * inHeight + yi) * inWidth + xi) * inChannels;
            const s = colBase + (i * kw + j) * inChannels;
            for (let ci = 0; ci < inChannels; ci++) dx[d + ci] += c[s + ci];
          }
        }
      }
    }
  }
  dispose(backend, cols);
  return out;
}

function makeConv2DBackpropInput(stock: KernelFunc): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const { inputs, backend } = args;
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const dy = inputs.dy as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    const info = forwardConvInfo(attrs.inputShape as Shape4, filter.shape as Shape4, attrs);
    const pads = fastPathPads(info);
    // The rewrite needs non-negative pads on the gradient convolution too.
    if (pads === null || Math.max(pads.top, pads.bottom) > info.filterHeight - 1 || Math.max(pads.left, pads.right) > info.filterWidth - 1) {
      return stock(params);
    }
    return info.filterHeight * info.filterWidth * info.inChannels <= MATMUL_MAX_TAPS
      ? backpropInputMatMul(backend, dy, filter, pads, info)
      : backpropInputFast(backend, dy, filter, pads, info);
  };
}

/** `Conv2DBackpropInput`: dy [N,Ho,Wo,Cout] and W [kh,kw,Cin,Cout] to dx [N,H,W,Cin]. */
export const conv2DBackpropInputKernel: WasmKernel = {
  kernelName: Conv2DBackpropInput,
  required: true,
  make: makeConv2DBackpropInput,
};

/**
 * Kernels that let tfjs's `wasm` backend train conv nets, and train them fast.
 *
 * tfjs-backend-wasm 4.22 ships no `Conv2DBackpropFilter` at all, and its `Conv2DBackpropInput` is
 * a plain loop nest (~2.6 GFLOP/s). Both gradients of a stride-1 convolution are themselves
 * stride-1 convolutions, so here they are rewritten onto the backend's own XNNPACK-backed
 * `Conv2D` kernel plus layout changes; shapes the rewrite does not cover (stride > 1, NCHW, pads
 * it cannot express) take a slower but correct path. Profiling a training step then showed
 * several other stock kernels costing more than the convolutions (MaxPoolGrad, Tile, Sum/Mean
 * over the batch axes, transposed BatchMatMul, copying Identity); those are replaced as well.
 *
 * The JavaScript loops below read and write the wasm heap through typed-array views
 * (`typedArrayFromHeap`), taken only after the last allocation of the kernel, since growing the
 * wasm memory detaches earlier views.
 */
import {
  AvgPool,
  backend_util,
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  MaxPoolGrad,
  Mean,
  registerKernel,
  Sum,
  Tile,
  Transpose,
  unregisterKernel,
  util,
} from "@tensorflow/tfjs-core";
import type {
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  MaxPoolGradAttrs,
  NamedAttrMap,
  NamedTensorInfoMap,
  SumAttrs,
  TensorInfo,
  TileAttrs,
} from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

const BACKEND = "wasm";
/** Marks kernel functions defined here, so registering twice can recognise its own work. */
const OURS = Symbol.for("fashion-mnist-live.wasm-kernels");

type Shape4 = [number, number, number, number];
type KernelArgs = { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap };
type MarkedKernelFunc = KernelFunc & { [OURS]?: true };

/** Padding of a forward convolution on each side, in pixels. */
type Pads = { top: number; bottom: number; left: number; right: number };

function runKernel(name: string, args: KernelArgs): TensorInfo {
  const config = getKernel(name, BACKEND);
  if (config === undefined) {
    throw new Error(`wasm-kernels: kernel '${name}' is not registered for the wasm backend`);
  }
  return config.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runKernel(Transpose, { inputs: { x }, backend, attrs: { perm } });
}

/** Stride-1, dilation-1 NHWC convolution with explicit pads (all >= 0) through wasm's XNNPACK Conv2D. */
function convolve(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pads: Pads): TensorInfo {
  const pad: backend_util.ExplicitPadding = [
    [0, 0],
    [pads.top, pads.bottom],
    [pads.left, pads.right],
    [0, 0],
  ];
  return runKernel(Conv2D, {
    inputs: { x, filter },
    backend,
    attrs: { strides: [1, 1], pad, dataFormat: "NHWC", dilations: [1, 1] } as unknown as NamedAttrMap,
  });
}

function dispose(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * The forward convolution's geometry, or null when the fast rewrite does not apply: it needs
 * NHWC, stride 1, dilation 1 and an output size equal to H + top + bottom - kh + 1.
 */
function fastPathPads(info: backend_util.Conv2DInfo): Pads | null {
  if (info.dataFormat !== "channelsLast") return null;
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const { top, bottom, left, right } = info.padInfo;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) return null;
  if (info.outHeight !== info.inHeight + top + bottom - info.filterHeight + 1) return null;
  if (info.outWidth !== info.inWidth + left + right - info.filterWidth + 1) return null;
  return { top, bottom, left, right };
}

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
 * The same gradient as a matrix product, for few input channels: the convolution above then has
 * only kh*kw*Cin output pixels and runs XNNPACK far below its speed. dW^T [Cout, kh*kw*Cin] is
 * dy^T [Cout, N*Ho*Wo] times the patches [N*Ho*Wo, kh*kw*Cin]. The patch matrix is the operand
 * XNNPACK repacks on every call, so it is kept the small one.
 */
function backpropFilterMatMul(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, pads: Pads): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
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
  const dyT = transpose(backend, { ...dy, shape: [pixels, outChannels] }, [1, 0]);
  const gradT = runKernel(BatchMatMul, {
    inputs: { a: { ...dyT, shape: [1, outChannels, pixels] }, b: { ...patches, shape: [1, pixels, taps] } },
    backend,
    attrs: { transposeA: false, transposeB: false } as unknown as NamedAttrMap,
  });
  dispose(backend, patches, dyT);
  const out = transpose(backend, { ...gradT, shape: [outChannels, taps] }, [1, 0]);
  dispose(backend, gradT);
  out.shape = [filterHeight, filterWidth, inChannels, outChannels];
  return out;
}

/** Use the matrix-product form when the filter has at most this many (kh*kw*Cin) taps. */
const MATMUL_MAX_TAPS = 32;

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
                  xs[n * xStride.n + yi * xStride.h + xi * xStride.w + ci * xStride.c] *
                  dys[n * yStride.n + yo * yStride.h + xo * yStride.w + co * yStride.c];
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

/** Geometry of the forward convolution whose gradient a backprop kernel computes. */
function forwardConvInfo(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: Pick<Conv2DBackpropFilterAttrs, "strides" | "pad" | "dimRoundingMode" | "dataFormat">,
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
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
    return backpropInputFast(backend, dy, filter, pads, info);
  };
}

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
  const info = backend_util.computePool2DInfo(input.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(input.shape, "float32");
  // Heap views are taken after the last allocation: growing wasm memory would detach them.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const xs = backend.typedArrayFromHeap(input) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  const tiled =
    top === 0 && left === 0 && strideHeight === effectiveFilterHeight && strideWidth === effectiveFilterWidth &&
    outHeight * strideHeight <= inHeight && outWidth * strideWidth <= inWidth;
  if (tiled && effectiveFilterHeight === 2 && effectiveFilterWidth === 2) {
    maxPoolGrad2x2(xs, dys, dx, info);
    return out;
  }
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

/** The common 2x2, stride-2, unpadded pool: windows are disjoint and inside x. */
function maxPoolGrad2x2(xs: Float32Array, dys: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const rowStride = inWidth * channels;
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
          let best = -1;
          let v = Number.NEGATIVE_INFINITY;
          if (xs[a] > v) {
            v = xs[a];
            best = a;
          }
          if (xs[bb] > v) {
            v = xs[bb];
            best = bb;
          }
          if (xs[cc] > v) {
            v = xs[cc];
            best = cc;
          }
          if (xs[d] > v) best = d;
          if (best >= 0) dx[best] = dys[dyIndex];
        }
      }
    }
  }
}

/**
 * Tile by block copies on the wasm heap (the stock kernel computes a multi-index per element,
 * ~100 ms for the [64,14,14,64] tiles that batch-norm gradients make). Strings go to the stock kernel.
 */
function makeTile(stock: KernelFunc): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const { backend } = args;
    const x = args.inputs.x as TensorInfo;
    const { reps } = args.attrs as unknown as TileAttrs;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    if (x.dtype === "string" || x.shape.length === 0 || util.sizeFromShape(outShape) === 0) return stock(params);
    const rank = x.shape.length;
    const out = backend.makeOutput(outShape, x.dtype);
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const srcStrides = util.computeStrides(x.shape);
    // outBlock[d]: elements of the output spanned by one index of dimension d-1.
    const outBlock = new Array<number>(rank + 1).fill(1);
    for (let d = rank - 1; d >= 0; d--) outBlock[d] = outBlock[d + 1] * outShape[d];
    const fill = (d: number, srcOffset: number, dstOffset: number): void => {
      const n = x.shape[d];
      if (d === rank - 1) {
        let o = dstOffset;
        for (let r = 0; r < reps[d]; r++) {
          for (let k = 0; k < n; k++) dst[o++] = src[srcOffset + k];
        }
        return;
      }
      for (let i = 0; i < n; i++) fill(d + 1, srcOffset + i * srcStrides[d], dstOffset + i * outBlock[d + 1]);
      const length = n * outBlock[d + 1];
      for (let r = 1; r < reps[d]; r++) dst.copyWithin(dstOffset + r * length, dstOffset, dstOffset + length);
    };
    fill(0, 0, 0);
    return out;
  };
}

/**
 * Sum and Mean over a contiguous run of axes that leaves the last axis alone (batch-norm
 * statistics and bias gradients over [N,H,W], global average pooling over [H,W]): the stock
 * kernels first transpose the reduced axes to the end, element by element (~4 ns per element).
 * Read as [outer, R, 1, inner], the mean is an R x 1 average pool, which XNNPACK runs at memory
 * speed; the sum is that times R. Other reductions go to the stock kernel.
 */
function makeReduction(stock: KernelFunc, mean: boolean): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const { backend } = args;
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    if (x.dtype !== "float32" || rank === 0 || util.sizeFromShape(x.shape) === 0) return stock(params);
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    if (axes.length === 0) return stock(params);
    const first = axes[0];
    const last = axes[axes.length - 1];
    if (last === rank - 1 || last - first !== axes.length - 1) return stock(params);
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const reduced = util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = util.sizeFromShape(x.shape.slice(last + 1));
    if (reduced < 2) return stock(params);
    const out = runKernel(AvgPool, {
      inputs: { x: { ...x, shape: [outer, reduced, 1, inner] } },
      backend,
      attrs: { filterSize: [reduced, 1], strides: [1, 1], pad: "valid" } as unknown as NamedAttrMap,
    });
    if (!mean) {
      const values = backend.typedArrayFromHeap(out) as Float32Array;
      for (let i = 0; i < values.length; i++) values[i] *= reduced;
    }
    out.shape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
    return out;
  };
}

/**
 * BatchMatMul with transposeA/transposeB: the stock kernel runs ~6x slower transposed than
 * plain (1.4 vs 9 GFLOP/s for the dense-layer gradients), so transpose the operand explicitly.
 */
function makeBatchMatMul(stock: KernelFunc): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const { backend } = args;
    const attrs = args.attrs as unknown as BatchMatMulAttrs;
    if (!attrs.transposeA && !attrs.transposeB) return stock(params);
    const swapLast = (t: TensorInfo): TensorInfo => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return transpose(backend, t, perm);
    };
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const aT = attrs.transposeA ? swapLast(a) : a;
    const bT = attrs.transposeB ? swapLast(b) : b;
    const out = stock({
      ...params,
      inputs: { a: aT, b: bT },
      attrs: { ...params.attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    if (aT !== a) dispose(backend, aT);
    if (bT !== b) dispose(backend, bT);
    return out;
  };
}

/**
 * Identity that shares the input's memory, as the cpu backend's does. tfjs clones every tensor a
 * gradient saves for the backward pass through this kernel; the stock wasm one copies each of
 * them (~230 copies of up to 12 MB per ResNet training step). Strings go to the stock kernel.
 */
function makeIdentity(stock: KernelFunc): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === "string") return stock(params);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config.kernelFunc as MarkedKernelFunc)[OURS] === true;
}

/**
 * Puts `make(stock)` in place of the wasm kernel `name`, keeping the stock kernel's setup (it
 * binds the wasm function the fallback calls). Does nothing when ours is already registered.
 */
function replaceKernel(name: string, make: (stock: KernelFunc) => KernelFunc, required: boolean): void {
  const current = getKernel(name, BACKEND);
  if (isOurs(current)) return;
  if (current === undefined && required) {
    throw new Error(`registerWasmGradientKernels: wasm kernel '${name}' is missing; import '@tensorflow/tfjs-backend-wasm' first`);
  }
  const stock: KernelFunc =
    current?.kernelFunc ??
    (() => {
      throw new Error(`wasm backend has no stock '${name}' kernel`);
    });
  const kernelFunc = make(stock) as MarkedKernelFunc;
  kernelFunc[OURS] = true;
  if (current !== undefined) unregisterKernel(name, BACKEND);
  registerKernel({ kernelName: name, backendName: BACKEND, setupFunc: current?.setupFunc, kernelFunc });
}

/** Kernels that need a stock wasm kernel underneath, checked before anything is replaced. */
const BUILDING_BLOCKS = [AvgPool, BatchMatMul, Conv2D, Transpose];

/**
 * Makes tfjs's `wasm` backend able to train conv nets, and fast at it. Registers for 'wasm':
 * - `Conv2DBackpropFilter` (absent from tfjs-backend-wasm): x [N,H,W,Cin] and dy [N,Ho,Wo,Cout]
 *   to dW [kh,kw,Cin,Cout], as one XNNPACK convolution for NHWC, stride 1 ('same', 'valid' or
 *   explicit pads, odd or even kernels), by direct summation otherwise (stride > 1, NCHW).
 * - `Conv2DBackpropInput`: dy [N,Ho,Wo,Cout] and W [kh,kw,Cin,Cout] to dx [N,H,W,Cin], as one
 *   XNNPACK convolution in the same stride-1 cases, the stock kernel otherwise.
 * - `MaxPoolGrad` (JS on the wasm heap, cpu-backend semantics: gradient to a window's first
 *   maximum), `Tile`, `Sum` and `Mean` over leading/middle axes, `BatchMatMul` with transposed
 *   operands, and a copy-free `Identity`: stock versions of these made a training step several
 *   times slower.
 *
 * Safe to call any number of times, before or after `tf.setBackend('wasm')`: a second call finds
 * its kernels in place and does nothing. Requires `@tensorflow/tfjs-backend-wasm` to have been
 * imported (it registers the stock kernels this builds on); throws otherwise.
 */
export function registerWasmGradientKernels(): void {
  for (const name of BUILDING_BLOCKS) {
    if (getKernel(name, BACKEND) === undefined) {
      throw new Error(`registerWasmGradientKernels: wasm kernel '${name}' is missing; import '@tensorflow/tfjs-backend-wasm' first`);
    }
  }
  replaceKernel(Conv2DBackpropFilter, () => conv2DBackpropFilter as unknown as KernelFunc, false);
  replaceKernel(Conv2DBackpropInput, makeConv2DBackpropInput, true);
  replaceKernel(MaxPoolGrad, () => maxPoolGrad as unknown as KernelFunc, false);
  replaceKernel(Tile, makeTile, true);
  replaceKernel(Sum, (stock) => makeReduction(stock, false), true);
  replaceKernel(Mean, (stock) => makeReduction(stock, true), true);
  replaceKernel(BatchMatMul, makeBatchMatMul, true);
  replaceKernel(Identity, makeIdentity, true);
}

/**
 * Helpers shared by the wasm kernels in this folder: calling other wasm kernels, the stride-1
 * convolution the conv gradients are rewritten onto, and the forward convolution's geometry.
 *
 * Kernels here read and write the wasm heap through typed-array views (`typedArrayFromHeap`),
 * taken only after the last allocation of the kernel, since growing the wasm memory detaches
 * earlier views.
 */
import { backend_util, Conv2D, getKernel, Transpose } from "@tensorflow/tfjs-core";
import type { Conv2DBackpropFilterAttrs, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { TRANSPOSE_BLOCK } from "./heap-jobs.ts";
import { MIN_PART_ELEMENTS, runHeapJob } from "./helper-threads.ts";

/** The tfjs backend every kernel here is registered for. */
export const BACKEND = "wasm";

/** A rank-4 shape, [N,H,W,C] or a filter's [kh,kw,Cin,Cout]. */
export type Shape4 = [number, number, number, number];

/** What tfjs passes a wasm kernel function, with the backend typed. */
export type KernelArgs = { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap };

/** Padding of a forward convolution on each side, in pixels. */
export type Pads = { top: number; bottom: number; left: number; right: number };

/**
 * One kernel this folder puts in place of (or adds to) the wasm backend's: `make(stock)` builds
 * the kernel function from the stock one, which it may fall back to. `required`: the stock
 * kernel must exist (tfjs-backend-wasm has no `Conv2DBackpropFilter` or `MaxPoolGrad` to keep).
 */
export type WasmKernel = {
  kernelName: string;
  required: boolean;
  make: (stock: KernelFunc) => KernelFunc;
};

/** Runs the wasm backend's currently registered kernel `name`; throws when there is none. */
export function runKernel(name: string, args: KernelArgs): TensorInfo {
  const config = getKernel(name, BACKEND);
  if (config === undefined) {
    throw new Error(`wasm-kernels: kernel '${name}' is not registered for the wasm backend`);
  }
  return config.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

/** Transpose through the wasm kernel; `perm` as in `tf.transpose`. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runKernel(Transpose, { inputs: { x }, backend, attrs: { perm } });
}

/** Stride-1, dilation-1 NHWC convolution with explicit pads (all >= 0) through wasm's XNNPACK Conv2D. */
export function convolve(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pads: Pads): TensorInfo {
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

/**
 * src [rows, cols] to dst [cols, rows], both row-major views of the wasm heap, in JavaScript
 * (./heap-jobs.ts, `transposeRows`: ~2 ns per element, where the stock Transpose kernel takes ~8.5
 * for [50176, 64]), split between threads by blocks of rows where helpers run.
 */
export function transposeInto(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  const blocks = Math.ceil(rows / TRANSPOSE_BLOCK);
  runHeapJob(dst.buffer, "transposeRows", { src: src.byteOffset, dst: dst.byteOffset, rows, cols }, blocks, MIN_PART_ELEMENTS / (TRANSPOSE_BLOCK * cols));
}

/** Frees the wasm buffers behind intermediate results. */
export function dispose(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * The forward convolution's geometry, or null when the fast rewrite does not apply: it needs
 * NHWC, stride 1, dilation 1 and an output size equal to H + top + bottom - kh + 1.
 */
export function fastPathPads(info: backend_util.Conv2DInfo): Pads | null {
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
 * Both conv gradients take a matrix-product form instead of a convolution when the filter has at
 * most this many taps (kh*kw*Cin): XNNPACK's convolution then has too few output pixels (filter
 * gradient) or output channels (input gradient) to run near its speed.
 */
export const MATMUL_MAX_TAPS = 32;

/** Geometry of the forward convolution whose gradient a backprop kernel computes. */
export function forwardConvInfo(
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

/**
 * `FusedBatchNorm` for the wasm backend: one JavaScript pass over x on the wasm heap with the
 * per-channel factor scale / sqrt(variance + epsilon) computed once. The stock kernel takes
 * ~3 ns per element (~10 ms for the ResNet stem's [64,28,28,64] activations, measured in CPU
 * time on this project's 2-core machine); this one ~2 ns, split between threads by rows where
 * helpers run (./helper-threads.ts, ./heap-jobs.ts `batchNormRows`).
 */
import { FusedBatchNorm, util } from "@tensorflow/tfjs-core";
import type { FusedBatchNormAttrs, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { MIN_PART_ELEMENTS, runHeapJob } from "./helper-threads.ts";
import type { KernelArgs, WasmKernel } from "./shared.ts";

/** tfjs's default when the attribute is missing (as in the cpu backend). */
const DEFAULT_EPSILON = 0.001;

function makeFusedBatchNorm(stock: KernelFunc): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const { backend, inputs } = args;
    const x = inputs.x as TensorInfo;
    const mean = inputs.mean as TensorInfo;
    const variance = inputs.variance as TensorInfo;
    const offset = inputs.offset as TensorInfo | undefined | null;
    const scale = inputs.scale as TensorInfo | undefined | null;
    const size = util.sizeFromShape(x.shape);
    const channels = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
    const params4 = [mean, variance, offset, scale].filter((t): t is TensorInfo => t != null);
    // Like the cpu backend, each parameter repeats along x's flat index; that is a per-channel
    // value when its length is the last axis (or 1). Other layouts go to the stock kernel.
    const perChannel = (t: TensorInfo) => {
      const n = util.sizeFromShape(t.shape);
      return n === channels || n === 1;
    };
    if (x.dtype !== "float32" || size === 0 || channels === 0 || size % channels !== 0 || !params4.every((t) => t.dtype === "float32" && perChannel(t))) {
      return stock(params);
    }
    const { varianceEpsilon } = (args.attrs ?? {}) as unknown as FusedBatchNormAttrs;
    const epsilon = varianceEpsilon ?? DEFAULT_EPSILON;
    const out = backend.makeOutput(x.shape, "float32");
    // The per-channel float64 parameters go on the heap (mean, offset, factor), where helper
    // threads can read them, from the first 8-byte boundary (a Float64Array's alignment).
    const heapParams = backend.makeOutput([6 * channels + 2], "float32");
    const at = (t: TensorInfo | undefined | null, fallback: number, into: Float64Array) => {
      const values = t == null ? null : (backend.typedArrayFromHeap(t) as Float32Array);
      for (let c = 0; c < channels; c++) into[c] = values === null ? fallback : values[values.length === 1 ? 0 : c];
    };
    const paramsAt = Math.ceil(backend.typedArrayFromHeap(heapParams).byteOffset / 8) * 8;
    const heap = backend.typedArrayFromHeap(out).buffer;
    const m = new Float64Array(heap, paramsAt, channels);
    const o = new Float64Array(heap, paramsAt + 8 * channels, channels);
    const factor = new Float64Array(heap, paramsAt + 16 * channels, channels);
    const v = new Float64Array(channels);
    at(mean, 0, m);
    at(variance, 0, v);
    at(offset, 0, o);
    at(scale, 1, factor);
    // out = offset + (x - mean) * scale / sqrt(variance + epsilon), the cpu backend's formula.
    for (let c = 0; c < channels; c++) factor[c] = factor[c] / Math.sqrt(v[c] + epsilon);
    const job = {
      x: backend.typedArrayFromHeap(x).byteOffset,
      out: backend.typedArrayFromHeap(out).byteOffset,
      channelParams: paramsAt,
      rows: size / channels,
      channels,
    };
    runHeapJob(heap, "batchNormRows", job, size / channels, MIN_PART_ELEMENTS / channels);
    backend.disposeData(heapParams.dataId);
    return out;
  };
}

/** `FusedBatchNorm`: x [..., C] normalised with per-channel mean, variance, offset and scale. */
export const fusedBatchNormKernel: WasmKernel = { kernelName: FusedBatchNorm, required: true, make: makeFusedBatchNorm };

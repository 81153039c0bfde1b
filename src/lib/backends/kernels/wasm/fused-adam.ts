/**
 * `FusedAdam` for tfjs's `wasm` backend: the same loop as the cpu kernel, run in JavaScript on
 * typed-array views of the wasm heap (see ../fused-adam-op.ts), split between threads for large
 * variables where helpers run (./helper-threads.ts). The heap offsets are taken after both outputs
 * are allocated, since growing the wasm memory moves the buffer.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { checkFusedAdamShapes, FUSED_ADAM, fusedAdamConstants, type FusedAdamAttrs } from "../fused-adam-op.ts";
import { MIN_PART_ELEMENTS, runHeapJob } from "./helper-threads.ts";

function fusedAdamWasm(args: {
  inputs: { variable: TensorInfo; gradient: TensorInfo; moments: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo[] {
  const { variable, gradient, moments } = args.inputs;
  const { backend } = args;
  const size = checkFusedAdamShapes(variable, gradient, moments);
  const outW = backend.makeOutput(variable.shape, "float32");
  const outMv = backend.makeOutput(moments.shape, "float32");
  const at = (t: TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const heap = backend.typedArrayFromHeap(outW).buffer;
  const k = fusedAdamConstants(args.attrs as unknown as FusedAdamAttrs);
  const offsets = { variable: at(variable), gradient: at(gradient), moments: at(moments), outVariable: at(outW), outMoments: at(outMv) };
  // Several elements read and written per step of the loop (and a square root): a fifth of the usual part.
  runHeapJob(heap, "fusedAdam", { ...offsets, size, ...k }, size, MIN_PART_ELEMENTS / 5);
  return [outW, outMv];
}

/** Kernel config of `FusedAdam` for the 'wasm' backend. */
export const fusedAdamWasmConfig: KernelConfig = {
  kernelName: FUSED_ADAM,
  backendName: "wasm",
  kernelFunc: fusedAdamWasm as unknown as KernelFunc,
};

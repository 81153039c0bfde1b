/**
 * `FusedAdam` for tfjs's `wasm` backend: the same loop as the cpu kernel, run in JavaScript on
 * typed-array views of the wasm heap (see ../fused-adam-op.ts). The views are taken after both
 * outputs are allocated, since growing the wasm memory detaches earlier views.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { checkFusedAdamShapes, FUSED_ADAM, fusedAdamConstants, fusedAdamLoop, type FusedAdamAttrs } from "../fused-adam-op.ts";

function fusedAdamWasm(args: {
  inputs: { variable: TensorInfo; gradient: TensorInfo; moments: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo[] {
  const { variable, gradient, moments } = args.inputs;
  const { backend } = args;
  checkFusedAdamShapes(variable, gradient, moments);
  const outW = backend.makeOutput(variable.shape, "float32");
  const outMv = backend.makeOutput(moments.shape, "float32");
  const heap = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  fusedAdamLoop(heap(variable), heap(gradient), heap(moments), heap(outW), heap(outMv), fusedAdamConstants(args.attrs as unknown as FusedAdamAttrs));
  return [outW, outMv];
}

/** Kernel config of `FusedAdam` for the 'wasm' backend. */
export const fusedAdamWasmConfig: KernelConfig = {
  kernelName: FUSED_ADAM,
  backendName: "wasm",
  kernelFunc: fusedAdamWasm as unknown as KernelFunc,
};

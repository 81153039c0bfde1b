/**
 * `FusedAdam` for tfjs's pure-JS `cpu` backend: one loop over the variable (see ../fused-adam-op.ts).
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { checkFusedAdamShapes, FUSED_ADAM, fusedAdamConstants, fusedAdamLoop, type FusedAdamAttrs } from "../fused-adam-op.ts";

function fusedAdamCpu(args: {
  inputs: { variable: TensorInfo; gradient: TensorInfo; moments: TensorInfo };
  backend: MathBackendCPU;
  attrs: NamedAttrMap;
}): TensorInfo[] {
  const { variable, gradient, moments } = args.inputs;
  const { backend } = args;
  const size = checkFusedAdamShapes(variable, gradient, moments);
  const values = (t: TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const outW = new Float32Array(size);
  const outMv = new Float32Array(2 * size);
  fusedAdamLoop(values(variable), values(gradient), values(moments), outW, outMv, fusedAdamConstants(args.attrs as unknown as FusedAdamAttrs));
  return [backend.makeTensorInfo(variable.shape, "float32", outW), backend.makeTensorInfo(moments.shape, "float32", outMv)];
}

/** Kernel config of `FusedAdam` for the 'cpu' backend. */
export const fusedAdamCpuConfig: KernelConfig = {
  kernelName: FUSED_ADAM,
  backendName: "cpu",
  kernelFunc: fusedAdamCpu as unknown as KernelFunc,
};

/**
 * `FusedAdam` for tfjs's `webgpu` backend (see ../fused-adam-op.ts): one tfjs kernel, two WGSL
 * dispatches, since a tfjs WebGPU program writes exactly one output buffer. The first writes the
 * new moments [2S] from the old moments and the gradient; the second the new variable [S] from the
 * old variable and the new moments. Nothing is written in place: a variable's buffer may be
 * shared with clones (e.g. the best epoch's saved weights).
 *
 * Only types are imported from @tensorflow/tfjs-backend-webgpu: importing the package registers
 * the backend, which this module must not do by itself.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { checkFusedAdamShapes, FUSED_ADAM, fusedAdamConstants, type FusedAdamAttrs } from "../fused-adam-op.ts";

const WORKGROUP = 64;
const UNIFORMS = "b1 : f32, oneMinusB1 : f32, b2 : f32, oneMinusB2 : f32, c1 : f32, c2 : f32, eps : f32, negLr : f32,";

/** A flat, one-output elementwise program over every element of `outputShape`. */
function flatProgram(shaderKey: string, variableNames: string[], outputShape: number[], body: string): WebGPUProgram {
  const groups = Math.ceil(outputShape.reduce((a, b) => a * b, 1) / WORKGROUP);
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [groups, 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: UNIFORMS,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}

/** New moments [2S]: index < S is m, the rest v; `grads` is [S]. */
function momentsProgram(size: number): WebGPUProgram {
  return flatProgram(
    "fashionMnistFusedAdamMoments",
    ["moments", "grads"],
    [2 * size],
    `let half = uniforms.size / 2;
          if (index < half) {
            let g = grads[index];
            result[index] = moments[index] * uniforms.b1 + g * uniforms.oneMinusB1;
          } else {
            let g = grads[index - half];
            result[index] = moments[index] * uniforms.b2 + (g * g) * uniforms.oneMinusB2;
          }`,
  );
}

/** New variable (its own shape, S elements) from the old variable and the new moments [2S]. */
function weightsProgram(shape: number[]): WebGPUProgram {
  return flatProgram(
    "fashionMnistFusedAdamWeights",
    ["weights", "moments"],
    shape,
    `let mHat = moments[index] / uniforms.c1;
          let vHat = moments[uniforms.size + index] / uniforms.c2;
          result[index] = (mHat / (sqrt(vHat) + uniforms.eps)) * uniforms.negLr + weights[index];`,
  );
}

function fusedAdamWebGpu(args: {
  inputs: { variable: TensorInfo; gradient: TensorInfo; moments: TensorInfo };
  backend: WebGPUBackend;
  attrs: NamedAttrMap;
}): TensorInfo[] {
  const { variable, gradient, moments } = args.inputs;
  const { backend } = args;
  const size = checkFusedAdamShapes(variable, gradient, moments);
  const k = fusedAdamConstants(args.attrs as unknown as FusedAdamAttrs);
  // One entry per scalar, in the order of UNIFORMS (an entry's length sets its WGSL vector type).
  const uniforms = [k.b1, k.oneMinusB1, k.b2, k.oneMinusB2, k.c1, k.c2, k.eps, k.negLr].map((x) => ({ type: "float32", data: [x] }));
  const newMoments = backend.runWebGPUProgram(momentsProgram(size), [moments, gradient], "float32", uniforms);
  const newVariable = backend.runWebGPUProgram(weightsProgram(variable.shape), [variable, newMoments], "float32", uniforms);
  return [newVariable, newMoments];
}

/** Kernel config of `FusedAdam` for the 'webgpu' backend. */
export const fusedAdamWebGpuConfig: KernelConfig = {
  kernelName: FUSED_ADAM,
  backendName: "webgpu",
  kernelFunc: fusedAdamWebGpu as unknown as KernelFunc,
};

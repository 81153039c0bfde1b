/**
 * The parts of tfjs-backend-webgpu's program interface that this project's WebGPU kernels use.
 *
 * tfjs-backend-webgpu 4.22 exports its backend class but not its program type, so the shape of a
 * program is restated here. A program is a WGSL compute shader body (`getUserCode`) that the backend
 * wraps in a header declaring, for every input named in `variableNames`, a storage array of that
 * name (`array<f32>`), a `result` array for the output, and a `uniforms` struct holding every
 * input's and the output's shape and strides (`xShape`, `xShapeStrides`, `outShape`, ...) followed by
 * the program's own `uniforms`; the body's `fn main()` sees `localId`, `workgroupId` and `globalId`.
 * The backend caches compiled pipelines by `shaderKey` plus the ranks and dtypes of the tensors, so
 * anything baked into the WGSL text must be part of `shaderKey`.
 */
import type { TensorInfo } from "@tensorflow/tfjs-core";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";

/** A compute program for `WebGPUBackend.runWebGPUProgram`. */
export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  /** Which output dimensions map onto the dispatch's x, y and z. */
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  /** Workgroups along x, y and z. */
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** WGSL struct members appended to the uniforms, e.g. "strideH : i32, strideW : i32,". */
  uniforms?: string;
  /** Adds `uniforms.size` (the output's element count) when true. */
  size?: boolean;
  getUserCode: () => string;
}

/** One program-defined uniform value, in the order of the program's `uniforms` members. */
export type ProgramUniform = { type: "int32" | "uint32" | "float32"; data: number[] };

/** Runs `program` on `inputs` and returns its output (a new tensor of `program.outputShape`). */
export function runProgram(backend: WebGPUBackend, program: WebGpuProgram, inputs: TensorInfo[], dtype: "float32", uniforms: ProgramUniform[]): TensorInfo {
  // The backend types its parameter with the program interface it does not export.
  const run = backend.runWebGPUProgram.bind(backend) as unknown as (p: WebGpuProgram, i: TensorInfo[], d: string, u: ProgramUniform[]) => TensorInfo;
  return run(program, inputs, dtype, uniforms);
}

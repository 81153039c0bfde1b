/**
 * `Cast` for the wasm backend that shares memory when the dtype does not change, as the cpu
 * backend's does. tfjs's relu gradient is dy * cast(step(x), 'float32') with step(x) already
 * float32, so the stock kernel copied a full activation per ReLU in every training step.
 * Real conversions go to the stock kernel.
 */
import { Cast } from "@tensorflow/tfjs-core";
import type { CastAttrs, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { KernelArgs, WasmKernel } from "./shared.ts";

function makeCast(stock: KernelFunc): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const x = args.inputs.x as TensorInfo;
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (x.dtype !== dtype || dtype === "string") return stock(params);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** `Cast`: x to `dtype`; a tensor sharing x's buffer when x already has that dtype. */
export const castKernel: WasmKernel = { kernelName: Cast, required: true, make: makeCast };

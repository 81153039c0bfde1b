/** `Identity` for the wasm backend that shares memory instead of copying. */
import { Identity } from "@tensorflow/tfjs-core";
import type { KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import type { KernelArgs, WasmKernel } from "./shared.ts";

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

/** `Identity`: x to a tensor of the same shape sharing x's buffer (strings are copied). */
export const identityKernel: WasmKernel = { kernelName: Identity, required: true, make: makeIdentity };

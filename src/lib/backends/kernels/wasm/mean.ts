/** `Mean` for the wasm backend over leading/middle axes (global average pooling), as an XNNPACK average pool. */
import { Mean } from "@tensorflow/tfjs-core";
import { makeReduction } from "./sum.ts";
import type { WasmKernel } from "./shared.ts";

/** `Mean`: x averaged over `axis`, float32 over a contiguous run of axes short of the last. */
export const meanKernel: WasmKernel = { kernelName: Mean, required: true, make: (stock) => makeReduction(stock, true) };

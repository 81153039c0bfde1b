/** `Tile` for the wasm backend, by block copies on the wasm heap. */
import { Tile, util } from "@tensorflow/tfjs-core";
import type { KernelFunc, TensorInfo, TileAttrs } from "@tensorflow/tfjs-core";
import type { KernelArgs, WasmKernel } from "./shared.ts";

/**
 * Tile by block copies on the wasm heap (the stock kernel computes a multi-index per element,
 * ~100 ms for the [64,14,14,64] tiles that batch-norm gradients make). Strings go to the stock kernel.
 */
function makeTile(stock: KernelFunc): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const { backend } = args;
    const x = args.inputs.x as TensorInfo;
    const { reps } = args.attrs as unknown as TileAttrs;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    if (x.dtype === "string" || x.shape.length === 0 || util.sizeFromShape(outShape) === 0) return stock(params);
    const rank = x.shape.length;
    const out = backend.makeOutput(outShape, x.dtype);
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const srcStrides = util.computeStrides(x.shape);
    // outBlock[d]: elements of the output spanned by one index of dimension d-1.
    const outBlock = new Array<number>(rank + 1).fill(1);
    for (let d = rank - 1; d >= 0; d--) outBlock[d] = outBlock[d + 1] * outShape[d];
    const fill = (d: number, srcOffset: number, dstOffset: number): void => {
      const n = x.shape[d];
      if (d === rank - 1) {
        let o = dstOffset;
        for (let r = 0; r < reps[d]; r++) {
          for (let k = 0; k < n; k++) dst[o++] = src[srcOffset + k];
        }
        return;
      }
      for (let i = 0; i < n; i++) fill(d + 1, srcOffset + i * srcStrides[d], dstOffset + i * outBlock[d + 1]);
      const length = n * outBlock[d + 1];
      for (let r = 1; r < reps[d]; r++) dst.copyWithin(dstOffset + r * length, dstOffset, dstOffset + length);
    };
    fill(0, 0, 0);
    return out;
  };
}

/** `Tile`: x of any rank and dtype, repeated `reps[d]` times along each axis d. */
export const tileKernel: WasmKernel = { kernelName: Tile, required: true, make: makeTile };

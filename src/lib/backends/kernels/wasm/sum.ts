/**
 * `Sum` for the wasm backend over leading/middle axes, as an XNNPACK average pool; also the
 * reduction `Mean` (./mean.ts) uses.
 */
import { AvgPool, Sum, util } from "@tensorflow/tfjs-core";
import type { KernelFunc, NamedAttrMap, SumAttrs, TensorInfo } from "@tensorflow/tfjs-core";
import { runKernel } from "./shared.ts";
import type { KernelArgs, WasmKernel } from "./shared.ts";

/**
 * Sum and Mean over a contiguous run of axes that leaves the last axis alone (batch-norm
 * statistics and bias gradients over [N,H,W], global average pooling over [H,W]): the stock
 * kernels first transpose the reduced axes to the end, element by element (~4 ns per element).
 * Read as [outer, R, 1, inner], the mean is an R x 1 average pool, which XNNPACK runs at memory
 * speed; the sum is that times R. Other reductions go to the stock kernel.
 */
export function makeReduction(stock: KernelFunc, mean: boolean): KernelFunc {
  return (params) => {
    const args = params as unknown as KernelArgs;
    const { backend } = args;
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    if (x.dtype !== "float32" || rank === 0 || util.sizeFromShape(x.shape) === 0) return stock(params);
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    if (axes.length === 0) return stock(params);
    const first = axes[0];
    const last = axes[axes.length - 1];
    if (last === rank - 1 || last - first !== axes.length - 1) return stock(params);
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const reduced = util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = util.sizeFromShape(x.shape.slice(last + 1));
    if (reduced < 2) return stock(params);
    const out = runKernel(AvgPool, {
      inputs: { x: { ...x, shape: [outer, reduced, 1, inner] } },
      backend,
      attrs: { filterSize: [reduced, 1], strides: [1, 1], pad: "valid" } as unknown as NamedAttrMap,
    });
    if (!mean) {
      const values = backend.typedArrayFromHeap(out) as Float32Array;
      for (let i = 0; i < values.length; i++) values[i] *= reduced;
    }
    out.shape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
    return out;
  };
}

/** `Sum`: x reduced over `axis`, float32 over a contiguous run of axes short of the last. */
export const sumKernel: WasmKernel = { kernelName: Sum, required: true, make: (stock) => makeReduction(stock, false) };

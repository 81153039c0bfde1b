// Conv2DBackpropFilter and Conv2DBackpropInput, tested together through tf.grads of a conv2d.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { convGrads, onBackend, randomValues, relativeError, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";
import type { Backend, Pad } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

describe("conv2d gradients on wasm match the cpu backend", () => {
  const cases: { name: string; x: number[]; w: number[]; strides: number; pad: Pad }[] = [
    { name: "28x28x1 -> 32, k3 valid (matrix-product filter gradient)", x: [4, 28, 28, 1], w: [3, 3, 1, 32], strides: 1, pad: "valid" },
    { name: "28x28x1 -> 32, k3 same", x: [4, 28, 28, 1], w: [3, 3, 1, 32], strides: 1, pad: "same" },
    {
      name: "28x28x1 -> 64, k3 same (the ResNet stem: dy transposed in JavaScript beyond 32 channels)",
      x: [2, 28, 28, 1],
      w: [3, 3, 1, 64],
      strides: 1,
      pad: "same",
    },
    { name: "13x13x32 -> 64, k5 valid", x: [2, 13, 13, 32], w: [5, 5, 32, 64], strides: 1, pad: "valid" },
    { name: "14x14x64 -> 64, k3 same", x: [2, 14, 14, 64], w: [3, 3, 64, 64], strides: 1, pad: "same" },
    { name: "even kernel 2, same (pads 0 above, 1 below)", x: [3, 9, 9, 3], w: [2, 2, 3, 5], strides: 1, pad: "same" },
    { name: "even kernel 4, same (pads 1 above, 2 below)", x: [3, 10, 9, 6], w: [4, 4, 6, 5], strides: 1, pad: "same" },
    {
      name: "explicit asymmetric pads",
      x: [2, 7, 8, 3],
      w: [3, 3, 3, 4],
      strides: 1,
      pad: [
        [0, 0],
        [2, 1],
        [0, 2],
        [0, 0],
      ],
    },
    { name: "1 channel, k5 same on an odd, non-square size (matrix-product dx and dW)", x: [3, 11, 13, 1], w: [5, 5, 1, 8], strides: 1, pad: "same" },
    { name: "1 channel, k7 same (49 taps: the patch-matrix product with one input channel)", x: [2, 12, 10, 1], w: [7, 7, 1, 4], strides: 1, pad: "same" },
    {
      name: "2 channels, k4 explicit asymmetric pads (matrix-product dx and dW, 32 taps)",
      x: [2, 9, 8, 2],
      w: [4, 4, 2, 3],
      strides: 1,
      pad: [
        [0, 0],
        [0, 3],
        [2, 1],
        [0, 0],
      ],
    },
    {
      name: "8 channels, k3 explicit asymmetric pads (convolution dx and dW)",
      x: [2, 7, 8, 8],
      w: [3, 3, 8, 4],
      strides: 1,
      pad: [
        [0, 0],
        [2, 0],
        [0, 1],
        [0, 0],
      ],
    },
    { name: "numeric pad wider than the kernel (stock dx fallback)", x: [2, 7, 7, 3], w: [3, 3, 3, 4], strides: 1, pad: 3 },
    { name: "stride 2, same (fallback paths)", x: [3, 9, 9, 3], w: [3, 3, 3, 5], strides: 2, pad: "same" },
    { name: "stride 2, valid, k2 (fallback paths)", x: [2, 8, 8, 4], w: [2, 2, 4, 6], strides: 2, pad: "valid" },
  ];
  it.each(cases)("$name", async ({ x, w, strides, pad }) => {
    const cpu = await convGrads("cpu", x, w, strides, pad, 11);
    const wasm = await convGrads("wasm", x, w, strides, pad, 11);
    expect(wasm.dxShape).toEqual(x);
    expect(wasm.dwShape).toEqual(w);
    expect(relativeError(cpu.dx, wasm.dx)).toBeLessThan(1e-4);
    expect(relativeError(cpu.dw, wasm.dw)).toBeLessThan(1e-4);
  });

  it("leaves no tensor and no wasm buffer behind", async () => {
    for (const c of [
      { x: [4, 28, 28, 1], w: [3, 3, 1, 8], strides: 1, pad: "valid" as Pad },
      { x: [2, 10, 10, 8], w: [4, 4, 8, 8], strides: 1, pad: "same" as Pad },
      { x: [2, 9, 9, 3], w: [3, 3, 3, 5], strides: 2, pad: "same" as Pad },
    ]) {
      const wasm = await convGrads("wasm", c.x, c.w, c.strides, c.pad, 3);
      expect(wasm.leaked).toEqual({ tensors: 0, dataIds: 0 });
    }
  });

  it("computes NCHW filter gradients (direct-summation fallback)", async () => {
    const run = (backend: Backend) =>
      onBackend(backend, async () => {
        const x = tf.tensor4d(randomValues([2, 3, 7, 6], 21), [2, 3, 7, 6]);
        const dy = tf.tensor4d(randomValues([2, 4, 7, 6], 22), [2, 4, 7, 6]);
        const dw = tf.engine().runKernel(
          "Conv2DBackpropFilter",
          { x, dy },
          {
            strides: [1, 1],
            pad: "same",
            dataFormat: "NCHW",
            filterShape: [3, 3, 3, 4],
          },
        ) as tf.Tensor;
        const values = await dw.data();
        tf.dispose([x, dy, dw]);
        return values;
      });
    expect(relativeError(await run("cpu"), await run("wasm"))).toBeLessThan(1e-4);
  });
});

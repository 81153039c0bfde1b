import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { randomValues, useWasmKernels, wasmDataIds } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

describe("Identity on wasm", () => {
  it("shares memory yet survives disposal of its source", async () => {
    expect(await tf.setBackend("wasm")).toBe(true);
    const x = tf.tensor(randomValues([3, 4], 51), [3, 4]);
    const dataIds = wasmDataIds();
    const y = tf.engine().runKernel("Identity", { x }, {}) as tf.Tensor;
    expect(wasmDataIds()).toBe(dataIds);
    const expected = await x.data();
    x.dispose();
    expect(await y.data()).toEqual(expected);
    y.dispose();
    expect(wasmDataIds()).toBe(dataIds - 1);
  });
});

import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compareWithCpu, randomValues, useWasmKernels, wasmDataIds } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

describe("Cast on wasm", () => {
  it("shares memory for an unchanged dtype yet survives disposal of its source", async () => {
    expect(await tf.setBackend("wasm")).toBe(true);
    const x = tf.tensor(randomValues([3, 5], 141), [3, 5]);
    const dataIds = wasmDataIds();
    const y = tf.engine().runKernel("Cast", { x }, { dtype: "float32" }) as tf.Tensor;
    expect(wasmDataIds()).toBe(dataIds);
    expect(y.dtype).toBe("float32");
    const expected = await x.data();
    x.dispose();
    expect(await y.data()).toEqual(expected);
    y.dispose();
    expect(wasmDataIds()).toBe(dataIds - 1);
  });

  it("converts dtypes like the cpu backend (stock kernel)", async () => {
    await compareWithCpu([4, 6], (x) => {
      const scaled = x.mul(7);
      return [tf.cast(scaled, "int32").cast("float32"), tf.cast(tf.greater(x, 0), "float32"), tf.cast(tf.cast(scaled, "int32"), "int32").cast("float32")];
    });
  });

  it("relu gradients match the cpu backend", async () => {
    await compareWithCpu([2, 5, 5, 3], (x) => tf.grad((a: tf.Tensor) => tf.relu(a).mul(x).sum())(x));
  });
});

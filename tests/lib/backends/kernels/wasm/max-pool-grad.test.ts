import { describe, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compareWithCpu, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

describe("MaxPoolGrad on wasm matches the cpu backend", () => {
  it("2x2 stride 2 on an odd size, with negative inputs", async () => {
    await compareWithCpu([3, 7, 9, 5], (x) =>
      tf.grad((a: tf.Tensor) => {
        const pooled = tf.maxPool(a as tf.Tensor4D, 2, 2, "valid");
        return pooled.mul(tf.range(1, pooled.size + 1).reshape(pooled.shape)).sum();
      })(x),
    );
  });

  it("overlapping 3x3 windows with stride 2 and same padding", async () => {
    await compareWithCpu([2, 8, 7, 4], (x) =>
      tf.grad((a: tf.Tensor) =>
        tf
          .maxPool(a as tf.Tensor4D, 3, 2, "same")
          .square()
          .sum(),
      )(x),
    );
  });

  it("sends a tied window's gradient to its first maximum", async () => {
    // Values in {-1, 0, 1}: most 2x2 windows hold their maximum more than once.
    await compareWithCpu([2, 6, 6, 3], (x) => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid").sum())(x.mul(1.4).round()));
  });
});

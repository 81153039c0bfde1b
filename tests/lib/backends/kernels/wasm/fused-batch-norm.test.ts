import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compareWithCpu, randomValues, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

/** Per-channel parameters from a seed: variance positive, the rest in [-1, 1). */
function params(channels: number, seed: number, shape: number[] = [channels]) {
  const v = randomValues([channels], seed + 1).map((a) => a + 1.5);
  return {
    mean: tf.tensor(randomValues([channels], seed), shape),
    variance: tf.tensor(v, shape),
    offset: tf.tensor(randomValues([channels], seed + 2), shape),
    scale: tf.tensor(randomValues([channels], seed + 3), shape),
  };
}

describe("FusedBatchNorm on wasm matches the cpu backend", () => {
  it("NHWC with an odd channel count, all parameters", async () => {
    await compareWithCpu([3, 5, 7, 13], (x) => {
      const p = params(13, 61);
      return tf.batchNorm(x, p.mean, p.variance, p.offset, p.scale, 1e-3);
    });
  });

  it("without offset and scale, rank 2, default epsilon", async () => {
    await compareWithCpu([6, 5], (x) => {
      const p = params(5, 71);
      return tf.batchNorm(x, p.mean, p.variance);
    });
  });

  it("parameters shaped [1,1,1,C] or of length 1, and a large epsilon", async () => {
    await compareWithCpu([2, 3, 4, 6], (x) => {
      const p = params(6, 81, [1, 1, 1, 6]);
      const one = params(1, 91);
      return [tf.batchNorm(x, p.mean, p.variance, p.offset, p.scale, 0.5), tf.batchNorm(x, one.mean, one.variance, one.offset, one.scale)];
    });
  });

  it("falls back to the stock kernel when a parameter is not per channel (full-size mean)", async () => {
    await compareWithCpu([2, 3, 4], (x) => {
      const mean = tf.tensor(randomValues([2, 3, 4], 101), [2, 3, 4]);
      const variance = tf.onesLike(mean).mul(2);
      return tf.batchNorm(x, mean, variance);
    });
  });

  it("trains a batch-normalised conv layer to the same gradients", async () => {
    await compareWithCpu(
      [4, 6, 6, 3],
      (x) => {
        const w = tf.tensor4d(randomValues([3, 3, 3, 8], 111), [3, 3, 3, 8]);
        const gamma = tf.tensor1d(randomValues([8], 112));
        const beta = tf.tensor1d(randomValues([8], 113));
        const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const h = tf.conv2d(a as tf.Tensor4D, w, 1, "same");
          const { mean, variance } = tf.moments(h, [0, 1, 2]);
          return tf
            .batchNorm(h, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3)
            .relu()
            .square()
            .sum();
        };
        return tf.grads(loss)([x, gamma, beta]);
      },
      41,
      1e-4,
    );
  });

  it("returns zero-size inputs unchanged in shape", async () => {
    expect(await tf.setBackend("wasm")).toBe(true);
    const p = params(3, 121);
    const y = tf.batchNorm(tf.zeros([0, 3]), p.mean, p.variance);
    expect(y.shape).toEqual([0, 3]);
    tf.dispose([y, p.mean, p.variance, p.offset, p.scale]);
  });
});

import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { getGradient } from "@tensorflow/tfjs-core";
import { registerWasmGradientKernels } from "../../../../../src/lib/backends/kernels/wasm/register.ts";
import { compareWithCpu, randomValues, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

/** The stock tfjs-core formulas: reshape(dy) * ones(x.shape), divided by the reduced size for a mean. */
function stockGrad(x: tf.Tensor, dy: tf.Tensor, axes: number[], mean: boolean): tf.Tensor {
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const product = tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, "float32"));
  return mean
    ? tf.div(
        product,
        axes.reduce((s, a) => s * x.shape[a], 1),
      )
    : product;
}

describe("Sum and Mean gradients without a tensor of ones", () => {
  const cases: { name: string; shape: number[]; axis: number | number[] | undefined; keepDims: boolean }[] = [
    { name: "batch-norm statistics over N,H,W", shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: false },
    { name: "global average pool over H,W, kept dims", shape: [3, 5, 4, 6], axis: [1, 2], keepDims: true },
    { name: "last axis, negative index", shape: [3, 7], axis: -1, keepDims: false },
    { name: "every axis (axis omitted)", shape: [2, 3, 5], axis: undefined, keepDims: false },
  ];
  it.each(cases)("$name: same values as the stock formula, bit for bit, on wasm", async ({ shape, axis, keepDims }) => {
    expect(await tf.setBackend("wasm")).toBe(true);
    const x = tf.tensor(randomValues(shape, 131), shape);
    const axes = axis === undefined ? shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a));
    for (const mean of [false, true]) {
      const outShape = tf.tidy(() => (mean ? x.mean(axis, keepDims) : x.sum(axis, keepDims)).shape);
      const dy = tf.tensor(randomValues(outShape, 132), outShape);
      const [ours, stock] = tf.tidy(() => {
        const f = (a: tf.Tensor) => (mean ? a.mean(axis, keepDims) : a.sum(axis, keepDims));
        return [tf.grad(f)(x, dy), stockGrad(x, dy, axes, mean)];
      });
      expect(ours.shape).toEqual(shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await stock.data()));
      tf.dispose([dy, ours, stock]);
    }
    x.dispose();
  });

  it("trains through batch-norm moments to the cpu backend's gradients", async () => {
    await compareWithCpu(
      [4, 6, 6, 5],
      (x) =>
        tf.grad((a: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, [0, 1, 2]);
          // tfjs's batch-norm gradient needs a scale tensor (it saves it for the backward pass).
          const scale = tf.onesLike(mean);
          return tf
            .batchNorm(a, mean, variance, tf.zerosLike(mean), scale)
            .mul(a.mean([1, 2], true))
            .square()
            .sum();
        })(x),
      41,
      1e-4,
    );
  });

  it("leaves int32 gradients to the stock function, and registering again changes nothing", async () => {
    expect(await tf.setBackend("wasm")).toBe(true);
    const before = getGradient("Sum");
    registerWasmGradientKernels();
    expect(getGradient("Sum")).toBe(before);
    const x = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      "int32",
    );
    const dy = tf.tensor1d([5, 6], "int32");
    const grads = before!.gradFunc(dy, [x], { axis: [0], keepDims: false });
    const dx = grads.x();
    expect(dx.dtype).toBe("float32");
    expect(Array.from(await dx.data())).toEqual([5, 6, 5, 6]);
    tf.dispose([x, dy, dx]);
  });
});

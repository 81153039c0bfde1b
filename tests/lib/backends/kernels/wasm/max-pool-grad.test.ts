import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compareWithCpu, randomValues, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";

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

describe("MaxPoolGrad on wasm, 2x2 windows", () => {
  /** The kernel's contract for a 2x2 stride-2 pool: each window's gradient to its first value above all before it, from -Infinity. */
  function reference(x: Float32Array, dy: Float32Array, [n, h, w, c]: number[]): Float32Array {
    const dx = new Float32Array(x.length);
    const [ho, wo] = [Math.floor(h / 2), Math.floor(w / 2)];
    for (let b = 0; b < n; b++)
      for (let yo = 0; yo < ho; yo++)
        for (let xo = 0; xo < wo; xo++)
          for (let k = 0; k < c; k++) {
            let best = -1;
            let v = Number.NEGATIVE_INFINITY;
            for (const [i, j] of [
              [0, 0],
              [0, 1],
              [1, 0],
              [1, 1],
            ]) {
              const at = ((b * h + 2 * yo + i) * w + 2 * xo + j) * c + k;
              if (x[at] > v) [v, best] = [x[at], at];
            }
            if (best >= 0) dx[best] = dy[((b * ho + yo) * wo + xo) * c + k];
          }
    return dx;
  }

  async function maxPoolGradOnWasm(x: Float32Array, dy: Float32Array, shape: number[], outputOffset = 0): Promise<Float32Array> {
    expect(await tf.setBackend("wasm")).toBe(true);
    // Leave non-zero values in freed heap memory, where the kernel's output may be placed.
    const size = shape.reduce((a, b) => a * b);
    tf.dispose(Array.from({ length: 6 }, (_, i) => tf.fill([size], 7 + i)));
    const input = tf.tensor4d(x, shape as [number, number, number, number]);
    const grad = tf.tensor4d(dy, [shape[0], Math.floor(shape[1] / 2), Math.floor(shape[2] / 2), shape[3]]);
    // The pool's output, as tfjs's gradient passes it (shifted: an output that is not this input's).
    const output = tf.tidy(() => tf.maxPool(input, 2, 2, "valid").add(outputOffset));
    const dx = tf.engine().runKernel("MaxPoolGrad", { dy: grad, input, output }, { filterSize: 2, strides: 2, pad: "valid" }) as tf.Tensor;
    const values = (await dx.data()) as Float32Array;
    tf.dispose([input, grad, output, dx]);
    return values;
  }

  it("writes every value of an even-sized dx, whatever the heap held, with ties, zeros and signed zeros", async () => {
    const shape = [2, 6, 8, 5];
    const x = Float32Array.from(randomValues(shape, 5), (v, i) => (i % 7 === 0 ? -0 : Math.round(v * 1.4)));
    const dy = Float32Array.from(randomValues([2, 3, 4, 5], 6), (v, i) => (i % 5 === 0 ? -v : v));
    const got = await maxPoolGradOnWasm(x, dy, shape);
    expect(Array.from(got, (v) => (Object.is(v, -0) ? "-0" : v))).toEqual(Array.from(reference(x, dy, shape), (v) => (Object.is(v, -0) ? "-0" : v)));
  });

  it("takes windows with NaN or an infinity value by value: NaN never wins, a window of NaN and -Infinity gets nothing", async () => {
    const shape = [1, 4, 6, 2];
    const x = Float32Array.from(randomValues(shape, 8));
    const special = [NaN, Infinity, -Infinity, NaN, -Infinity, 3e38, 3e38, NaN];
    special.forEach((v, i) => (x[i * 5] = v));
    // One whole window of NaN and -Infinity (window (0,0), channel 1): no gradient at all.
    for (const at of [1, 3, 13, 15]) x[at] = at === 3 ? Number.NEGATIVE_INFINITY : NaN;
    const dy = Float32Array.from(randomValues([1, 2, 3, 2], 9));
    const got = await maxPoolGradOnWasm(x, dy, shape);
    expect(Array.from(got)).toEqual(Array.from(reference(x, dy, shape)));
    expect([got[1], got[3], got[13], got[15]]).toEqual([0, 0, 0, 0]);
  });

  it("takes every window by value when the given output holds none of its values", async () => {
    const shape = [2, 4, 4, 3];
    const x = Float32Array.from(randomValues(shape, 12), (v) => Math.round(v * 2));
    const dy = Float32Array.from(randomValues([2, 2, 2, 3], 13));
    expect(Array.from(await maxPoolGradOnWasm(x, dy, shape, 1000))).toEqual(Array.from(reference(x, dy, shape)));
  });
});

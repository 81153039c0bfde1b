import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { getKernel } from "@tensorflow/tfjs-core";
import { registerWasmGradientKernels } from "../../../../src/lib/backends/kernels/wasm/register.ts";
import { createRng } from "../../../../src/lib/data/random.ts";

type Backend = "cpu" | "wasm";
type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

/** Uniform values in [-1, 1) from a seed. */
function randomValues(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng() * 2 - 1;
  return values;
}

/** max |a - b| / max |a|: the error relative to the reference's scale. */
function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i] - actual[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs `f` on the given backend and hands back plain arrays, so results can cross backends. */
async function onBackend<T>(backend: Backend, f: () => Promise<T>): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  return f();
}

function wasmDataIds(): number {
  return tf.findBackend("wasm").numDataIds();
}

/** dx and dW of sum((conv2d(x, w) * r)) for a fixed random r, so every output pixel matters. */
async function convGrads(backend: Backend, xShape: number[], wShape: number[], strides: number, pad: Pad, seed: number) {
  return onBackend(backend, async () => {
    const x = tf.tensor4d(randomValues(xShape, seed), xShape as [number, number, number, number]);
    const w = tf.tensor4d(randomValues(wShape, seed + 1), wShape as [number, number, number, number]);
    const outShape = tf.tidy(() => tf.conv2d(x, w, strides, pad).shape);
    const r = tf.tensor(randomValues(outShape, seed + 2), outShape);
    const tensorsBefore = tf.memory().numTensors;
    const dataIdsBefore = backend === "wasm" ? wasmDataIds() : 0;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad).mul(r).sum())([x, w]);
    const result = { dx: await dx.data(), dw: await dw.data(), dxShape: dx.shape, dwShape: dw.shape };
    tf.dispose([dx, dw]);
    const leaked = { tensors: tf.memory().numTensors - tensorsBefore, dataIds: backend === "wasm" ? wasmDataIds() - dataIdsBefore : 0 };
    tf.dispose([x, w, r]);
    return { ...result, leaked };
  });
}

beforeAll(async () => {
  registerWasmGradientKernels();
  expect(await tf.setBackend("wasm")).toBe(true);
});

describe("registerWasmGradientKernels", () => {
  it("registers Conv2DBackpropFilter, which stock tfjs-backend-wasm lacks", () => {
    expect(getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
  });

  it("is harmless when called again: the registered kernels stay the same and keep working", async () => {
    const before = ["Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad", "Sum", "Identity"].map((k) => getKernel(k, "wasm")?.kernelFunc);
    registerWasmGradientKernels();
    registerWasmGradientKernels();
    const after = ["Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad", "Sum", "Identity"].map((k) => getKernel(k, "wasm")?.kernelFunc);
    expect(after).toEqual(before);
    const cpu = await convGrads("cpu", [2, 6, 6, 2], [3, 3, 2, 3], 1, "same", 5);
    const wasm = await convGrads("wasm", [2, 6, 6, 2], [3, 3, 2, 3], 1, "same", 5);
    expect(relativeError(cpu.dx, wasm.dx)).toBeLessThan(1e-4);
    expect(relativeError(cpu.dw, wasm.dw)).toBeLessThan(1e-4);
  });
});

describe("conv2d gradients on wasm match the cpu backend", () => {
  const cases: { name: string; x: number[]; w: number[]; strides: number; pad: Pad }[] = [
    { name: "28x28x1 -> 32, k3 valid (matrix-product filter gradient)", x: [4, 28, 28, 1], w: [3, 3, 1, 32], strides: 1, pad: "valid" },
    { name: "28x28x1 -> 32, k3 same", x: [4, 28, 28, 1], w: [3, 3, 1, 32], strides: 1, pad: "same" },
    { name: "13x13x32 -> 64, k5 valid", x: [2, 13, 13, 32], w: [5, 5, 32, 64], strides: 1, pad: "valid" },
    { name: "14x14x64 -> 64, k3 same", x: [2, 14, 14, 64], w: [3, 3, 64, 64], strides: 1, pad: "same" },
    { name: "even kernel 2, same (pads 0 above, 1 below)", x: [3, 9, 9, 3], w: [2, 2, 3, 5], strides: 1, pad: "same" },
    { name: "even kernel 4, same (pads 1 above, 2 below)", x: [3, 10, 9, 6], w: [4, 4, 6, 5], strides: 1, pad: "same" },
    { name: "explicit asymmetric pads", x: [2, 7, 8, 3], w: [3, 3, 3, 4], strides: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
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
        const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          strides: [1, 1],
          pad: "same",
          dataFormat: "NCHW",
          filterShape: [3, 3, 3, 4],
        }) as tf.Tensor;
        const values = await dw.data();
        tf.dispose([x, dy, dw]);
        return values;
      });
    expect(relativeError(await run("cpu"), await run("wasm"))).toBeLessThan(1e-4);
  });
});

/** A small model using every replaced kernel: conv (valid, same, even), max pool, batch norm, GAP, dense. */
function buildTinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 1] });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "relu" }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 6, kernelSize: 2, padding: "same", useBias: false }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: "relu" }).apply(h) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([flat, pooled]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 3, activation: "softmax" }).apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

describe("training a tfjs-layers model", () => {
  it("takes the same optimizer step on wasm as on cpu", async () => {
    const initial = await onBackend("cpu", async () => {
      const model = buildTinyModel();
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      model.dispose();
      return weights;
    });
    const xs = randomValues([6, 12, 12, 1], 31);
    const labels = [0, 1, 2, 2, 1, 0];
    // SGD with learning rate 1: each weight moves by exactly minus its gradient.
    const step = (backend: Backend) =>
      onBackend(backend, async () => {
        const model = buildTinyModel();
        const before = model.getWeights();
        model.setWeights(before.map((w, i) => tf.tensor(initial[i], w.shape)));
        model.compile({ optimizer: tf.train.sgd(1), loss: "categoricalCrossentropy" });
        const x = tf.tensor4d(xs, [6, 12, 12, 1]);
        const y = tf.oneHot(tf.tensor1d(labels, "int32"), 3);
        await model.trainOnBatch(x, y);
        const after = await Promise.all(model.getWeights().map((w) => w.data()));
        tf.dispose([x, y]);
        model.dispose();
        return after.map((w, i) => w.map((v, j) => v - initial[i][j]));
      });
    const cpu = await step("cpu");
    const wasm = await step("wasm");
    expect(wasm.length).toBe(cpu.length);
    for (let i = 0; i < cpu.length; i++) expect(relativeError(cpu[i], wasm[i]), `weight ${i}`).toBeLessThan(1e-4);
  });
});

describe("replaced helper kernels on wasm match the cpu backend", () => {
  async function compare(shape: number[], f: (x: tf.Tensor) => tf.Tensor | tf.Tensor[], seed = 41): Promise<void> {
    const run = (backend: Backend) =>
      onBackend(backend, async () => {
        const x = tf.tensor(randomValues(shape, seed), shape);
        const out = tf.tidy(() => f(x));
        const list = Array.isArray(out) ? out : [out];
        const values = await Promise.all(list.map(async (t) => ({ shape: t.shape, data: await t.data() })));
        tf.dispose([x, ...list]);
        return values;
      });
    const cpu = await run("cpu");
    const wasm = await run("wasm");
    for (let i = 0; i < cpu.length; i++) {
      expect(wasm[i].shape).toEqual(cpu[i].shape);
      expect(relativeError(cpu[i].data, wasm[i].data)).toBeLessThan(1e-5);
    }
  }

  it("MaxPoolGrad, 2x2 stride 2 on an odd size, with negative inputs", async () => {
    await compare([3, 7, 9, 5], (x) =>
      tf.grad((a: tf.Tensor) => {
        const pooled = tf.maxPool(a as tf.Tensor4D, 2, 2, "valid");
        return pooled.mul(tf.range(1, pooled.size + 1).reshape(pooled.shape)).sum();
      })(x),
    );
  });

  it("MaxPoolGrad, overlapping 3x3 windows with stride 2 and same padding", async () => {
    await compare([2, 8, 7, 4], (x) => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 2, "same").square().sum())(x));
  });

  it("MaxPoolGrad sends a tied window's gradient to its first maximum", async () => {
    // Values in {-1, 0, 1}: most 2x2 windows hold their maximum more than once.
    await compare([2, 6, 6, 3], (x) => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid").sum())(x.mul(1.4).round()));
  });

  it("Sum and Mean over leading and middle axes, with and without keepDims", async () => {
    await compare([4, 5, 6, 7], (x) => [x.sum([0, 1, 2]), x.mean([1, 2]), x.sum([1], true), x.mean([0, 1], true), x.sum(-1), x.mean()]);
  });

  it("Tile", async () => {
    await compare([1, 1, 3, 4], (x) => [x.tile([2, 3, 1, 2]), x.tile([5, 1, 2, 1])]);
    await compare([2, 3], (x) => x.tile([3, 2]));
  });

  it("BatchMatMul with transposed operands, batched and broadcast", async () => {
    await compare([2, 5, 7], (x) => {
      const y = x.slice([0, 0, 0], [2, 5, 5]);
      return [tf.matMul(x, x, true, false), tf.matMul(x, x, false, true), tf.matMul(y, x, true, false), tf.matMul(x.slice([0, 0, 0], [1, 5, 7]), x, true, false)];
    });
  });

  it("Identity shares memory yet survives disposal of its source", async () => {
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

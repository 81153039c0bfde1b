import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { getKernel } from "@tensorflow/tfjs-core";
import { registerWasmGradientKernels } from "../../../../../src/lib/backends/kernels/wasm/register.ts";
import { convGrads, onBackend, randomValues, relativeError, useWasmKernels } from "../../../../helpers/wasm-kernels.ts";
import type { Backend } from "../../../../helpers/wasm-kernels.ts";

useWasmKernels();

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

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend, type BackendName } from "../../../src/lib/backends/use-backend.ts";
import { buildCnn, buildModel, buildResNet } from "../../../src/lib/model/builders.ts";
import { createTrainStep, type TrainStep } from "../../../src/lib/model/train-step.ts";
import { profileTrainStep } from "../../../src/lib/model/step-profile.ts";
import { configFromRowId } from "../../../src/lib/study/study.ts";

/** A seeded batch: images [n,28,28,1] in [0,1), labels i*3+s mod 10, one-hot targets. */
function batch(n: number, s: number): { xs: tf.Tensor4D; ys: tf.Tensor2D; labels: tf.Tensor1D } {
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => (i * 3 + s) % 10),
    "int32",
  );
  const ys = tf.tidy(() => tf.oneHot(labels, 10).toFloat() as tf.Tensor2D);
  return { xs: tf.randomUniform([n, 28, 28, 1], 0, 1, "float32", 50 + s) as tf.Tensor4D, ys, labels };
}

/** Runs the same batches through two steps; returns the per-step totals of each. */
async function runBoth(a: TrainStep, b: TrainStep, steps: number): Promise<{ a: number[][]; b: number[][] }> {
  const out = { a: [] as number[][], b: [] as number[][] };
  for (let s = 0; s < steps; s++) {
    const { xs, ys, labels } = batch(16, s);
    for (const [step, into] of [
      [a, out.a],
      [b, out.b],
    ] as const) {
      const t = await step.run(xs, ys, labels);
      into.push([t.lossSum.dataSync()[0], t.correct.dataSync()[0]]);
      tf.dispose([t.lossSum, t.correct]);
    }
    tf.dispose([xs, ys, labels]);
  }
  return out;
}

/** max over weights of max |a - b| / max(1, max |b|). */
function weightError(a: tf.LayersModel, b: tf.LayersModel): number {
  const wa = a.getWeights();
  const wb = b.getWeights();
  return Math.max(...wa.map((w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, wb[i]))).dataSync()[0] / Math.max(1, tf.max(tf.abs(wb[i])).dataSync()[0]))));
}

const tinyCnn = { family: "cnn", conv1: 4, conv2: 8, kernel: 3, dense: 16 } as const;
const tinyResNet = { family: "resnet", blocks: 2, filters: 8 } as const;
// The pure-JS cpu backend takes ~30 s per stock ResNet step at 8 filters: a smaller one there.
const tinierResNet = { family: "resnet", blocks: 1, filters: 4 } as const;

describe.each([
  ["wasm", tinyResNet],
  ["cpu", tinierResNet],
] as [BackendName, typeof tinyResNet | typeof tinierResNet][])("createTrainStep on %s", (backend, resnet) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([tinyCnn, resnet])("gives the stock trainOnBatch results for a seeded $family", async (config) => {
    const fast = buildModel(config, 5);
    const stock = buildModel(config, 5);
    const a = createTrainStep(fast, { learningRate: 1e-3 });
    const b = createTrainStep(stock, { learningRate: 1e-3, mode: "stock" });
    expect(a.kind).toBe("graph");
    expect(b.kind).toBe("stock");
    const totals = await runBoth(a, b, 3);
    for (let s = 0; s < 3; s++) {
      expect(totals.a[s][0]).toBeCloseTo(totals.b[s][0], 3);
      expect(totals.a[s][1]).toBe(totals.b[s][1]);
    }
    // Three Adam steps of 1e-3 move weights by ~3e-3; the paths agree far below that.
    expect(weightError(fast, stock)).toBeLessThan(2e-5);
    a.dispose();
    b.dispose();
    fast.dispose();
    stock.dispose();
  });

  it("falls back to the tape for layers it does not cover, with the same results", async () => {
    const make = () => {
      const m = tf.sequential();
      m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
      m.add(tf.layers.dense({ units: 12, activation: "tanh", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
      m.add(tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
      return m;
    };
    const fast = make();
    const stock = make();
    const a = createTrainStep(fast, { learningRate: 1e-3 });
    const b = createTrainStep(stock, { learningRate: 1e-3, mode: "stock" });
    expect(a.kind).toBe("tape");
    const totals = await runBoth(a, b, 3);
    expect(totals.a[2][0]).toBeCloseTo(totals.b[2][0], 3);
    expect(weightError(fast, stock)).toBeLessThan(2e-5);
    a.dispose();
    b.dispose();
    fast.dispose();
    stock.dispose();
  });

  it("leaves the tensor count unchanged from step to step and after dispose", async () => {
    const model = buildResNet({ blocks: 1, filters: 4 }, 2);
    const before = tf.memory().numTensors;
    const step = createTrainStep(model, { learningRate: 1e-3 });
    const { xs, ys, labels } = batch(8, 0);
    const counts: number[] = [];
    for (let s = 0; s < 3; s++) {
      tf.dispose(Object.values(await step.run(xs, ys, labels)));
      counts.push(tf.memory().numTensors);
    }
    expect(counts[2]).toBe(counts[1]);
    step.dispose();
    tf.dispose([xs, ys, labels]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe("kernels per training step (wasm)", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  // The count is a property of the step's code, the same at every batch size (checked below) and on
  // every backend with the same kernels; batch 8 keeps the test quick. Targets are for batch 64.
  it.each([
    ["cnn-32-64-3-64", 100],
    ["resnet-3x64", 350],
  ] as const)("%s stays under %i kernels per step", async (rowId, target) => {
    const model = buildModel(configFromRowId(rowId), 1);
    const before = tf.memory().numTensors;
    const fast = await profileTrainStep(model, { batchSize: 8, timedSteps: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(fast.kind).toBe("graph");
    expect(fast.kernelsPerStep).toBeLessThanOrEqual(target);
    expect(fast.kernels.find((k) => k.name === "FusedAdam")?.count).toBe(model.trainableWeights.length);
    model.dispose();
  });

  it("counts the same kernels at every batch size, and about a quarter of the stock step's", async () => {
    const model = buildCnn({ conv1: 32, conv2: 64, kernel: 3, dense: 64 }, 1);
    const small = await profileTrainStep(model, { batchSize: 2, timedSteps: 0 });
    const large = await profileTrainStep(model, { batchSize: 64, timedSteps: 0 });
    const stock = await profileTrainStep(model, { batchSize: 2, timedSteps: 0, mode: "stock" });
    expect(large.kernelsPerStep).toBe(small.kernelsPerStep);
    expect(stock.kind).toBe("stock");
    expect(small.kernelsPerStep * 4).toBeLessThan(stock.kernelsPerStep);
    model.dispose();
  });
});

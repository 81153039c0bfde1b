/**
 * Browser side of tests/e2e/webgpu-train-step.test.ts, bundled by esbuild: on tfjs's webgpu backend,
 * FusedAdam against tf.train.adam, the graph training step against trainOnBatch, kernel counts,
 * and train() end to end. Exposes `window.__runWebGpuChecks()`; every read is asynchronous (the
 * webgpu backend warns on dataSync).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { FusedAdam } from "../../../src/lib/model/fused-adam.ts";
import { buildModel } from "../../../src/lib/model/builders.ts";
import { createTrainStep } from "../../../src/lib/model/train-step.ts";
import { profileTrainStep } from "../../../src/lib/model/step-profile.ts";
import { train } from "../../../src/lib/model/train.ts";
import type { ModelConfig } from "../../../src/lib/study/schema.ts";

/** What the page reports back to the test. */
export interface WebGpuChecks {
  adapter: boolean;
  backend?: string;
  adamDiff?: number;
  adamMoved?: number;
  adamKernels?: string[];
  steps?: { family: string; kind: string; lossDiff: number; correctDiff: number; weightDiff: number }[];
  kernels?: Record<string, number>;
  train?: { epochs: number; batches: number; leaked: number; finite: boolean };
  error?: string;
}

const read = async (t: tf.Tensor): Promise<number> => {
  const v = (await t.data())[0];
  t.dispose();
  return v;
};

async function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): Promise<number> {
  const d = await Promise.all(a.map((t, i) => read(tf.max(tf.abs(tf.sub(t, b[i]))))));
  return Math.max(...d);
}

async function checkAdam(out: WebGpuChecks): Promise<void> {
  const shapes = [[3, 3, 2, 4], [7], [300, 70]];
  const inits = shapes.map((s, i) => tf.randomNormal(s, 0, 1, "float32", 100 + i));
  const stockVars = inits.map((t) => tf.variable(t.clone()));
  const fusedVars = inits.map((t) => tf.variable(t.clone()));
  const stock = tf.train.adam(0.01);
  const fused = new FusedAdam(0.01);
  for (let s = 0; s < 5; s++) {
    const g = shapes.map((sh, i) => tf.randomNormal(sh, 0, 1 + s, "float32", 10 * s + i));
    stock.applyGradients(stockVars.map((v, i) => ({ name: v.name, tensor: g[i] })));
    fused.applyToVariables(fusedVars, g);
    tf.dispose(g);
  }
  out.adamDiff = await maxDiff(stockVars, fusedVars);
  out.adamMoved = await maxDiff(stockVars, inits);
  const ones = fusedVars.map((v) => tf.onesLike(v));
  const info = await tf.profile(() => fused.applyToVariables(fusedVars, ones));
  out.adamKernels = info.kernels.map((k) => k.name);
  stock.dispose();
  fused.dispose();
  tf.dispose([...inits, ...stockVars, ...fusedVars, ...ones]);
}

async function checkSteps(out: WebGpuChecks): Promise<void> {
  out.steps = [];
  const configs: ModelConfig[] = [
    { family: "cnn", conv1: 4, conv2: 8, kernel: 3, dense: 16 } as ModelConfig,
    { family: "resnet", blocks: 1, filters: 8 } as ModelConfig,
  ];
  for (const config of configs) {
    const a = buildModel(config, 5);
    const b = buildModel(config, 5);
    const fast = createTrainStep(a, { learningRate: 1e-3 });
    const stock = createTrainStep(b, { learningRate: 1e-3, mode: "stock" });
    let lossDiff = 0;
    let correctDiff = 0;
    for (let s = 0; s < 3; s++) {
      const labels = tf.tensor1d(
        Array.from({ length: 16 }, (_, i) => (i * 3 + s) % 10),
        "int32",
      );
      const ys = tf.tidy(() => tf.oneHot(labels, 10).toFloat() as tf.Tensor2D);
      const xs = tf.randomUniform([16, 28, 28, 1], 0, 1, "float32", s);
      const ra = await fast.run(xs, ys, labels);
      const rb = await stock.run(xs, ys, labels);
      lossDiff = Math.max(lossDiff, Math.abs((await read(ra.lossSum)) - (await read(rb.lossSum))));
      correctDiff = Math.max(correctDiff, Math.abs((await read(ra.correct)) - (await read(rb.correct))));
      tf.dispose([xs, ys, labels]);
    }
    const wa = a.getWeights();
    const wb = b.getWeights();
    out.steps.push({ family: config.family, kind: fast.kind, lossDiff, correctDiff, weightDiff: await maxDiff(wa, wb) });
    fast.dispose();
    stock.dispose();
    a.dispose();
    b.dispose();
  }
}

async function checkKernels(out: WebGpuChecks): Promise<void> {
  out.kernels = {};
  const rows: [string, ModelConfig][] = [
    ["cnn-32-64-3-64", { family: "cnn", conv1: 32, conv2: 64, kernel: 3, dense: 64 } as ModelConfig],
    ["resnet-3x64", { family: "resnet", blocks: 3, filters: 64 } as ModelConfig],
  ];
  for (const [name, config] of rows) {
    const model = buildModel(config, 1);
    // The count does not depend on the batch size; batch 2 keeps a software GPU quick.
    out.kernels[name] = (await profileTrainStep(model, { batchSize: 2, timedSteps: 0 })).kernelsPerStep;
    model.dispose();
  }
}

async function checkTrain(out: WebGpuChecks): Promise<void> {
  const count = 32 * 6;
  const images = new Uint8Array(count * 784).map((_, i) => (i * 37) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const model = buildModel({ family: "cnn", conv1: 4, conv2: 8, kernel: 3, dense: 16 } as ModelConfig, 1);
  const before = tf.memory().numTensors;
  let batches = 0;
  const result = await train(
    model,
    { train: { images, labels, count } },
    { epochs: 2, batchSize: 32, learningRate: 1e-3, seed: 1, onBatch: () => void batches++ },
  );
  out.train = {
    epochs: result.epochs.length,
    batches,
    leaked: tf.memory().numTensors - before,
    finite: result.epochs.every((e) => Number.isFinite(e.loss) && e.accuracy >= 0 && e.accuracy <= 1),
  };
  model.dispose();
}

(window as unknown as { __runWebGpuChecks: () => Promise<WebGpuChecks> }).__runWebGpuChecks = async () => {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const out: WebGpuChecks = { adapter: gpu !== undefined && (await gpu.requestAdapter()) !== null };
  if (!out.adapter) return out;
  try {
    if (!(await tf.setBackend("webgpu"))) throw new Error("the webgpu backend did not start");
    await tf.ready();
    out.backend = tf.getBackend();
    await checkAdam(out);
    await checkSteps(out);
    await checkKernels(out);
    await checkTrain(out);
  } catch (error) {
    out.error = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
  }
  return out;
};

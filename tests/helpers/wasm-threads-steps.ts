/**
 * Child process of tests/scripts/wasm-threads.test.ts: three fast training steps of a small CNN and
 * a small ResNet on the wasm backend with `argv[2]` XNNPACK threads (1: tfjs's own Node backend;
 * 2 or more: scripts/lib/wasm-threads.ts, with its kernel helpers), printed as one JSON line.
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { registerThreadedWasm } from "../../scripts/lib/wasm-threads.ts";
import { readyKernelHelpers } from "../../src/lib/backends/kernels/wasm/helper-threads.ts";
import { describeBackend, useBackend } from "../../src/lib/backends/use-backend.ts";
import { buildModel } from "../../src/lib/model/builders.ts";
import { createTrainStep } from "../../src/lib/model/train-step.ts";

const threads = Number(process.argv[2]);
if (threads > 1) registerThreadedWasm(threads);
await useBackend("wasm");
// With threads, the kernel helpers (helper-threads.ts) start beside the backend: wait for them, so the steps use them.
for (let i = 0; threads > 1 && readyKernelHelpers() < threads - 1 && i < 1000; i++) await new Promise((r) => setTimeout(r, 10));
const out: Record<string, unknown> = { threads: getThreadsCount(), description: describeBackend() };
for (const config of [
  { family: "cnn", conv1: 16, conv2: 32, kernel: 3, dense: 32 },
  { family: "resnet", blocks: 2, filters: 16 },
] as const) {
  const model = buildModel(config, 1);
  const step = createTrainStep(model, { learningRate: 1e-3 });
  // The first step creates the optimiser's moments; later steps must leave the count as they found it.
  let before = 0;
  const losses: number[] = [];
  for (let s = 0; s < 3; s++) {
    const labels = tf.tensor1d(
      Array.from({ length: 32 }, (_, i) => (i * 3 + s) % 10),
      "int32",
    );
    const ys = tf.tidy(() => tf.oneHot(labels, 10).toFloat() as tf.Tensor2D);
    const xs = tf.randomUniform([32, 28, 28, 1], 0, 1, "float32", 50 + s);
    const t = await step.run(xs, ys, labels);
    losses.push(t.lossSum.dataSync()[0]);
    tf.dispose([t.lossSum, t.correct, xs, ys, labels]);
    if (s === 0) before = tf.memory().numTensors;
  }
  out[config.family] = { losses, leaked: tf.memory().numTensors - before };
  step.dispose();
  model.dispose();
}
console.log(JSON.stringify(out));
process.exit(0);

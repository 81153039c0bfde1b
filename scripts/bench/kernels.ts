/**
 * Training-step benchmark for the wasm backend with the gradient kernels of
 * src/lib/backends/kernels/wasm/ (registered by register.ts): times `trainOnBatch` (Adam, batch 64, random 28x28x1 inputs) for the
 * study's CNN and ResNet and prints images/s plus a per-kernel time breakdown.
 *
 *   node scripts/bench/kernels.ts [--model cnn|resnet|both] [--steps 10] [--batch 64]
 *                                 [--backend wasm|cpu] [--no-profile] [--by-shape]
 *
 * Timings on a shared machine are noisy: the script prints the load average next to them, and
 * also the process's CPU time per step (user + system, all threads), which other processes on
 * the machine barely change; for this single-threaded backend it approximates the wall time on
 * an idle core.
 */
import { loadavg } from "node:os";
import { cpuUsage } from "node:process";
import * as tf from "@tensorflow/tfjs";
import { getKernelsForBackend, registerKernel, unregisterKernel } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs-core";
import { describeBackend, useBackend } from "../../src/lib/backends/use-backend.ts";
import { createRng } from "../../src/lib/data/random.ts";
import { positiveInteger, readCommandLine, UsageError } from "../lib/cli.ts";

const USAGE = `Usage: node scripts/bench/kernels.ts [options]

Times trainOnBatch (Adam, random 28x28x1 inputs) for the study's CNN and ResNet with this
project's wasm gradient kernels; prints images/s, CPU time per step and a per-kernel breakdown.

Options:
  --model cnn|resnet|both   which model (default both)
  --steps N                 measured steps (default 10)
  --batch N                 batch size (default 64)
  --backend wasm|cpu        tfjs backend (default wasm)
  --no-profile              skip the per-kernel profile
  --by-shape                break kernel times down by input shape
  --help, -h                print this text`;

const { values, steps, batch } = readCommandLine({
  usage: USAGE,
  options: {
    model: { type: "string", default: "both" },
    steps: { type: "string", default: "10" },
    batch: { type: "string", default: "64" },
    backend: { type: "string", default: "wasm" },
    "no-profile": { type: "boolean", default: false },
    "by-shape": { type: "boolean", default: false },
  },
  interpret: ({ values }) => {
    if (values.backend !== "wasm" && values.backend !== "cpu") throw new UsageError("--backend must be wasm or cpu");
    if (!["cnn", "resnet", "both"].includes(values.model)) throw new UsageError("--model must be cnn, resnet or both");
    return { values, steps: positiveInteger(values.steps, "steps")!, batch: positiveInteger(values.batch, "batch")! };
  },
});

/** Conv2D(32,k3)-MaxPool-Conv2D(64,k3)-MaxPool-Flatten-Dense(64,relu)-Dense(10,softmax). */
function buildCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

/** 3x3 conv stem (64) + BN + 2x2 max pool to 14x14, 3 residual blocks of two 3x3 convs (64) with BN, GAP, dense 10. */
function buildResNet(blocks = 3, width = 64): tf.LayersModel {
  const conv = (t: tf.SymbolicTensor) => tf.layers.conv2d({ filters: width, kernelSize: 3, padding: "same", useBias: false }).apply(t) as tf.SymbolicTensor;
  const bn = (t: tf.SymbolicTensor) => tf.layers.batchNormalization().apply(t) as tf.SymbolicTensor;
  const relu = (t: tf.SymbolicTensor) => tf.layers.activation({ activation: "relu" }).apply(t) as tf.SymbolicTensor;
  const input = tf.input({ shape: [28, 28, 1] });
  let h = relu(bn(conv(input)));
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  for (let b = 0; b < blocks; b++) {
    const r = bn(conv(relu(bn(conv(h)))));
    h = relu(tf.layers.add().apply([h, r]) as tf.SymbolicTensor);
  }
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: "softmax" }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/**
 * Per-kernel wall time and process CPU time (user + system); nested kernel calls are attributed
 * to "Parent>Child" and excluded from the parent's self time.
 */
type KernelStat = { calls: number; ms: number; cpuMs: number };
const stats = new Map<string, KernelStat>();
let profiling = false;

function instrumentKernels(backendName: string): void {
  const stack: { name: string; child: number; childCpu: number }[] = [];
  for (const config of getKernelsForBackend(backendName)) {
    const inner = config.kernelFunc;
    const name = config.kernelName;
    const wrapped: KernelFunc = (params) => {
      if (!profiling) return inner(params);
      const frame = { name, child: 0, childCpu: 0 };
      let label = stack.length > 0 ? `${stack[stack.length - 1].name}>${name}` : name;
      if (values["by-shape"]) label += ` ${describeCall(params)}`;
      stack.push(frame);
      const t0 = performance.now();
      const c0 = cpuUsage();
      try {
        return inner(params);
      } finally {
        const c = cpuUsage(c0);
        const dc = (c.user + c.system) / 1000;
        const dt = performance.now() - t0;
        stack.pop();
        if (stack.length > 0) {
          stack[stack.length - 1].child += dt;
          stack[stack.length - 1].childCpu += dc;
        }
        const s = stats.get(label) ?? { calls: 0, ms: 0, cpuMs: 0 };
        s.calls++;
        s.ms += dt - frame.child;
        s.cpuMs += dc - frame.childCpu;
        stats.set(label, s);
      }
    };
    const replacement: KernelConfig = { ...config, kernelFunc: wrapped };
    unregisterKernel(name, backendName);
    registerKernel(replacement);
  }
}

/** Input shapes and small attributes of a kernel call, e.g. "[64,1600]x[1600,64] tA". */
function describeCall(params: Parameters<KernelFunc>[0]): string {
  const shapes = Object.values(params.inputs)
    .filter((t) => t != null)
    .map((t) => `[${t.shape.join(",")}]`);
  const flags = Object.entries(params.attrs ?? {})
    .filter(([, v]) => v === true)
    .map(([k]) => k);
  return [shapes.join("x"), ...flags].join(" ");
}

function makeBatch(seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const rng = createRng(seed);
  const pixels = new Float32Array(batch * 28 * 28);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng();
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = Math.floor(rng() * 10);
  const xs = tf.tensor4d(pixels, [batch, 28, 28, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), 10).toFloat() as tf.Tensor2D);
  return { xs, ys };
}

async function benchModel(label: string, model: tf.LayersModel, profile: boolean): Promise<void> {
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  const { xs, ys } = makeBatch(7);
  for (let i = 0; i < 2; i++) await model.trainOnBatch(xs, ys); // warm-up: XNNPACK setup, Adam slots
  const times: number[] = [];
  const cpuTimes: number[] = [];
  stats.clear();
  profiling = profile;
  const tensorsBefore = tf.memory().numTensors;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = cpuUsage();
    await model.trainOnBatch(xs, ys);
    const c1 = cpuUsage(c0);
    times.push(performance.now() - t0);
    cpuTimes.push((c1.user + c1.system) / 1000);
  }
  profiling = false;
  const leaked = tf.memory().numTensors - tensorsBefore;
  tf.dispose([xs, ys]);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const total = times.reduce((a, b) => a + b, 0);
  const cpuMedian = median(cpuTimes);
  console.log(
    `${label}: ${model.countParams()} params, batch ${batch}, ${steps} steps, median step ${median(times).toFixed(1)} ms wall ` +
      `-> ${((batch * 1000) / median(times)).toFixed(0)} images/s (mean ${((batch * steps * 1000) / total).toFixed(0)}); ` +
      `${cpuMedian.toFixed(1)} ms CPU -> ${((batch * 1000) / cpuMedian).toFixed(0)} images/s per CPU second` +
      (leaked !== 0 ? `; tensor count changed by ${leaked}` : ""),
  );
  if (profile)
    printProfile(
      total,
      cpuTimes.reduce((a, b) => a + b, 0),
    );
}

/** Kernels sorted by CPU time (the measure that other processes on the machine barely change). */
function printProfile(totalMs: number, totalCpuMs: number): void {
  const rows = [...stats.entries()].sort((a, b) => b[1].cpuMs - a[1].cpuMs);
  const kernelMs = rows.reduce((sum, [, s]) => sum + s.ms, 0);
  const kernelCpuMs = rows.reduce((sum, [, s]) => sum + s.cpuMs, 0);
  const width = values["by-shape"] ? 70 : 38;
  console.log(
    `  kernels ${((100 * kernelMs) / totalMs).toFixed(0)}% of step time, ${((100 * kernelCpuMs) / totalCpuMs).toFixed(0)}% of CPU time; per step (wall, CPU, share of CPU):`,
  );
  for (const [name, s] of rows) {
    if ((100 * s.cpuMs) / totalCpuMs < 0.5 && (100 * s.ms) / totalMs < 0.5) continue;
    console.log(
      `    ${name.padEnd(width)} ${(s.ms / steps).toFixed(2).padStart(8)} ms ${(s.cpuMs / steps).toFixed(2).padStart(8)} ms CPU ${((100 * s.cpuMs) / totalCpuMs).toFixed(1).padStart(5)}%  ${(s.calls / steps).toFixed(0).padStart(4)} calls`,
    );
  }
  console.log(
    `    ${"(outside kernels)".padEnd(width)} ${((totalMs - kernelMs) / steps).toFixed(2).padStart(8)} ms ${((totalCpuMs - kernelCpuMs) / steps).toFixed(2).padStart(8)} ms CPU`,
  );
}

const backendName = await useBackend(values.backend as "wasm" | "cpu");
const description = describeBackend();
const profile = !values["no-profile"];
if (profile) instrumentKernels(backendName);
console.log(
  `backend ${JSON.stringify(description)}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
if (values.model === "cnn" || values.model === "both") await benchModel("cnn-32-64-3-64", buildCnn(), profile);
if (values.model === "resnet" || values.model === "both") await benchModel("resnet-3x64", buildResNet(), profile);
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

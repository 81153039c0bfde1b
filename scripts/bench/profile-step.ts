/**
 * node scripts/bench/profile-step.ts [--backend webgpu|wasm|cpu] [--models cnn-32-64-3-64,resnet-3x64]
 *                              [--batch 64] [--stock] [--json FILE]
 *
 * Where a training step's time goes: one step of the training step `train()` uses
 * (src/lib/model/train-step.ts: Adam, categorical cross-entropy, the models of
 * src/lib/model/builders.ts) under `tf.profile`, after two warm-up steps, summed per kernel name:
 * milliseconds of backend kernel time (GPU timestamp queries on webgpu) and share.
 * --stock puts tfjs's own webgpu kernels back in place of this project's (to compare).
 */
import * as tf from "@tensorflow/tfjs";
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { useBackend, type BackendName } from "../../src/lib/backends/use-backend.ts";
import { WEBGPU_KERNELS } from "../../src/lib/backends/kernels/webgpu/register.ts";
import { buildModel } from "../../src/lib/model/builders.ts";
import { createTrainStep } from "../../src/lib/model/train-step.ts";
import { configFromRowId } from "../../src/lib/study/study.ts";
import { positiveInteger, readCommandLine, UsageError } from "../lib/cli.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { installNodeWebGpu } from "../lib/node-webgpu.ts";

const USAGE = `Usage: node scripts/bench/profile-step.ts [--backend webgpu|wasm|cpu] [--models ROW,ROW] [--batch N] [--stock] [--json FILE]

Profiles one training step per model (after two warm-up steps) and prints kernel time per kernel name.
  --backend   tfjs backend (default webgpu: Dawn through the optional npm package 'webgpu'; see docs/gpu.md)
  --models    row ids (default cnn-32-64-3-64,resnet-3x64)
  --batch     batch size (default 64)
  --stock     webgpu only: profile tfjs's stock kernels instead of this project's
  --json FILE also write the profiles as JSON
  --help, -h  print this text`;

/** One model's profiled step. */
export interface StepProfile {
  model: string;
  backend: string;
  batchSize: number;
  kernelSet: "project" | "stock";
  /** Wall milliseconds of the profiled step (profiling itself slows it down). */
  wallMs: number;
  /** Sum of all kernels' times, milliseconds. */
  kernelMs: number;
  dispatches: number;
  /** Per kernel name, most expensive first: milliseconds, share of kernelMs, and calls. */
  kernels: { name: string; ms: number; share: number; calls: number }[];
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function profileStep(rowId: string, backend: string, batchSize: number, kernelSet: StepProfile["kernelSet"]): Promise<StepProfile> {
  const model = buildModel(configFromRowId(rowId), 1);
  const step = createTrainStep(model, { learningRate: 1e-3 });
  const xs = tf.randomUniform([batchSize, 28, 28, 1], 0, 1, "float32", 1);
  const labels = tf.tensor1d(
    Array.from({ length: batchSize }, (_, i) => i % 10),
    "int32",
  );
  const ys = tf.tidy(() => tf.oneHot(labels, 10).toFloat() as tf.Tensor2D);
  // The step's loss and accuracy totals are read back, as train() reads them on cpu and wasm.
  const runStep = async () => {
    const totals = await step.run(xs, ys, labels);
    await totals.lossSum.data();
    tf.dispose([totals.lossSum, totals.correct]);
  };
  try {
    await runStep();
    await runStep();
    const t0 = performance.now();
    const info = await tf.profile(runStep);
    const wallMs = performance.now() - t0;
    const byName = new Map<string, { ms: number; calls: number }>();
    let kernelMs = 0;
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
      const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += ms;
      entry.calls++;
      byName.set(k.name, entry);
      kernelMs += ms;
    }
    const kernels = [...byName]
      .map(([name, e]) => ({ name, ms: round(e.ms), share: kernelMs > 0 ? round(e.ms / kernelMs, 4) : 0, calls: e.calls }))
      .sort((a, b) => b.ms - a.ms);
    return { model: rowId, backend, batchSize, kernelSet, wallMs: round(wallMs), kernelMs: round(kernelMs), dispatches: info.kernels.length, kernels };
  } finally {
    tf.dispose([xs, ys, labels]);
    step.dispose();
    model.dispose();
  }
}

/**
 * tfjs's own configs of the kernels this project replaces, read before `useBackend` replaces them
 * (tfjs-backend-webgpu registers its kernels when imported).
 */
async function stockWebGpuKernels(): Promise<KernelConfig[]> {
  await import("@tensorflow/tfjs-backend-webgpu");
  return WEBGPU_KERNELS.map((name) => getKernel(name, "webgpu")).filter((k): k is KernelConfig => k !== undefined);
}

async function main(): Promise<void> {
  const { values, batchSize } = readCommandLine({
    usage: USAGE,
    options: {
      backend: { type: "string", default: "webgpu" },
      models: { type: "string", default: "cnn-32-64-3-64,resnet-3x64" },
      batch: { type: "string" },
      stock: { type: "boolean", default: false },
      json: { type: "string" },
    },
    interpret: (parsed) => {
      if (parsed.values.stock && parsed.values.backend !== "webgpu") throw new UsageError("--stock applies to --backend webgpu only");
      return { values: parsed.values, batchSize: positiveInteger(parsed.values.batch, "batch") ?? 64 };
    },
  });
  const backend = values.backend as BackendName;
  const models = values.models.split(",");
  const stock = values.stock;
  let gpu: string | undefined;
  if (backend === "webgpu") {
    const info = await installNodeWebGpu();
    gpu = info.adapter;
    console.error(`profile: WebGPU adapter ${info.adapter}${info.software ? " (software emulation: times are not a GPU's)" : ""}`);
  }
  const stockConfigs = stock ? await stockWebGpuKernels() : [];
  await useBackend(backend);
  for (const config of stockConfigs) {
    unregisterKernel(config.kernelName, "webgpu");
    registerKernel(config);
  }
  const profiles: StepProfile[] = [];
  for (const rowId of models) {
    console.error(`profile: ${rowId} on ${backend}, batch ${batchSize}…`);
    const p = await profileStep(rowId, backend, batchSize, stock ? "stock" : "project");
    profiles.push(p);
    console.log(
      `\n${p.model} on ${p.backend} (${p.kernelSet} kernels), batch ${p.batchSize}: ${p.kernelMs.toFixed(1)} ms kernel time in ${p.dispatches} kernels, ${p.wallMs.toFixed(0)} ms wall (profiled)`,
    );
    for (const k of p.kernels.slice(0, 12)) {
      console.log(`  ${k.name.padEnd(30)} ${k.ms.toFixed(2).padStart(10)} ms ${(k.share * 100).toFixed(1).padStart(6)}%  ${String(k.calls).padStart(4)} calls`);
    }
  }
  const json = values.json;
  if (json) {
    await writeFileAtomic(json, `${JSON.stringify({ createdAt: new Date().toISOString(), tfjsVersion: tf.version.tfjs, gpu, profiles }, null, 2)}\n`);
    console.log(`\nprofiles written to ${json}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`profile-step: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

/**
 * npm run bench [-- --json FILE] [--backends wasm,cpu,webgpu] [--quick] [--profile]
 *
 * 'webgpu' runs Dawn in Node through the optional npm package `webgpu` (scripts/lib/node-webgpu.ts):
 * on a Vulkan GPU driver, or on SwiftShader when VK_ICD_FILENAMES names its ICD (docs/gpu.md).
 * Measures, per backend: training images/s (the project's own `train` loop, batch 64, Adam) and
 * inference images/s for the 32-64-3-64 CNN and the 3x64 ResNet, and the dataset's parse time.
 * Prints a table and, with --json, writes { cases: [{ model, backend, phase, imagesPerSecond, ... }] };
 * training cases also carry cpuSeconds and imagesPerCpuSecond (process CPU time, all threads).
 * Other parts of the project add their cases through `scripts/bench/*.ts` modules.
 *
 * --profile: instead, per backend and model, training steps of `train()` (batch 64) under
 * tf.profile, for the fast step and for tfjs's stock trainOnBatch: step time, tfjs kernels per
 * step and the top 10 kernels by time. Cases have phase "train-step-profile" and the fields
 * `kernelsPerStep`, `kernelMs` ({ kernel name: ms per step, the median over `profiledSteps`
 * profiled steps }, top 10), `kernelCounts` ({ kernel name: calls per step }, all), `step`
 * ("graph" | "tape" | "stock") and `milliseconds` (the mean of `timedSteps` unprofiled steps):
 * 15 of each on wasm and webgpu (3 with --quick). The pure-JS cpu backend profiles one step, the
 * ResNet at batch 8 (kernel counts do not depend on the batch size), and leaves its step time out.
 */
import os from "node:os";
import { existsSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { PIXELS, type ImageSet } from "../src/lib/data/splits.ts";
import { predictSet } from "../src/lib/model/metrics.ts";
import { buildModel } from "../src/lib/model/builders.ts";
import { createRng } from "../src/lib/data/random.ts";
import { configFromRowId } from "../src/lib/study/study.ts";
import { train } from "../src/lib/model/train.ts";
import { profileTrainStep } from "../src/lib/model/step-profile.ts";
import { positiveInteger, readCommandLine } from "./lib/cli.ts";
import { writeFileAtomic } from "./lib/atomic-write.ts";
import { readPreparedDataset } from "./lib/read-prepared.ts";
import { installNodeWebGpu, type NodeWebGpuInfo } from "./lib/node-webgpu.ts";
import { registerThreadedWasm } from "./lib/wasm-threads.ts";
import { processCpuSeconds } from "./lib/node-env.ts";
import type { BackendName } from "../src/lib/backends/use-backend.ts";

/** One measured case of the benchmark report. */
export interface BenchCase {
  model: string;
  backend: string;
  phase: string;
  imagesPerSecond?: number;
  /** Milliseconds, for latency-type cases. */
  milliseconds?: number;
  images?: number;
  seconds?: number;
  note?: string;
  [extra: string]: unknown;
}

const USAGE = `Usage: npm run bench [-- options]

Training and inference images/s per backend for the study's CNN and ResNet, the dataset's parse
time, and the cases of the bench modules in scripts/bench/ (gradcam, rerun-worker).

Options:
  --json FILE         also write the report as JSON
  --backends LIST     comma-separated tfjs backends (default wasm,cpu); webgpu needs the optional
                      npm package 'webgpu' (Dawn) and a Vulkan driver: a GPU's, or SwiftShader
                      for numerics only (VK_ICD_FILENAMES=...vk_swiftshader_icd.json; docs/gpu.md)
  --quick             shorter measurements
  --only NAME         after the core cases, run only this scripts/bench/ module (gradcam,
                      rerun-worker; core: none)
  --profile           per backend and model: a training step's time, tfjs kernels per step and
                      the 10 slowest kernels (cases with kernelsPerStep, kernelMs), fast and stock
  --wasm-threads N    XNNPACK threads of the wasm backend (default 1, tfjs's own Node backend;
                      N >= 2 loads tfjs-backend-wasm's threaded build, scripts/lib/wasm-threads.ts);
                      wasm cases then carry wasmThreads
  --help, -h          print this text`;

const MODELS = ["cnn-32-64-3-64", "resnet-3x64"];

function randomSet(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(rng() * 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count };
}

/** Images for a training measurement that lasts about `seconds` given a rough speed guess. */
function sizeFor(guessImagesPerSecond: number, seconds: number, batch: number): number {
  // At least 3 warm-up batches and 5 measured ones, whatever the guess.
  return Math.max(batch * 8, Math.ceil((guessImagesPerSecond * seconds) / batch) * batch);
}

async function benchTrain(rowId: string, backend: string, images: number, warmupBatches: number): Promise<BenchCase> {
  const model = buildModel(configFromRowId(rowId), 1);
  const set = randomSet(images, 7);
  const times: { t: number; n: number; cpu: number }[] = [];
  const before = tf.memory().numTensors;
  const cpuSeconds = processCpuSeconds;
  await train(
    model,
    { train: set },
    {
      epochs: 1,
      batchSize: 64,
      learningRate: 0.001,
      seed: 1,
      onBatch: () => void times.push({ t: performance.now(), n: 64, cpu: cpuSeconds() }),
    },
  );
  const leaked = tf.memory().numTensors - before;
  model.dispose();
  const measured = times.slice(warmupBatches);
  const seconds = (measured[measured.length - 1].t - measured[0].t) / 1000;
  const counted = (measured.length - 1) * 64;
  // Process CPU time (all threads) over the same batches: other processes on a shared machine
  // stretch the wall time but barely change this.
  const cpu = measured[measured.length - 1].cpu - measured[0].cpu;
  return {
    model: rowId,
    backend,
    phase: "train",
    imagesPerSecond: round(counted / seconds),
    images: counted,
    seconds: round(seconds),
    batchSize: 64,
    leakedTensors: leaked,
    cpuSeconds: round(cpu),
    imagesPerCpuSecond: round(counted / cpu),
  };
}

async function benchInfer(rowId: string, backend: string, images: number): Promise<BenchCase> {
  const model = buildModel(configFromRowId(rowId), 1);
  const set = randomSet(images, 8);
  await predictSet(model, { ...set, count: Math.min(500, images) }, 500); // warm-up
  const t0 = performance.now();
  await predictSet(model, set, 500);
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  return { model: rowId, backend, phase: "inference", imagesPerSecond: round(images / seconds), images, seconds: round(seconds), batchSize: 500 };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Kernel-level profile cases of one backend (see --profile in the header). */
async function benchProfile(backend: string, quick: boolean): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  for (const rowId of MODELS) {
    const slowCpu = backend === "cpu" && rowId.startsWith("resnet");
    for (const mode of ["fast", "stock"] as const) {
      console.error(`bench: ${rowId} ${mode} step profile on ${backend}…`);
      const model = buildModel(configFromRowId(rowId), 1);
      const batchSize = slowCpu ? 8 : 64;
      const before = tf.memory().numTensors;
      const steps = backend === "cpu" ? 1 : quick ? 3 : 15;
      const p = await profileTrainStep(model, { batchSize, mode, profiledSteps: steps, timedSteps: slowCpu ? 0 : steps });
      model.dispose();
      const top = p.kernels.slice(0, 10);
      cases.push({
        model: rowId,
        backend,
        phase: "train-step-profile",
        step: p.kind,
        batchSize,
        kernelsPerStep: p.kernelsPerStep,
        ...(p.stepMs !== null ? { milliseconds: round(p.stepMs), imagesPerSecond: round((batchSize / p.stepMs) * 1000) } : {}),
        kernelMs: Object.fromEntries(top.map((k) => [k.name, round(k.ms)])),
        kernelCounts: Object.fromEntries(p.kernels.map((k) => [k.name, k.count])),
        leakedTensors: tf.memory().numTensors - before,
        profiledSteps: steps,
        timedSteps: slowCpu ? 0 : steps,
        note: `${p.kind} step, ${p.kernelsPerStep} kernels/step${slowCpu ? "; batch 8, step time not measured on cpu" : ""}`,
      });
    }
  }
  return cases;
}

/** Rough training images/s on WebGPU, to size a measurement (a hardware GPU, or SwiftShader). */
function guessWebGpu(resnet: boolean, gpu: NodeWebGpuInfo | undefined): number {
  if (gpu?.software) return resnet ? 1 : 8;
  return resnet ? 300 : 2500;
}

function printProfiles(cases: BenchCase[]): void {
  for (const c of cases) {
    if (c.phase !== "train-step-profile") continue;
    const ms = typeof c.milliseconds === "number" ? `${c.milliseconds.toFixed(1)} ms/step` : "step time not measured";
    console.log(`\n${c.model} on ${c.backend}, ${String(c.step)} step (batch ${String(c.batchSize)}): ${String(c.kernelsPerStep)} kernels/step, ${ms}`);
    const counts = c.kernelCounts as Record<string, number>;
    for (const [name, kms] of Object.entries(c.kernelMs as Record<string, number>)) {
      console.log(
        `  ${name.padEnd(24)} ${String(counts[name]).padStart(4)} calls  ${kms.toFixed(2).padStart(9)} ms  ${(kms / counts[name]).toFixed(3).padStart(8)} ms/call`,
      );
    }
  }
}

async function main(): Promise<void> {
  const { values, wasmThreads } = readCommandLine({
    usage: USAGE,
    options: {
      json: { type: "string" },
      backends: { type: "string", default: "wasm,cpu" },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      profile: { type: "boolean", default: false },
      "wasm-threads": { type: "string", default: "1" },
    },
    interpret: (parsed) => ({ ...parsed, wasmThreads: positiveInteger(parsed.values["wasm-threads"], "wasm-threads") ?? 1 }),
  });
  const profile = values.profile;
  const quick = values.quick;
  const backends = values.backends.split(",");
  const cases: BenchCase[] = [];
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
  const loadBefore = load();

  let gpu: NodeWebGpuInfo | undefined;
  /** Start a backend; WebGPU first gets Node's navigator.gpu (Dawn). */
  const start = async (backend: string) => {
    if (backend === "webgpu" && !gpu) {
      gpu = await installNodeWebGpu();
      console.error(`bench: WebGPU adapter ${gpu.adapter}${gpu.software ? " (software emulation: speeds are not meaningful)" : ""}`);
    }
    if (backend === "wasm" && wasmThreads > 1) registerThreadedWasm(wasmThreads);
    await useBackend(backend as BackendName);
  };

  const dataDir = "public/data/fashion-mnist";
  if (profile) {
    for (const backend of backends) {
      await start(backend);
      cases.push(...(await benchProfile(backend, quick)));
    }
  } else if (existsSync(`${dataDir}/manifest.json`)) {
    const t0 = performance.now();
    const data = await readPreparedDataset(dataDir);
    const ms = performance.now() - t0;
    cases.push({
      model: "dataset",
      backend: "none",
      phase: "parse",
      milliseconds: round(ms),
      images: data.train.count + data.test.count,
      imagesPerSecond: round(((data.train.count + data.test.count) / ms) * 1000),
      note: "read + gunzip + SHA-256 + IDX parse of the prepared files",
    });
  } else {
    cases.push({ model: "dataset", backend: "none", phase: "parse", note: "skipped: run `npm run data` first" });
  }

  for (const backend of profile ? [] : backends) {
    await start(backend);
    for (const rowId of MODELS) {
      const resnet = rowId.startsWith("resnet");
      if (backend === "cpu" && resnet) {
        cases.push({ model: rowId, backend, phase: "train", note: "skipped: the pure-JS cpu backend needs minutes per batch for this model" });
      } else {
        const guess = backend === "cpu" ? 2 : backend === "webgpu" ? guessWebGpu(resnet, gpu) : resnet ? 45 : 420;
        const images = backend === "cpu" ? 64 * 3 : sizeFor(guess, quick ? 3 : 12, 64);
        const warmup = backend === "cpu" ? 1 : 3;
        console.error(`bench: ${rowId} train on ${backend} (${images} images)…`);
        cases.push({ ...(await benchTrain(rowId, backend, images, warmup)), ...(backend === "webgpu" && gpu ? { gpu: gpu.adapter } : {}) });
      }
      const inferImages = backend === "cpu" || (backend === "webgpu" && gpu?.software) ? (resnet ? 50 : 500) : quick ? 1000 : resnet ? 2000 : 5000;
      console.error(`bench: ${rowId} inference on ${backend} (${inferImages} images)…`);
      cases.push({ ...(await benchInfer(rowId, backend, inferImages)), ...(backend === "webgpu" && gpu ? { gpu: gpu.adapter } : {}) });
    }
  }

  // Cases contributed by later parts of the project (Grad-CAM, worker overhead, site bytes).
  const extras = profile ? [] : await loadExtraBenches();
  for (const extra of extras) {
    if (values.only !== undefined && values.only !== extra.name) continue;
    console.error(`bench: ${extra.name}…`);
    cases.push(...(await extra.run({ backends, quick })));
  }

  if (wasmThreads > 1) for (const c of cases) if (c.backend === "wasm") c.wasmThreads = wasmThreads;
  const report = {
    createdAt: new Date().toISOString(),
    machine: {
      ...(gpu ? { gpu: gpu.adapter } : {}),
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      platform: `${os.platform()} ${os.arch()}`,
      node: process.version,
      loadAverageBefore: loadBefore,
      loadAverageAfter: load(),
    },
    tfjsVersion: tf.version.tfjs,
    cases,
  };
  printTable(cases);
  printProfiles(cases);
  console.log(`load average (1/5/15 min): before ${loadBefore}, after ${report.machine.loadAverageAfter}; ${report.machine.cores} cores`);
  const json = values.json;
  if (json) {
    await writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`report written to ${json}`);
  }
}

/** A bench module under scripts/bench/ exports `name` and `run(options) => BenchCase[]`. */
interface ExtraBench {
  name: string;
  run: (options: { backends: string[]; quick: boolean }) => Promise<BenchCase[]>;
}

/**
 * The bench modules of scripts/bench/, by file name. Named, not found by listing the folder: its other
 * scripts (kernels.ts, profile-step.ts) are command-line tools that read process.argv when imported.
 */
const EXTRA_BENCHES = ["gradcam", "rerun-worker"];

async function loadExtraBenches(): Promise<ExtraBench[]> {
  const mods: ExtraBench[] = [];
  for (const name of EXTRA_BENCHES) mods.push((await import(new URL(`./bench/${name}.ts`, import.meta.url).href)) as ExtraBench);
  return mods;
}

function printTable(cases: BenchCase[]): void {
  const rows = cases.map((c) => [
    c.model,
    c.backend,
    c.phase,
    c.imagesPerSecond !== undefined ? c.imagesPerSecond.toFixed(1) : "",
    c.milliseconds !== undefined ? c.milliseconds.toFixed(1) : "",
    c.note ?? "",
  ]);
  const head = ["model", "backend", "phase", "images/s", "ms", "note"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => (i === 3 || i === 4 ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

// Exits explicitly: the threads of a threaded wasm backend (--wasm-threads) would keep Node running.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

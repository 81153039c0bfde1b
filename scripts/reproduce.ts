/**
 * npm run reproduce -- <row-id>... [options]
 *
 * Trains tuning-table rows in Node with the study's protocol and writes one run record per finished
 * run to public/data/runs/<row-id>.<preset>.json (the site publishes them as "reproduced").
 * Each run is written as soon as it finishes, atomically, so an interrupted invocation (Ctrl-C)
 * loses no finished run.
 */
import { mkdir, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { modelToFiles } from "../src/lib/model/model-io.ts";
import { runRow } from "../src/lib/model/run-row.ts";
import { cnnGrid, configFromRowId, PROTOCOL_PRESETS, resnetGrid, rowId } from "../src/lib/study/study.ts";
import { runRecordSchema, type Protocol } from "../src/lib/study/schema.ts";
import { intFlag, numberFlag, parseArgs, stringFlag } from "./lib/args.ts";
import { formatDuration } from "../src/lib/site.ts";
import { nodeEnvironment, writeFileAtomic } from "./lib/node-env.ts";
import { installNodeWebGpu } from "./lib/node-webgpu.ts";
import { readPreparedDataset } from "./lib/read-prepared.ts";

const USAGE = `Usage: npm run reproduce -- <row-id>... [options]

Row ids: cnn-<conv1>-<conv2>-<kernel>-<dense> (e.g. cnn-32-64-3-64), resnet-<blocks>x<filters>
(e.g. resnet-3x64), or "all-cnn" / "all-resnet" for a whole grid.

Options:
  --preset full|quick|smoke   protocol preset (default full: 54,000 train images, 10 epochs)
  --epochs N                  cap the number of epochs
  --train-images N            cap the training images (a seeded subset)
  --val-images N              cap the validation images
  --test-images N             cap the test images
  --seed N                    weight/batch seed (default from the protocol)
  --backend wasm|cpu|webgpu   tfjs backend (default wasm, with this project's gradient kernels);
                              webgpu runs Dawn through the optional npm package 'webgpu' (a Vulkan
                              GPU driver, or SwiftShader: see docs/gpu.md) with this project's kernels
  --save-model                also write tfjs weights to public/data/models/<row-id>/
  --no-train-metrics          skip the evaluation on the training split
  --data DIR                  prepared data folder (default public/data/fashion-mnist)
  --out DIR                   run records folder (default public/data/runs)
  --help`;

function expandIds(ids: string[]): string[] {
  return ids.flatMap((id) =>
    id === "all-cnn" ? cnnGrid().map(rowId) : id === "all-resnet" ? resnetGrid().map(rowId) : [rowId(configFromRowId(id))],
  );
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
    booleans: ["save-model", "no-train-metrics", "help"],
    values: ["preset", "epochs", "train-images", "val-images", "test-images", "seed", "backend", "data", "out", "learning-rate", "batch-size"],
  });
  if (args.flags.has("help") || args.positionals.length === 0) {
    console.log(USAGE);
    return args.flags.has("help") ? 0 : 2;
  }
  const ids = expandIds(args.positionals);
  const presetName = stringFlag(args, "preset") ?? "full";
  if (!(presetName in PROTOCOL_PRESETS)) throw new Error(`--preset must be full, quick or smoke, got ${presetName}`);
  const preset = PROTOCOL_PRESETS[presetName as keyof typeof PROTOCOL_PRESETS];
  const overrides: Partial<Protocol> = {};
  const epochs = intFlag(args, "epochs");
  const trainImages = intFlag(args, "train-images");
  const valImages = intFlag(args, "val-images");
  const testImages = intFlag(args, "test-images");
  const seed = intFlag(args, "seed");
  const lr = numberFlag(args, "learning-rate");
  const batch = intFlag(args, "batch-size");
  if (epochs !== undefined) overrides.epochs = Math.min(epochs, preset.epochs);
  if (trainImages !== undefined) overrides.trainImages = Math.min(trainImages, preset.trainImages);
  if (valImages !== undefined) overrides.validationImages = Math.min(valImages, preset.validationImages);
  if (testImages !== undefined) overrides.testImages = Math.min(testImages, preset.testImages);
  if (seed !== undefined) overrides.seed = seed;
  if (lr !== undefined) overrides.learningRate = lr;
  if (batch !== undefined) overrides.batchSize = batch;
  const customised = Object.entries(overrides).some(([k, v]) => preset[k as keyof Protocol] !== v);
  const protocol: Protocol = { ...preset, ...overrides, name: customised ? "custom" : preset.name };

  const outDir = resolve(stringFlag(args, "out") ?? "public/data/runs");
  const modelsDir = resolve("public/data/models");
  const dataDir = stringFlag(args, "data") ?? "public/data/fashion-mnist";
  const backendName = stringFlag(args, "backend") ?? "wasm";
  if (backendName !== "wasm" && backendName !== "cpu" && backendName !== "webgpu") {
    throw new Error(`--backend must be wasm, cpu or webgpu in Node, got ${backendName}`);
  }

  const gpu = backendName === "webgpu" ? await installNodeWebGpu() : undefined;
  if (gpu) console.log(`WebGPU adapter: ${gpu.adapter}${gpu.software ? " (software: slow)" : ""}`);
  const backend = await useBackend(backendName);
  const t0 = performance.now();
  const { train: trainSet, test: testSet } = await readPreparedDataset(dataDir);
  console.log(
    `data: ${trainSet.count} training + ${testSet.count} test images from ${dataDir} (${((performance.now() - t0) / 1000).toFixed(1)} s); backend ${backend}`,
  );
  console.log(
    `protocol ${protocol.name}: ${protocol.epochs} epochs, batch ${protocol.batchSize}, Adam lr ${protocol.learningRate}, ` +
      `${protocol.trainImages} train / ${protocol.validationImages} val / ${protocol.testImages} test images, seed ${protocol.seed}`,
  );

  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    console.error("\ninterrupted: stopping after the current batch (Ctrl-C again to quit at once)");
    controller.abort();
  });

  const tty = process.stdout.isTTY;
  const written: string[] = [];
  for (const [i, id] of ids.entries()) {
    if (controller.signal.aborted) break;
    const config = configFromRowId(id);
    console.log(`\n[${i + 1}/${ids.length}] ${id}`);
    let lastLogged = -1;
    const { record, model, aborted, epochs: done } = await runRow({
      config,
      protocol,
      trainSet,
      testSet,
      environment: nodeEnvironment(backend, gpu?.adapter),
      source: "pipeline",
      evaluateTrain: !args.flags.has("no-train-metrics"),
      signal: controller.signal,
      onBatch: (p) => {
        const pct = Math.floor(p.fraction * 100);
        const line =
          `  epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batchesPerEpoch}  loss ${p.loss.toFixed(4)}  ` +
          `acc ${(p.accuracy * 100).toFixed(2)}%  ${p.imagesPerSecond.toFixed(0)} img/s  ETA ${p.etaSeconds === null ? "--" : formatDuration(p.etaSeconds)}`;
        if (tty) process.stdout.write(`\r${line}\x1b[K`);
        else if (pct !== lastLogged && pct % 5 === 0) {
          lastLogged = pct;
          console.log(`${line}  (${pct}%)`);
        }
      },
      onEpoch: (r) => {
        if (tty) process.stdout.write("\r\x1b[K");
        console.log(
          `  epoch ${r.epoch}: loss ${r.loss.toFixed(4)} acc ${(r.accuracy * 100).toFixed(2)}%  ` +
            `val loss ${r.valLoss?.toFixed(4)} val acc ${((r.valAccuracy ?? 0) * 100).toFixed(2)}%  ` +
            `${formatDuration(r.seconds)} (${r.imagesPerSecond.toFixed(0)} img/s)`,
        );
      },
      onPhase: (phase) => {
        if (phase.startsWith("evaluate")) console.log(`  ${phase.replace("-", " ")}…`);
      },
    });
    if (aborted || !record) {
      model.dispose();
      console.log(`  ${id} interrupted after ${done.length} finished epoch(s); no record written for it`);
      break;
    }
    runRecordSchema.parse(record);
    if (args.flags.has("save-model")) {
      const files = await modelToFiles(model);
      const dir = join(modelsDir, id);
      const tmp = `${dir}.${process.pid}.tmp`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      await writeFileAtomic(join(tmp, "model.json"), JSON.stringify(files.modelJson));
      await writeFileAtomic(join(tmp, "weights.bin"), files.weights);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      record.modelPath = `models/${id}/model.json`;
      console.log(`  model saved to ${join(dir, "model.json")} (${(files.weights.length / 1024).toFixed(0)} KiB of weights)`);
    }
    model.dispose();
    const file = join(outDir, `${id}.${protocol.name}.json`);
    await writeFileAtomic(file, `${JSON.stringify(record, null, 1)}\n`);
    written.push(file);
    const m = record.metrics;
    console.log(
      `  done in ${formatDuration(record.wallTimeSeconds)}: best epoch ${record.bestEpoch}, ` +
        `val acc ${(m.validation.accuracy * 100).toFixed(2)}%, test acc ${(m.test.accuracy * 100).toFixed(2)}%  -> ${file}`,
    );
  }
  console.log(`\n${written.length} run record(s) written${controller.signal.aborted ? " before the interruption" : ""}.`);
  return controller.signal.aborted ? 130 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`reproduce: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

/**
 * npm run reproduce -- <row-id>... [options]
 *
 * Trains tuning-table rows in Node with the study's protocol and writes one run record per finished
 * run to public/data/runs/<row-id>.<preset>.json (the site publishes them as "reproduced").
 * Each run is written as soon as it finishes, atomically, so an interrupted invocation (Ctrl-C)
 * loses no finished run.
 */
import { join, resolve } from "node:path";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { modelToFiles } from "../src/lib/model/model-io.ts";
import { runRow } from "../src/lib/model/run-row.ts";
import { cnnGrid, configFromRowId, PROTOCOL_PRESETS, resnetGrid, rowId } from "../src/lib/study/study.ts";
import { runRecordSchema, type Protocol } from "../src/lib/study/schema.ts";
import { formatDuration } from "../src/lib/site.ts";
import { removeStaleTemporaries, writeFileAtomic, writeFolderAtomic } from "./lib/atomic-write.ts";
import { nodeEnvironment } from "./lib/node-env.ts";
import { readPreparedDataset } from "./lib/read-prepared.ts";
import { positiveInteger, positiveNumber, readCommandLine, UsageError } from "./lib/cli.ts";

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
  --learning-rate X           Adam learning rate (default from the protocol)
  --batch-size N              batch size (default from the protocol)
  --backend wasm|cpu          tfjs backend (default wasm, with this project's gradient kernels)
  --save-model                also write tfjs weights to public/data/models/<row-id>/
  --no-train-metrics          skip the evaluation on the training split
  --data DIR                  prepared data folder (default public/data/fashion-mnist)
  --out DIR                   run records folder (default public/data/runs)
  --help, -h                  print this text`;

function expandIds(ids: string[]): string[] {
  return ids.flatMap((id) =>
    id === "all-cnn" ? cnnGrid().map(rowId) : id === "all-resnet" ? resnetGrid().map(rowId) : [rowId(configFromRowId(id))],
  );
}

async function main(): Promise<number> {
  const { values, positionals, overrides } = readCommandLine({
    usage: USAGE,
    allowPositionals: true,
    options: {
      preset: { type: "string", default: "full" },
      epochs: { type: "string" },
      "train-images": { type: "string" },
      "val-images": { type: "string" },
      "test-images": { type: "string" },
      seed: { type: "string" },
      "learning-rate": { type: "string" },
      "batch-size": { type: "string" },
      backend: { type: "string", default: "wasm" },
      "save-model": { type: "boolean", default: false },
      "no-train-metrics": { type: "boolean", default: false },
      data: { type: "string", default: "public/data/fashion-mnist" },
      out: { type: "string", default: "public/data/runs" },
    },
    interpret: ({ values, positionals }) => {
      if (positionals.length === 0) throw new UsageError("no row id given");
      if (!(values.preset in PROTOCOL_PRESETS)) throw new UsageError(`--preset must be full, quick or smoke, got ${values.preset}`);
      if (values.backend !== "wasm" && values.backend !== "cpu") throw new UsageError(`--backend must be wasm or cpu in Node, got ${values.backend}`);
      const overrides = {
        epochs: positiveInteger(values.epochs, "epochs"),
        trainImages: positiveInteger(values["train-images"], "train-images"),
        validationImages: positiveInteger(values["val-images"], "val-images"),
        testImages: positiveInteger(values["test-images"], "test-images"),
        seed: positiveInteger(values.seed, "seed"),
        learningRate: positiveNumber(values["learning-rate"], "learning-rate"),
        batchSize: positiveInteger(values["batch-size"], "batch-size"),
      };
      return { values, positionals, overrides };
    },
  });
  const ids = expandIds(positionals);
  const preset = PROTOCOL_PRESETS[values.preset as keyof typeof PROTOCOL_PRESETS];
  const changes: Partial<Protocol> = {};
  // Sizes and epochs only cap the preset; the seed and optimiser settings replace it.
  const { epochs, trainImages, validationImages, testImages, seed, learningRate, batchSize } = overrides;
  if (epochs !== undefined) changes.epochs = Math.min(epochs, preset.epochs);
  if (trainImages !== undefined) changes.trainImages = Math.min(trainImages, preset.trainImages);
  if (validationImages !== undefined) changes.validationImages = Math.min(validationImages, preset.validationImages);
  if (testImages !== undefined) changes.testImages = Math.min(testImages, preset.testImages);
  if (seed !== undefined) changes.seed = seed;
  if (learningRate !== undefined) changes.learningRate = learningRate;
  if (batchSize !== undefined) changes.batchSize = batchSize;
  const customised = Object.entries(changes).some(([k, v]) => preset[k as keyof Protocol] !== v);
  const protocol: Protocol = { ...preset, ...changes, name: customised ? "custom" : preset.name };

  const outDir = resolve(values.out);
  const modelsDir = resolve("public/data/models");
  const dataDir = values.data;
  const backendName = values.backend as "wasm" | "cpu";

  // Left by an earlier run that was killed while writing.
  await removeStaleTemporaries(outDir);
  await removeStaleTemporaries(modelsDir);
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
      environment: nodeEnvironment(backend),
      source: "pipeline",
      evaluateTrain: !values["no-train-metrics"],
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
    if (values["save-model"]) {
      const files = await modelToFiles(model);
      const dir = join(modelsDir, id);
      await writeFolderAtomic(dir, { "model.json": JSON.stringify(files.modelJson), "weights.bin": files.weights });
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

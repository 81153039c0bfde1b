/**
 * npm run reproduce -- <row-id>... [options]
 *
 * Trains tuning-table rows in Node with the study's protocol and writes one run record per finished
 * run to public/data/runs/<row-id>.<preset>.json (<row-id>.<preset>.seed-<n>.json for seeds other
 * than the default; the site publishes them as "reproduced"). Each run is written as soon as it
 * finishes, atomically, so an interrupted invocation (Ctrl-C) loses no finished run; runs whose
 * record exists are skipped (--force reruns them), an unfinished run resumes from the checkpoint
 * of its last finished epoch, and --jobs N runs N rows at once in child processes. --plan trains
 * nothing: it prints, as JSON, the runs whose record is missing, with an estimate of each one's minutes.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { PROTOCOL_PRESETS } from "../src/lib/study/study.ts";
import type { Protocol } from "../src/lib/study/schema.ts";
import { formatDuration, formatPercent } from "../src/lib/format.ts";
import { removeStaleTemporaries } from "./lib/atomic-write.ts";
import { positiveInteger, positiveNumber, readCommandLine, UsageError } from "./lib/cli.ts";
import { nodeEnvironment } from "./lib/node-env.ts";
import { installNodeWebGpu } from "./lib/node-webgpu.ts";
import { registerThreadedWasm } from "./lib/wasm-threads.ts";
import { readPreparedDataset } from "./lib/read-prepared.ts";
import { readRuns, runsDirectory } from "./lib/read-runs.ts";
import { createEstimator } from "./lib/run-estimate.ts";
import {
  buildPlan,
  childArguments,
  DEFAULT_CHECKPOINT_DIR,
  existingRecord,
  expandRowIds,
  forwardedOptions,
  parseSeedList,
  planRuns,
  type ReproduceTask,
} from "./lib/reproduce-plan.ts";
import { runTask } from "./lib/reproduce-run.ts";
import { CHILD_ENV, runJobs } from "./lib/run-jobs.ts";

const USAGE = `Usage: npm run reproduce -- <row-id>... [options]

Row ids: cnn-<conv1>-<conv2>-<kernel>-<dense> (e.g. cnn-32-64-3-64), resnet-<blocks>x<filters>
(e.g. resnet-3x64), or "all-cnn" / "all-resnet" / "all" for a whole grid or both.
Ablation rows (Methodology, "Ablations"): a -b<N> suffix trains a row with batch size N instead of
the protocol's (cnn-32-64-3-64-b32; records <row>-b32.custom.json, protocol "custom"), and
resnet-<blocks>x<filters>-nopool drops the stem's max pool; "all-ablations" runs all of them.

Runs whose record exists are skipped; an interrupted run resumes from its last finished epoch.

Options:
  --preset full|quick|smoke   protocol preset (default full: 54,000 train images, 10 epochs)
  --epochs N                  cap the number of epochs
  --train-images N            cap the training images (a seeded subset)
  --val-images N              cap the validation images
  --test-images N             cap the test images
  --seeds 1,2,3               weight/batch seeds, one run (and record) each (default 1, the
                              protocol's); records of seeds other than 1 are <row>.<preset>.seed-<n>.json
  --seed N                    the same as --seeds N
  --jobs N                    run up to N runs at once, each in its own process (default 1)
  --wasm-threads N            XNNPACK threads per process on wasm (default 1, tfjs's own Node wasm
                              backend; N >= 2 loads its threaded build, scripts/lib/wasm-threads.ts:
                              only on otherwise idle cores, N x --jobs at most the cores)
  --force                     rerun and overwrite runs whose record exists
  --checkpoints DIR           per-epoch checkpoints of unfinished runs (default ${DEFAULT_CHECKPOINT_DIR})
  --backend wasm|cpu|webgpu   tfjs backend (default wasm, with this project's gradient kernels);
                              webgpu runs Dawn through the optional npm package 'webgpu' (a Vulkan
                              GPU driver, or SwiftShader: see docs/gpu.md) with this project's kernels
  --plan                      train nothing: print as JSON the runs whose record is missing (each
                              with its row, seed, preset, record file, reproduce arguments and an
                              estimate of its minutes on --backend / --wasm-threads, based on the
                              records in --out and public/data/runs), for a scheduler to fan out
                              (.github/workflows/reproduce.yml; docs/reproduce.md)
  --save-model                also write tfjs weights to public/data/models/<row-id>/ (<row-id>.seed-<n>/)
  --no-train-metrics          skip the evaluation on the training split
  --data DIR                  prepared data folder (default public/data/fashion-mnist)
  --out DIR                   run records folder (default public/data/runs)
  --help, -h                  print this text`;

/** Options that take a value (forwarded to child processes under --jobs). */
const VALUE_OPTIONS = [
  "preset",
  "epochs",
  "train-images",
  "val-images",
  "test-images",
  "seed",
  "seeds",
  "jobs",
  "checkpoints",
  "backend",
  "data",
  "out",
  "learning-rate",
  "batch-size",
  "wasm-threads",
];

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { values, positionals, overrides, seeds, jobs, wasmThreads } = readCommandLine(
    {
      usage: USAGE,
      allowPositionals: true,
      options: {
        preset: { type: "string", default: "full" },
        epochs: { type: "string" },
        "train-images": { type: "string" },
        "val-images": { type: "string" },
        "test-images": { type: "string" },
        seed: { type: "string" },
        seeds: { type: "string" },
        jobs: { type: "string" },
        "wasm-threads": { type: "string" },
        checkpoints: { type: "string", default: DEFAULT_CHECKPOINT_DIR },
        force: { type: "boolean", default: false },
        "learning-rate": { type: "string" },
        "batch-size": { type: "string" },
        backend: { type: "string", default: "wasm" },
        "save-model": { type: "boolean", default: false },
        plan: { type: "boolean", default: false },
        "no-train-metrics": { type: "boolean", default: false },
        data: { type: "string", default: "public/data/fashion-mnist" },
        out: { type: "string", default: "public/data/runs" },
      },
      interpret: ({ values, positionals }) => {
        if (positionals.length === 0) throw new UsageError("no row id given");
        if (!(values.preset in PROTOCOL_PRESETS)) throw new UsageError(`--preset must be full, quick or smoke, got ${values.preset}`);
        if (values.backend !== "wasm" && values.backend !== "cpu" && values.backend !== "webgpu")
          throw new UsageError(`--backend must be wasm, cpu or webgpu in Node, got ${values.backend}`);
        if (values.seed !== undefined && values.seeds !== undefined) throw new UsageError("give either --seed or --seeds, not both");
        const batchRow = positionals.find((id) => /-b\d+$/.test(id));
        if (values["batch-size"] !== undefined && batchRow !== undefined)
          throw new UsageError(`${batchRow} sets its own batch size (-b<N>); leave out --batch-size`);
        const seedText = values.seeds ?? values.seed;
        let seeds: number[] | undefined;
        try {
          seeds = seedText === undefined ? undefined : parseSeedList(seedText, values.seed !== undefined ? "--seed" : "--seeds");
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        const overrides = {
          epochs: positiveInteger(values.epochs, "epochs"),
          trainImages: positiveInteger(values["train-images"], "train-images"),
          validationImages: positiveInteger(values["val-images"], "val-images"),
          testImages: positiveInteger(values["test-images"], "test-images"),
          learningRate: positiveNumber(values["learning-rate"], "learning-rate"),
          batchSize: positiveInteger(values["batch-size"], "batch-size"),
        };
        const jobs = positiveInteger(values.jobs, "jobs") ?? 1;
        const wasmThreads = positiveInteger(values["wasm-threads"], "wasm-threads") ?? 1;
        const cores = availableParallelism();
        // A plan is for other machines: it may name more threads than this one has.
        if (!values.plan && wasmThreads * jobs > cores)
          throw new UsageError(`--wasm-threads ${wasmThreads} x --jobs ${jobs} is more threads than this machine's ${cores} cores`);
        return { values, positionals, overrides, seeds, jobs, wasmThreads };
      },
    },
    argv,
  );
  const ids = expandRowIds(positionals);
  const preset = PROTOCOL_PRESETS[values.preset as keyof typeof PROTOCOL_PRESETS];
  const changes: Partial<Protocol> = {};
  // Sizes and epochs only cap the preset; the optimiser settings replace it.
  const { epochs, trainImages, validationImages, testImages, learningRate, batchSize } = overrides;
  if (epochs !== undefined) changes.epochs = Math.min(epochs, preset.epochs);
  if (trainImages !== undefined) changes.trainImages = Math.min(trainImages, preset.trainImages);
  if (validationImages !== undefined) changes.validationImages = Math.min(validationImages, preset.validationImages);
  if (testImages !== undefined) changes.testImages = Math.min(testImages, preset.testImages);
  if (learningRate !== undefined) changes.learningRate = learningRate;
  if (batchSize !== undefined) changes.batchSize = batchSize;
  // The seed is not a change of protocol: seeds of the full protocol are all full-protocol runs.
  const customised = Object.entries(changes).some(([k, v]) => preset[k as keyof Protocol] !== v);
  const protocol: Protocol = { ...preset, ...changes, name: customised ? "custom" : preset.name };
  const runSeeds = seeds ?? [protocol.seed];

  const outDir = resolve(values.out);
  const checkpointDir = resolve(values.checkpoints);
  const dataDir = values.data;
  const backendName = values.backend as "wasm" | "cpu" | "webgpu";
  const planned = planRuns(ids, runSeeds, protocol, outDir, checkpointDir);

  if (values.plan) {
    // Timings come from the records being planned against and the published ones (when --out is elsewhere).
    const timingDirs = [...new Set([outDir, runsDirectory()])];
    const estimate = createEstimator(
      timingDirs.flatMap((dir) => readRuns(dir, { skipInvalid: true })),
      { backend: backendName, wasmThreads, evaluateTrain: !values["no-train-metrics"] },
    );
    const forwarded = forwardedOptions(argv, VALUE_OPTIONS, ["seed", "seeds", "jobs", "plan"]);
    const plan = buildPlan(planned, { preset: values.preset, protocol, seeds: runSeeds, force: values.force, forwarded, estimate });
    console.log(JSON.stringify(plan, null, 1));
    return 0;
  }

  // Left by an earlier run that was killed while writing.
  await removeStaleTemporaries(outDir);
  await removeStaleTemporaries(resolve("public/data/models"));

  const tasks: ReproduceTask[] = [];
  for (const task of planned) {
    const existing = existingRecord(task);
    if (existing.kind === "none" || values.force) tasks.push(task);
    else if (existing.kind === "same") console.log(`skip ${task.label}: ${task.recordPath} exists (--force to rerun)`);
    else if (existing.kind === "different")
      console.log(`skip ${task.label}: ${task.recordPath} exists with another protocol (${existing.difference}); --force replaces it`);
    else throw new Error(`${existing.message}\n(fix or delete it, or pass --force to overwrite it)`);
  }
  console.log(
    `protocol ${protocol.name}: ${protocol.epochs} epochs, batch ${protocol.batchSize}, Adam lr ${protocol.learningRate}, ` +
      `${protocol.trainImages} train / ${protocol.validationImages} val / ${protocol.testImages} test images, ` +
      `seed${runSeeds.length > 1 ? "s" : ""} ${runSeeds.join(", ")}; ${tasks.length} of ${planned.length} run(s) to do`,
  );
  if (tasks.length === 0) return 0;

  if (jobs > 1 && tasks.length > 1) {
    // Each child gets its share of the cores, decided here where the number of jobs is known.
    const forwarded = [...forwardedOptions(argv, VALUE_OPTIONS, ["seed", "seeds", "jobs", "wasm-threads"]), "--wasm-threads", String(wasmThreads)];
    const script = fileURLToPath(import.meta.url);
    const { results, interrupted } = await runJobs(tasks, jobs, script, (task) => childArguments(task, forwarded));
    const written = results.filter((r) => r.code === 0).length;
    const failed = results.filter((r) => r.code !== 0 && r.code !== 130);
    console.log(`\n${written} of ${tasks.length} run(s) finished${interrupted ? " before the interruption" : ""}.`);
    for (const f of failed) console.log(`  failed: ${f.task.label} (${f.signal ?? `exit code ${f.code}`})`);
    return failed.length ? 1 : interrupted ? 130 : 0;
  }

  const gpu = backendName === "webgpu" ? await installNodeWebGpu() : undefined;
  if (gpu) console.log(`WebGPU adapter: ${gpu.adapter}${gpu.software ? " (software: slow)" : ""}`);
  if (backendName === "wasm" && wasmThreads > 1) registerThreadedWasm(wasmThreads);
  const backend = await useBackend(backendName);
  const t0 = performance.now();
  const { train: trainSet, test: testSet } = await readPreparedDataset(dataDir);
  console.log(
    `data: ${trainSet.count} training + ${testSet.count} test images from ${dataDir} (${((performance.now() - t0) / 1000).toFixed(1)} s); backend ${backend}` +
      (backend === "wasm" ? ` (${wasmThreads} thread${wasmThreads === 1 ? "" : "s"})` : ""),
  );

  const controller = new AbortController();
  let interrupts = 0;
  const stop = (signal: string) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    console.error(`\n${signal}: stopping after the current batch (its last finished epoch is checkpointed)`);
    controller.abort();
  };
  // Under a parent's --jobs, Ctrl-C reaches the parent, which asks each child with SIGTERM.
  if (process.env[CHILD_ENV]) {
    process.on("SIGINT", () => {});
    process.on("SIGTERM", () => stop("asked to stop"));
  } else process.on("SIGINT", () => stop("interrupted (Ctrl-C again to quit at once)"));
  const crashAfter = Number(process.env.REPRODUCE_TEST_EXIT_AFTER_EPOCH) || undefined;
  // Test hook (tests/scripts/reproduce.test.ts): wait after this epoch's checkpoint until stopped.
  const holdAfter = Number(process.env.REPRODUCE_TEST_HOLD_AFTER_EPOCH) || undefined;

  const written: string[] = [];
  for (const [i, task] of tasks.entries()) {
    if (controller.signal.aborted) break;
    console.log(`\n[${i + 1}/${tasks.length}] ${task.label}`);
    const outcome = await runTask(task, {
      trainSet,
      testSet,
      environment: nodeEnvironment(backend, gpu?.adapter, backend === "wasm" ? wasmThreads : undefined),
      evaluateTrain: !values["no-train-metrics"],
      modelsDir: values["save-model"] ? resolve("public/data/models") : null,
      signal: controller.signal,
      log: (line) => console.log(line),
      tty: Boolean(process.stdout.isTTY),
      exitAfterEpoch: crashAfter,
      holdAfterEpoch: holdAfter,
    });
    if (outcome.kind === "interrupted") {
      console.log(`  ${task.label} interrupted after ${outcome.epochs} finished epoch(s); no record written for it (it resumes next time)`);
      break;
    }
    written.push(task.recordPath);
    const { record } = outcome;
    const m = record.metrics;
    console.log(
      `  done in ${formatDuration(record.wallTimeSeconds)}: best epoch ${record.bestEpoch}, ` +
        `val acc ${formatPercent(m.validation.accuracy)}, test acc ${formatPercent(m.test.accuracy)}  -> ${task.recordPath}`,
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

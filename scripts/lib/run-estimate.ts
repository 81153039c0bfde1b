/**
 * How long a run of `npm run reproduce` will take, estimated from the run records we already have
 * (for `--plan`): a record's training seconds per image (its epochs' `seconds` over the images they
 * trained) and its other seconds per evaluated image (validation after every epoch, the final
 * validation, test and train evaluations, set-up), scaled to the planned run's images, to the
 * planned number of wasm threads, and, for a row without records, from its family's record with the
 * least time per multiply-accumulate, by the models' MACs (src/lib/model/model-cost.ts).
 *
 * Records of this project were made on shared 2-core machines, often beside another training; an
 * idle machine is usually faster. The fastest record of a row is taken, being the least disturbed.
 */
import { forwardMacsPerImage } from "../../src/lib/model/model-cost.ts";
import { cpuTimeIsIdleTime, epochEnvironments, idleEpochSeconds, processorTimeIsIdleTime, type LoadedRun } from "../../src/lib/study/runs.ts";
import type { ModelConfig, Protocol, RunRecord } from "../../src/lib/study/schema.ts";
import { configFromRowId, rowId } from "../../src/lib/study/study.ts";

type Family = ModelConfig["family"];

/**
 * Training images per second of tfjs-backend-wasm on 1 and 2 XNNPACK threads with both cores idle,
 * each the median of five alternating measurements in docs/wasm.md ("Measured", 2026-12-07:
 * today's kernels, 2 threads with their kernel helper thread; 2-core AMD EPYC, batch 64), for the
 * reference row of each family; inference likewise.
 */
export const WASM_BENCHMARK = {
  cnn: { row: "cnn-32-64-3-64", train: { 1: 1136.5, 2: 1765.0 }, inference: { 1: 4917, 2: 6371 } },
  resnet: { row: "resnet-3x64", train: { 1: 93.2, 2: 160.3 }, inference: { 1: 318, 2: 545 } },
} as const;

/**
 * Speed-up of training on `threads` wasm threads over one thread: measured for 2 (WASM_BENCHMARK),
 * extrapolated to other counts with Amdahl's law fitted to the 2-thread figure (the parallel
 * fraction p from S(2) = 1 / (1 - p + p/2)). An extrapolation: more threads were never measured.
 */
export function wasmThreadSpeedup(family: Family, threads: number): number {
  const { train } = WASM_BENCHMARK[family];
  const s2 = train[2] / train[1];
  const parallel = 2 * (1 - 1 / s2);
  return 1 / (1 - parallel + parallel / threads);
}

/** Where a run is planned to train. */
export interface EstimateTarget {
  backend: string;
  /** XNNPACK threads (wasm only; 1 otherwise). */
  wasmThreads: number;
  /** Whether the run also evaluates the training split (reproduce's default; --no-train-metrics: false). */
  evaluateTrain: boolean;
}

/** An estimate of one run's wall-clock time. */
export interface RunEstimate {
  /** Estimated minutes of the whole run (training and evaluation), or null when nothing to base it on. */
  minutes: number | null;
  backend: string;
  /** wasm threads the estimate is for (absent for other backends). */
  wasmThreads?: number;
  /** What the estimate is based on, in words: the record or measurement, and each scaling applied. */
  basis: string;
}

/** Seconds per image of one record, converted to one wasm thread. */
interface Timing {
  file: string;
  rowId: string;
  config: ModelConfig;
  /** Training seconds per trained image, on one thread. */
  train: number;
  /** Seconds per evaluated image of everything but training, on one thread. */
  other: number;
  threads: number;
  batchSize: number;
  machine: string;
  /** Whether training time is the record's processor time (a one-thread Node run that measured it). */
  byCpu: boolean;
}

/** Images a run evaluates besides training: validation after each epoch, final validation and test, and train. */
function evaluatedImages(protocol: Protocol, epochs: number, evaluateTrain: boolean): number {
  return epochs * protocol.validationImages + protocol.validationImages + protocol.testImages + (evaluateTrain ? protocol.trainImages : 0);
}

/**
 * A record's time per image on one thread, or null when it says too little (no epochs, no time).
 * Training time is each epoch's `idleEpochSeconds` (processor time of a one-thread Node epoch where
 * measured: the time waited for a core left out), converted to one thread by the threads of the
 * epoch's piece; the rest is wall time, or processor time under the same rule.
 */
function timingOf({ file, run }: LoadedRun): Timing | null {
  const trained = run.epochs.length * run.protocol.trainImages;
  // Each epoch on one thread, by its own piece's threads where a resumed run changed them.
  const speedupOf = (env: RunRecord["environment"]) => (env.backend === "wasm" ? wasmThreadSpeedup(run.config.family, env.wasmThreads ?? 1) : 1);
  const environments = epochEnvironments(run);
  const trainOneThread = idleEpochSeconds(run).reduce((sum, seconds, i) => sum + seconds * speedupOf(environments[i]), 0);
  if (trained === 0 || trainOneThread <= 0) return null;
  const cpuIsIdle = cpuTimeIsIdleTime(run);
  const otherByCpu = cpuIsIdle && run.cpuSeconds !== undefined && run.epochs.every((e) => e.cpuSeconds !== undefined);
  const otherSeconds = otherByCpu
    ? run.cpuSeconds! - run.epochs.reduce((s, e) => s + e.cpuSeconds!, 0)
    : run.wallTimeSeconds - run.epochs.reduce((s, e) => s + e.seconds, 0);
  const evaluated =
    run.epochs.filter((e) => e.valLoss !== undefined).length * run.metrics.validation.images +
    run.metrics.validation.images +
    run.metrics.test.images +
    (run.metrics.train?.images ?? 0);
  const threads = run.environment.backend === "wasm" ? (run.environment.wasmThreads ?? 1) : 1;
  return {
    file,
    rowId: run.rowId,
    config: run.config,
    train: trainOneThread / trained,
    // The evaluations after the last epoch ran in the last piece (the record's environment).
    other: (Math.max(0, otherSeconds) / Math.max(1, evaluated)) * speedupOf(run.environment),
    byCpu: run.epochs.some((e, i) => e.cpuSeconds !== undefined && processorTimeIsIdleTime(environments[i])),
    threads,
    batchSize: run.protocol.batchSize,
    machine: [run.environment.cpu, run.environment.cores ? `${run.environment.cores} cores` : undefined].filter(Boolean).join(", "),
  };
}

const fastest = (timings: Timing[]): Timing => timings.reduce((a, b) => (b.train < a.train ? b : a));

const ms = (seconds: number) => `${(seconds * 1000).toFixed(2)} ms`;
const threadsText = (n: number) => `${n} wasm thread${n === 1 ? "" : "s"}`;

/**
 * Estimates of runs from a set of run records: one Estimator reads the records once.
 * @param runs validated records (e.g. readRuns of the runs folder); only those of `target.backend` count
 */
export function createEstimator(runs: readonly LoadedRun[], target: EstimateTarget) {
  const timings = runs
    .filter(({ run }) => run.environment.backend === target.backend && run.source === "pipeline")
    .map(timingOf)
    .filter((t): t is Timing => t !== null);
  const byRow = new Map<string, Timing[]>();
  for (const t of timings) byRow.set(t.rowId, [...(byRow.get(t.rowId) ?? []), t]);

  const isWasm = target.backend === "wasm";
  const threads = isWasm ? target.wasmThreads : 1;

  /**
   * Estimate one run of `row` under `protocol` (the protocol it trains, its batch size included).
   */
  return function estimate(row: string, protocol: Protocol): RunEstimate {
    const config = configFromRowId(row);
    const speedup = isWasm ? wasmThreadSpeedup(config.family, threads) : 1;
    const trainImages = protocol.epochs * protocol.trainImages;
    const otherImages = evaluatedImages(protocol, protocol.epochs, target.evaluateTrain);
    const done = (train: number, other: number, basis: string): RunEstimate => {
      const seconds = (trainImages * train + otherImages * other) / speedup;
      const scaled =
        isWasm && threads !== 1
          ? `; x1/${speedup.toFixed(2)} for ${threadsText(threads)} (docs/wasm.md's 2-thread speed-up${threads > 2 ? ", extrapolated by Amdahl's law" : ""})`
          : "";
      return {
        minutes: Math.round((seconds / 60) * 10) / 10,
        backend: target.backend,
        ...(isWasm ? { wasmThreads: threads } : {}),
        basis: `${basis}${scaled}; ${protocol.epochs} x ${protocol.trainImages} training images, ${otherImages} evaluated`,
      };
    };
    const describe = (t: Timing) =>
      `${t.file} (${ms(t.train)} per training image on one thread${t.byCpu ? " by processor time" : ""}${t.threads !== 1 ? `, converted from ${threadsText(t.threads)}` : ""}${t.machine ? `, ${t.machine}` : ""})`;

    const own = byRow.get(row);
    if (own?.length) {
      const t = fastest(own);
      return done(t.train, t.other, `the fastest of ${own.length} record(s) of ${row}: ${describe(t)}`);
    }
    const base = rowId(config);
    const baseRuns = base !== row ? byRow.get(base) : undefined;
    if (baseRuns?.length) {
      const t = fastest(baseRuns);
      return done(
        t.train,
        t.other,
        `the fastest of ${baseRuns.length} record(s) of its base row ${base} (trained at batch ${t.batchSize}, batch ${protocol.batchSize}'s own effect not counted): ${describe(t)}`,
      );
    }
    const macs = forwardMacsPerImage(config);
    const family = [...byRow.values()].map(fastest).filter((t) => t.config.family === config.family);
    if (family.length) {
      // The family's fastest record per MAC, the one least slowed by other work on its machine. Small
      // models spend more per MAC (overhead), so for them this leans low.
      const perMac = (t: Timing) => t.train / forwardMacsPerImage(t.config);
      const t = family.reduce((a, b) => (perMac(b) < perMac(a) ? b : a));
      const ratio = macs / forwardMacsPerImage(t.config);
      return done(
        t.train * ratio,
        t.other * ratio,
        `no record of ${row}; the ${config.family} record with the least time per multiply-accumulate among ${family.length} row(s) ` +
          `with records, ${describe(t)}, times ${ratio.toFixed(2)} for ${(macs / 1e6).toFixed(2)} M MACs per image`,
      );
    }
    if (isWasm) {
      const bench = WASM_BENCHMARK[config.family];
      const ratio = macs / forwardMacsPerImage(configFromRowId(bench.row));
      return done(
        ratio / bench.train[1],
        ratio / bench.inference[1],
        `no record of the ${config.family} family on wasm; docs/wasm.md's one-thread benchmark of ${bench.row} ` +
          `(${bench.train[1].toFixed(0)} training, ${bench.inference[1].toFixed(0)} inference images/s on idle cores), times ${ratio.toFixed(2)} for its MACs`,
      );
    }
    return {
      minutes: null,
      backend: target.backend,
      basis: `no record of the ${config.family} family on ${target.backend} to base an estimate on`,
    };
  };
}

/** The estimator's type: estimate(row, protocol). */
export type Estimator = ReturnType<typeof createEstimator>;

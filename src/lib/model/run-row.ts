/**
 * One tuning-table row, end to end: split the data by the protocol, build the seeded model, train,
 * evaluate on validation and test (and optionally train), and assemble a run record in the schema
 * of `public/data/runs/`. Shared by `npm run reproduce` (Node) and the rerun worker (browser).
 */
import * as tf from "@tensorflow/tfjs";
import { makeSplits, type ImageSet } from "../data/splits.ts";
import { evaluate, type Predictions } from "./metrics.ts";
import { buildModel } from "./builders.ts";
import { FULL_PROTOCOL, rowId as rowIdOf } from "../study/study.ts";
import type { EpochRecord, ModelConfig, Protocol, RunPiece, RunRecord, SplitMetrics } from "../study/schema.ts";
import { encodePredictions } from "../study/predictions.ts";
import { train, type BatchProgress, type TrainState } from "./train.ts";

export type RunEnvironment = RunRecord["environment"];
/** The phases of one row's run, in order (`onPhase`). */
export type RowPhase = "split" | "build" | "train" | "evaluate-validation" | "evaluate-test" | "evaluate-train" | "done";

export interface RunRowInput {
  config: ModelConfig;
  protocol: Protocol;
  /**
   * The row id the record carries, when it is not `rowId(config)`: a batch-size ablation row
   * (`cnn-32-64-3-64-b32`, with `protocol.batchSize` 32).
   */
  rowId?: string;
  /** The official 60,000 training images (the split is made here). */
  trainSet: ImageSet;
  /** The official 10,000 test images. */
  testSet: ImageSet;
  environment: RunEnvironment;
  source: RunRecord["source"];
  /** Also evaluate on the training split (the original study reports it; costs one forward pass). */
  evaluateTrain?: boolean;
  /** How many misclassified test images to keep in the record (most confident first). */
  keepMisclassified?: number;
  signal?: AbortSignal;
  onBatch?: (p: BatchProgress) => void | Promise<void>;
  onEpoch?: (r: EpochRecord) => void | Promise<void>;
  onPhase?: (phase: RowPhase) => void | Promise<void>;
  /** Continue an interrupted run from the checkpoint of its last finished epoch. */
  resume?: RunCheckpoint;
  /** Called after every finished training epoch with a checkpoint to resume from. */
  onCheckpoint?: (checkpoint: RunCheckpoint) => void | Promise<void>;
  /** Processor seconds of this process so far (Node); the record then carries `cpuSeconds` (see train's `cpuClock`). */
  cpuClock?: () => number;
}

/** A run's state after a finished epoch: when it started, and the training state to continue from. */
export interface RunCheckpoint {
  /** ISO 8601 start of the run (a resumed run keeps its first start, and its run id). */
  startedAt: string;
  /** Wall-clock seconds of the run up to this checkpoint, excluding time spent interrupted. */
  seconds: number;
  /** Processor seconds of the run up to this checkpoint, when every piece so far was measured. */
  cpuSeconds?: number;
  /** The run's pieces so far, this one last (absent when an earlier piece's checkpoint did not keep them). */
  pieces?: RunPiece[];
  state: TrainState;
}

export interface RunRowResult {
  /** Null when aborted (the finished epochs are still in `epochs`). */
  record: RunRecord | null;
  epochs: EpochRecord[];
  aborted: boolean;
  /** The trained model (the caller owns it and must dispose it). */
  model: tf.LayersModel;
}

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, "-");

/** Misclassified images, most confident mistakes first. */
export function misclassifiedOf(
  labels: Uint8Array,
  predictions: Predictions,
  limit: number,
  indexOf: ArrayLike<number> = Int32Array.from({ length: labels.length }, (_, i) => i),
): RunRecord["misclassified"] {
  const wrong: NonNullable<RunRecord["misclassified"]> = [];
  for (let i = 0; i < labels.length; i++) {
    if (predictions.predicted[i] !== labels[i]) {
      wrong.push({ index: indexOf[i], label: labels[i], predicted: predictions.predicted[i], confidence: Math.round(predictions.confidence[i] * 1e4) / 1e4 });
    }
  }
  return wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, limit);
}

/** Train and evaluate one configuration under a protocol. */
export async function runRow(input: RunRowInput): Promise<RunRowResult> {
  const { config, protocol, signal } = input;
  const started = input.resume ? new Date(input.resume.startedAt) : new Date();
  if (Number.isNaN(started.getTime())) throw new Error(`checkpoint start time "${input.resume?.startedAt}" is not a date`);
  // Seconds already spent before a resume; the wall time of the record counts running time only.
  const priorSeconds = input.resume?.seconds ?? 0;
  const t0 = performance.now();
  // Processor time likewise, unless a piece before the resume went unmeasured (then none is claimed).
  const { cpuClock } = input;
  const priorCpu = input.resume ? input.resume.cpuSeconds : 0;
  const cpu0 = cpuClock?.();
  // This piece, after those of the checkpoint; unknown (and so not recorded) if the checkpoint lacks them.
  const piece: RunPiece = {
    afterEpoch: input.resume?.state.epoch ?? 0,
    startedAt: (input.resume ? new Date() : started).toISOString(),
    environment: input.environment,
  };
  const pieces = !input.resume ? [piece] : input.resume.pieces ? [...input.resume.pieces, piece] : undefined;
  const cpuSoFar = () => (cpuClock && priorCpu !== undefined ? Math.round((priorCpu + cpuClock() - cpu0!) * 100) / 100 : undefined);
  await input.onPhase?.("split");
  const splits = makeSplits(input.trainSet, input.testSet, {
    splitSeed: protocol.splitSeed,
    trainImages: protocol.trainImages,
    validationImages: protocol.validationImages,
    testImages: protocol.testImages,
  });
  await input.onPhase?.("build");
  const model = buildModel(config, protocol.seed);
  await input.onPhase?.("train");
  const result = await train(
    model,
    { train: splits.train, validation: splits.validation },
    {
      epochs: protocol.epochs,
      batchSize: protocol.batchSize,
      learningRate: protocol.learningRate,
      seed: protocol.seed,
      selection: protocol.selection,
      signal,
      onBatch: input.onBatch,
      onEpoch: input.onEpoch,
      resume: input.resume?.state,
      cpuClock,
      onCheckpoint: input.onCheckpoint
        ? (state) => {
            const cpuSeconds = cpuSoFar();
            return input.onCheckpoint!({
              startedAt: started.toISOString(),
              seconds: priorSeconds + (performance.now() - t0) / 1000,
              ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
              ...(pieces ? { pieces } : {}),
              state,
            });
          }
        : undefined,
    },
  );
  if (result.aborted || signal?.aborted) return { record: null, epochs: result.epochs, aborted: true, model };

  const strip = ({ predictions: _p, ...m }: SplitMetrics & { predictions: Predictions }): SplitMetrics => m;
  await input.onPhase?.("evaluate-validation");
  const aborted = (): RunRowResult => ({ record: null, epochs: result.epochs, aborted: true, model });
  const validation = await evaluate(model, splits.validation, { signal });
  if (!validation) return aborted();
  await input.onPhase?.("evaluate-test");
  const test = await evaluate(model, splits.test, { signal });
  if (!test) return aborted();
  let trainMetrics: SplitMetrics | undefined;
  if (input.evaluateTrain) {
    await input.onPhase?.("evaluate-train");
    const train = await evaluate(model, splits.train, { signal });
    if (!train) return aborted();
    trainMetrics = strip(train);
  }
  const finished = new Date();
  const cpuSeconds = cpuSoFar();
  const id = input.rowId ?? rowIdOf(config);
  const record: RunRecord = {
    schemaVersion: 1,
    runId: `${id}.${protocol.name}${protocol.seed === FULL_PROTOCOL.seed ? "" : `.seed-${protocol.seed}`}.${stamp(started)}`,
    rowId: id,
    source: input.source,
    config,
    protocol: { ...protocol, trainImages: splits.train.count, validationImages: splits.validation.count, testImages: splits.test.count },
    environment: input.environment,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    wallTimeSeconds: Math.round((priorSeconds + (performance.now() - t0) / 1000) * 100) / 100,
    elapsedSeconds: Math.round((finished.getTime() - started.getTime()) / 10) / 100,
    ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
    ...(input.resume ? { resumedAfterEpoch: input.resume.state.epoch } : {}),
    ...(input.resume && pieces ? { pieces } : {}),
    parameters: model.countParams(),
    epochs: result.epochs,
    bestEpoch: result.bestEpoch,
    metrics: { ...(trainMetrics ? { train: trainMetrics } : {}), validation: strip(validation), test: strip(test) },
    misclassified: misclassifiedOf(splits.test.labels, test.predictions, input.keepMisclassified ?? 200, splits.testIndices),
    testPredictions: encodePredictions(test.predictions.predicted),
  };
  await input.onPhase?.("done");
  return { record, epochs: result.epochs, aborted: false, model };
}

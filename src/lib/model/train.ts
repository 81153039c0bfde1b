/**
 * The training loop shared by Node (`npm run reproduce`) and the browser worker (a reader's rerun).
 * Seeded batching (never tfjs's Math.random shuffle), Adam, per-batch and per-epoch callbacks with
 * loss, accuracy, images/s and ETA, cancellation within one batch through an AbortSignal, and the
 * best-validation-epoch weights kept (as keras-tuner reports the best epoch).
 *
 * Each batch runs the few-kernel step of ./train-step.ts (fused Adam, hand-written gradients).
 * Loss and accuracy are summed on the device and read back without waiting on WebGPU/WebGL, so
 * there the per-batch progress may lag a few batches; epoch records are exact.
 *
 * Tensor discipline: the optimiser is created and disposed here, and every batch tensor is
 * disposed, so `tf.memory().numTensors` after `train` equals the count before it.
 */
import * as tf from "@tensorflow/tfjs";
import { epochBatches, fillBatch, PIXELS, type ImageSet } from "../data/splits.ts";
import { IMAGE_SIZE, NUM_CLASSES } from "../study/study.ts";
import type { EpochRecord } from "../study/schema.ts";
import { recalibrateBatchNorm } from "./batch-norm-recalibration.ts";
import { BestEpochKeeper, type EpochSelection } from "./best-epoch.ts";
import { DeviceTotals, type KnownTotals } from "./device-totals.ts";
import { EtaEstimator } from "./eta.ts";
import { evaluateLossAccuracy } from "./metrics.ts";
import { saveTensors, toTensor, type SavedTensor } from "./saved-tensors.ts";
import { createTrainStep, type TrainStep } from "./train-step.ts";
import { yieldToEventLoop } from "./yield.ts";

export { BATCH_NORM_RECALIBRATION_BATCHES, recalibrateBatchNorm } from "./batch-norm-recalibration.ts";

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seed of the batch order (weights are seeded when the model is built). */
  seed: number;
  /** Stops training within one batch; `train` then resolves with `aborted: true`. */
  signal?: AbortSignal;
  /** Keep the weights of the epoch with the best validation accuracy (default) or of the last. */
  selection?: EpochSelection;
  /** Batch size used for validation passes (inference only). */
  evalBatchSize?: number;
  /** Called after every training batch. May be async: it is awaited (a worker's proxy call yields there). */
  onBatch?: (progress: BatchProgress) => void | Promise<void>;
  /** Called after every epoch with its record (validation included when data.validation is given). */
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
  /**
   * "fast" (default): the few-kernel step of ./train-step.ts. "stock": tfjs's `trainOnBatch` with
   * `tf.train.adam`, reading the loss after every batch (the reference the fast step is tested against).
   */
  step?: "fast" | "stock";
  /**
   * Continue from the state saved after a finished epoch (see `onCheckpoint`) instead of starting
   * at epoch 1. The model must have the same architecture; its weights are replaced. Batch order
   * depends only on (seed, epoch), so the continued run matches an uninterrupted one.
   */
  resume?: TrainState;
  /**
   * Called after every finished epoch (after `onEpoch`) with everything needed to resume from
   * there: weights, optimiser state and history as plain arrays. Reading them costs one copy of
   * the weights, so it is done only when this callback is given.
   */
  onCheckpoint?: (state: TrainState) => void | Promise<void>;
  /**
   * Processor seconds of this process so far (Node: `process.cpuUsage()`, all threads). When given,
   * every epoch record carries `cpuSeconds` over the span its `seconds` covers. Browsers have none.
   */
  cpuClock?: () => number;
}

/** The training state after a finished epoch: enough to continue exactly where it stopped. */
export interface TrainState {
  /** Epochs finished (1-based number of the last one). */
  epoch: number;
  /** Records of the finished epochs. */
  history: EpochRecord[];
  /** Best epoch so far under the selection rule (0 before any). */
  bestEpoch: number;
  /** Its validation accuracy, or -1. */
  bestAccuracy: number;
  /** `model.getWeights()` after this epoch (trainable weights, then batch-norm statistics). */
  weights: SavedTensor[];
  /** Weights of the best epoch kept for restoring at the end, or null when none are kept. */
  bestWeights: SavedTensor[] | null;
  /** The training step's optimiser state (Adam's moments and beta powers; see TrainStep.saveOptimizer). */
  optimizer: SavedTensor[];
  /** Seconds spent in training and validation up to this epoch. */
  seconds: number;
}

export interface BatchProgress {
  /** 1-based epoch. */
  epoch: number;
  epochs: number;
  /** 1-based batch within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Running mean over the epoch so far (on WebGPU/WebGL: as of a batch a few batches back). */
  loss: number;
  /**
   * The 1-based batch of this epoch that `loss` and `accuracy` are as of: `batch` on cpu/wasm, a
   * few batches back on WebGPU/WebGL (the totals are read without stalling the GPU). Optional because
   * curves stored by earlier reruns lack it; read it as `batch` then.
   */
  lossBatch?: number;
  /** Running accuracy over the epoch so far, in [0, 1] (same lag as `loss`). */
  accuracy: number;
  /** Training throughput over the recent batches. */
  imagesPerSecond: number;
  /** Estimated seconds until training ends (validation passes included), or null before the estimate settles. */
  etaSeconds: number | null;
  /** Fraction of all training batches done, in [0, 1]. */
  fraction: number;
}

export interface TrainData {
  train: ImageSet;
  /** Evaluated after each epoch when given; required for best-epoch selection. */
  validation?: ImageSet;
}

export interface TrainResult {
  /** One record per finished epoch. */
  epochs: EpochRecord[];
  /** 1-based epoch whose weights the model holds now (0 when no epoch finished). */
  bestEpoch: number;
  aborted: boolean;
  /** Seconds spent in training and validation. */
  seconds: number;
}

/** Batches a GPU backend's loss read may fall behind before the loop waits for it. */
const MAX_READ_LAG = 4;

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * Train `model` on `data.train` (categorical cross-entropy on its softmax output, Adam) with the
 * training step of ./train-step.ts, whose optimiser state is created and disposed here.
 * @returns the per-epoch history; the model holds the selected epoch's weights.
 */
export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const { epochs, batchSize } = options;
  if (!(epochs >= 1)) throw new Error(`epochs must be at least 1, got ${epochs}`);
  if (!(batchSize >= 1)) throw new Error(`batch size must be at least 1, got ${batchSize}`);
  if (!(options.learningRate > 0)) throw new Error(`learning rate must be positive, got ${options.learningRate}`);
  if (data.train.count === 0) throw new Error("no training images");
  const resume = options.resume;
  if (resume && !(resume.epoch >= 0 && resume.epoch <= epochs)) throw new Error(`cannot resume after epoch ${resume.epoch} of a ${epochs}-epoch run`);

  const step = createTrainStep(model, { learningRate: options.learningRate, mode: options.step ?? "fast" });
  const history: EpochRecord[] = resume ? resume.history.map((r) => ({ ...r })) : [];
  const batchesPerEpoch = Math.ceil(data.train.count / batchSize);
  const run: EpochRun = {
    model,
    data,
    options,
    step,
    history,
    batchesPerEpoch,
    batchesDone: resume ? resume.epoch * batchesPerEpoch : 0,
    eta: new EtaEstimator({
      totalBatches: batchesPerEpoch * epochs,
      batchSize,
      epochs,
      validationImages: data.validation ? data.validation.count : null,
    }),
    buffers: { pixels: new Float32Array(batchSize * PIXELS), labels: new Int32Array(batchSize), oneHot: new Float32Array(batchSize * NUM_CLASSES) },
    // Reading a value back stalls a GPU backend's queue; on cpu and wasm it costs nothing.
    waitForReads: tf.getBackend() === "cpu" || tf.getBackend() === "wasm",
  };
  const best = new BestEpochKeeper(data.validation ? (options.selection ?? "best-val-accuracy") : "last", resume);
  const startedAt = now();
  const seconds = () => (resume?.seconds ?? 0) + (now() - startedAt) / 1000;
  let aborted = false;

  try {
    if (resume) best.adopt(await restoreState(model, step, resume));
    for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= epochs; epoch++) {
      const record = await trainEpoch(run, epoch);
      if (record === null) {
        aborted = true;
        break;
      }
      best.finish(epoch, record.valAccuracy, model, epoch === epochs);
      history.push(record);
      if (options.onEpoch) await options.onEpoch(record);
      if (options.onCheckpoint) {
        await options.onCheckpoint({
          epoch,
          history: history.map((r) => ({ ...r })),
          bestEpoch: best.epoch,
          bestAccuracy: best.accuracy,
          weights: await saveTensors(
            model.getWeights(),
            model.weights.map((w) => w.originalName),
          ),
          bestWeights: await best.save(),
          optimizer: await step.saveOptimizer(),
          seconds: seconds(),
        });
      }
    }
    const bestEpoch = best.restoreInto(model, history.length);
    return { epochs: history, bestEpoch, aborted, seconds: seconds() };
  } finally {
    best.dispose();
    step.dispose();
  }
}

/** What every epoch of one `train` call shares. */
interface EpochRun {
  model: tf.LayersModel;
  data: TrainData;
  options: TrainOptions;
  step: TrainStep;
  /** Records of the finished epochs (read here, appended by `train`). */
  history: readonly EpochRecord[];
  batchesPerEpoch: number;
  /** Training batches finished in the whole run (resumed epochs included). */
  batchesDone: number;
  eta: EtaEstimator;
  /** Host buffers of one batch, reused. */
  buffers: { pixels: Float32Array<ArrayBuffer>; labels: Int32Array<ArrayBuffer>; oneHot: Float32Array<ArrayBuffer> };
  waitForReads: boolean;
}

/**
 * One epoch: its training batches, batch-norm recalibration and the validation pass.
 * @returns the epoch's record, or null when the signal aborted it
 */
async function trainEpoch(run: EpochRun, epoch: number): Promise<EpochRecord | null> {
  const { model, data, options } = run;
  const { batchSize, seed, signal } = options;
  const epochStart = now();
  const cpuStart = options.cpuClock?.();
  const trained = await trainBatches(run, epoch);
  if (trained === null) return null;
  const { totals, seen } = trained;
  if (!(await recalibrateBatchNorm(model, data.train, batchSize, seed, epoch, signal))) return null;
  const trainSeconds = (now() - epochStart) / 1000;
  const record: EpochRecord = {
    epoch,
    loss: totals.lossSum / seen,
    accuracy: totals.correct / seen,
    seconds: trainSeconds,
    imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
  };
  if (cpuStart !== undefined) record.cpuSeconds = Math.round((options.cpuClock!() - cpuStart) * 100) / 100;
  if (data.validation) {
    const valStart = now();
    const val = await evaluateLossAccuracy(model, data.validation, options.evalBatchSize ?? 500, signal);
    if (val === null) return null;
    run.eta.addValidation((now() - valStart) / 1000);
    record.valLoss = val.loss;
    record.valAccuracy = val.accuracy;
  }
  return record;
}

/**
 * The epoch's training batches, each reported through `onBatch`.
 * @returns the epoch's loss and accuracy totals and its image count, or null when aborted
 */
async function trainBatches(run: EpochRun, epoch: number): Promise<{ totals: KnownTotals; seen: number } | null> {
  const { data, options, step, buffers } = run;
  const { epochs, batchSize, seed, signal } = options;
  let seen = 0;
  const totals = new DeviceTotals();
  try {
    const batches = epochBatches(data.train.count, batchSize, seed, epoch);
    for (let b = 0; b < batches.length; b++) {
      if (signal?.aborted) return null;
      const indices = batches[b];
      const n = indices.length;
      const filled = fillBatch(data.train, indices, buffers.pixels, buffers.labels);
      const xs = tf.tensor4d(filled.pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
      // One-hot targets built here: no OneHot/Cast kernels per batch.
      const hot = buffers.oneHot.subarray(0, n * NUM_CLASSES).fill(0);
      for (let i = 0; i < n; i++) hot[i * NUM_CLASSES + filled.labels[i]] = 1;
      const ys = tf.tensor2d(hot, [n, NUM_CLASSES]);
      const ids = tf.tensor1d(filled.labels.subarray(0, n), "int32");
      try {
        totals.add(await step.run(xs, ys, ids), n);
      } finally {
        xs.dispose();
        ys.dispose();
        ids.dispose();
      }
      // Wait for the read in flight on cpu/wasm (free there), for the epoch's first (nothing to
      // report before it), and once it is MAX_READ_LAG batches old: that bounds both the progress
      // lag and how much work the CPU queues ahead of a GPU.
      const read = totals.read();
      if (read && (run.waitForReads || totals.known.images === 0 || totals.lag >= MAX_READ_LAG)) await read;
      const known = totals.known;
      if (!Number.isFinite(known.lossSum)) {
        throw new Error(`training diverged: loss is ${known.lossSum / known.images} at epoch ${epoch}, batch ${known.batches}`);
      }
      seen += n;
      run.batchesDone++;
      const { imagesPerSecond, etaSeconds } = run.eta.addBatch(now(), n, run.batchesDone, run.history.length);
      if (options.onBatch) {
        await options.onBatch({
          epoch,
          epochs,
          batch: b + 1,
          batchesPerEpoch: run.batchesPerEpoch,
          loss: known.lossSum / known.images,
          accuracy: known.correct / known.images,
          lossBatch: known.batches,
          imagesPerSecond,
          etaSeconds,
          fraction: run.batchesDone / (run.batchesPerEpoch * epochs),
        });
      }
      // A macrotask yield, so that an abort raised by a message or timer is seen before the next batch.
      await yieldToEventLoop();
    }
    const epochTotals = await totals.settle();
    if (!Number.isFinite(epochTotals.lossSum)) {
      throw new Error(`training diverged: loss is ${epochTotals.lossSum / seen} at epoch ${epoch}`);
    }
    return { totals: epochTotals, seen };
  } finally {
    await totals.close();
  }
}

/**
 * Put a saved state into a fresh model and its training step's optimiser.
 * @returns the best-epoch weights to keep (owned by the caller), or null
 */
async function restoreState(model: tf.LayersModel, step: TrainStep, state: TrainState): Promise<tf.Tensor[] | null> {
  if (state.weights.length !== model.weights.length) throw new Error(`checkpoint holds ${state.weights.length} weights, the model has ${model.weights.length}`);
  state.weights.forEach((w, i) => {
    const expected = model.weights[i].shape;
    if (w.shape.join("x") !== expected.join("x")) throw new Error(`checkpoint weight ${i} (${w.name}) has shape [${w.shape}], the model expects [${expected}]`);
  });
  const weights = state.weights.map(toTensor);
  model.setWeights(weights);
  tf.dispose(weights);
  await step.restoreOptimizer(state.optimizer);
  return state.bestWeights ? state.bestWeights.map(toTensor) : null;
}

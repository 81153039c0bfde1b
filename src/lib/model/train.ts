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
import { evaluateLossAccuracy } from "./metrics.ts";
import { saveTensors, toTensor, type SavedTensor } from "./saved-tensors.ts";
import { createTrainStep, type TrainStep } from "./train-step.ts";
import { DeviceTotals } from "./device-totals.ts";
import { yieldToEventLoop } from "./yield.ts";

export { yieldToEventLoop };
import { IMAGE_SIZE, NUM_CLASSES } from "../study/study.ts";
import type { EpochRecord } from "../study/schema.ts";

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seed of the batch order (weights are seeded when the model is built). */
  seed: number;
  /** Stops training within one batch; `train` then resolves with `aborted: true`. */
  signal?: AbortSignal;
  /** Keep the weights of the epoch with the best validation accuracy (default) or of the last. */
  selection?: "best-val-accuracy" | "last";
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
}

export type { SavedTensor } from "./saved-tensors.ts";

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
   * few batches back on WebGPU/WebGL (the totals are read without stalling the GPU). Absent from
   * reports made before this field existed; read it as `batch` then.
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
 * Train `model` on `data.train` (categorical cross-entropy on its softmax output, Adam).
 * The model is compiled here with a fresh optimiser, which is disposed before returning.
 * @returns the per-epoch history; the model holds the selected epoch's weights.
 */
export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const { epochs, batchSize, seed, signal } = options;
  if (!(epochs >= 1)) throw new Error(`epochs must be at least 1, got ${epochs}`);
  if (!(batchSize >= 1)) throw new Error(`batch size must be at least 1, got ${batchSize}`);
  if (!(options.learningRate > 0)) throw new Error(`learning rate must be positive, got ${options.learningRate}`);
  if (data.train.count === 0) throw new Error("no training images");
  const selection = data.validation ? (options.selection ?? "best-val-accuracy") : "last";

  const step = createTrainStep(model, { learningRate: options.learningRate, mode: options.step ?? "fast" });
  // Reading a value back stalls a GPU backend's queue; on cpu and wasm it costs nothing.
  const waitForReads = tf.getBackend() === "cpu" || tf.getBackend() === "wasm";

  const resume = options.resume;
  if (resume && !(resume.epoch >= 0 && resume.epoch <= epochs))
    throw new Error(`cannot resume after epoch ${resume.epoch} of a ${epochs}-epoch run`);
  const history: EpochRecord[] = resume ? resume.history.map((r) => ({ ...r })) : [];
  const pixels = new Float32Array(batchSize * PIXELS);
  const labels = new Int32Array(batchSize);
  const oneHot = new Float32Array(batchSize * NUM_CLASSES);
  const batchesPerEpoch = Math.ceil(data.train.count / batchSize);
  const totalBatches = batchesPerEpoch * epochs;
  const startedAt = now();
  let bestWeights: tf.Tensor[] | null = null;
  let bestEpoch = resume?.bestEpoch ?? 0;
  let bestAccuracy = resume?.bestAccuracy ?? -1;
  let aborted = false;
  const firstEpoch = (resume?.epoch ?? 0) + 1;
  let batchesDone = (firstEpoch - 1) * batchesPerEpoch;
  let validationSeconds = 0;
  let validatedEpochs = 0;
  // Throughput over a sliding window of recent batches (the first batches include kernel warm-up).
  const window: { t: number; images: number }[] = [];
  let totals: DeviceTotals | null = null;

  try {
    if (resume) bestWeights = await restoreState(model, step, resume);
    epochLoop: for (let epoch = firstEpoch; epoch <= epochs; epoch++) {
      const epochStart = now();
      let seen = 0;
      totals = new DeviceTotals();
      const batches = epochBatches(data.train.count, batchSize, seed, epoch);
      for (let b = 0; b < batches.length; b++) {
        if (signal?.aborted) {
          aborted = true;
          break epochLoop;
        }
        const indices = batches[b];
        const n = indices.length;
        const filled = fillBatch(data.train, indices, pixels, labels);
        const xs = tf.tensor4d(filled.pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
        // One-hot targets built here: no OneHot/Cast kernels per batch.
        const hot = oneHot.subarray(0, n * NUM_CLASSES).fill(0);
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
        if (read && (waitForReads || totals.known.images === 0 || totals.lag >= MAX_READ_LAG)) await read;
        const known = totals.known;
        if (!Number.isFinite(known.lossSum)) {
          throw new Error(`training diverged: loss is ${known.lossSum / known.images} at epoch ${epoch}, batch ${known.batches}`);
        }
        seen += n;
        batchesDone++;

        const t = now();
        window.push({ t, images: n });
        if (window.length > 20) window.shift();
        const span = window.length > 1 ? (t - window[0].t) / 1000 : 0;
        const imagesPerSecond = span > 0 ? window.slice(1).reduce((s, w) => s + w.images, 0) / span : 0;
        const remainingImages = (totalBatches - batchesDone) * batchSize;
        const validationEstimate = data.validation
          ? (validationSeconds / Math.max(1, validatedEpochs) || (data.validation.count / Math.max(imagesPerSecond, 1)) / 3) *
            (epochs - history.length)
          : 0;
        const etaSeconds = batchesDone >= 3 && imagesPerSecond > 0 ? remainingImages / imagesPerSecond + validationEstimate : null;

        if (options.onBatch) {
          await options.onBatch({
            epoch,
            epochs,
            batch: b + 1,
            batchesPerEpoch,
            loss: known.lossSum / known.images,
            accuracy: known.correct / known.images,
            lossBatch: known.batches,
            imagesPerSecond,
            etaSeconds,
            fraction: batchesDone / totalBatches,
          });
        }
        // A macrotask yield, so that an abort raised by a message or timer is seen before the next batch.
        await yieldToEventLoop();
      }

      const epochTotals = await totals.settle();
      await totals.close();
      totals = null;
      if (!Number.isFinite(epochTotals.lossSum)) {
        throw new Error(`training diverged: loss is ${epochTotals.lossSum / seen} at epoch ${epoch}`);
      }
      if (!(await recalibrateBatchNorm(model, data.train, batchSize, seed, epoch, signal))) {
        aborted = true;
        break epochLoop;
      }
      const trainSeconds = (now() - epochStart) / 1000;
      const record: EpochRecord = {
        epoch,
        loss: epochTotals.lossSum / seen,
        accuracy: epochTotals.correct / seen,
        seconds: trainSeconds,
        imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
      };
      if (data.validation) {
        const valStart = now();
        const val = await evaluateLossAccuracy(model, data.validation, options.evalBatchSize ?? 500, signal);
        if (val === null) {
          aborted = true;
          break epochLoop;
        }
        validationSeconds += (now() - valStart) / 1000;
        validatedEpochs++;
        record.valLoss = val.loss;
        record.valAccuracy = val.accuracy;
        if (selection === "best-val-accuracy" && val.accuracy > bestAccuracy) {
          bestAccuracy = val.accuracy;
          bestEpoch = epoch;
          if (epoch < epochs) {
            bestWeights?.forEach((w) => w.dispose());
            bestWeights = model.getWeights().map((w) => w.clone());
          } else {
            bestWeights?.forEach((w) => w.dispose());
            bestWeights = null;
          }
        }
      }
      history.push(record);
      if (selection === "last") bestEpoch = epoch;
      if (options.onEpoch) await options.onEpoch(record);
      if (options.onCheckpoint) {
        await options.onCheckpoint({
          epoch,
          history: history.map((r) => ({ ...r })),
          bestEpoch,
          bestAccuracy,
          weights: await saveTensors(model.getWeights(), model.weights.map((w) => w.originalName)),
          bestWeights: bestWeights ? await saveTensors(bestWeights) : null,
          optimizer: await step.saveOptimizer(),
          seconds: (resume?.seconds ?? 0) + (now() - startedAt) / 1000,
        });
      }
    }

    // Restore the best epoch's weights; none are kept when the final epoch itself was best.
    const lastEpoch = history.length;
    if (bestWeights) model.setWeights(bestWeights);
    if (selection === "best-val-accuracy" && bestEpoch === 0) bestEpoch = lastEpoch;
  } finally {
    bestWeights?.forEach((w) => w.dispose());
    await totals?.close();
    step.dispose();
  }
  return { epochs: history, bestEpoch, aborted, seconds: (resume?.seconds ?? 0) + (now() - startedAt) / 1000 };
}

/**
 * Put a saved state into a fresh model and its training step's optimiser.
 * @returns the best-epoch weights to keep (owned by the caller), or null
 */
async function restoreState(model: tf.LayersModel, step: TrainStep, state: TrainState): Promise<tf.Tensor[] | null> {
  if (state.weights.length !== model.weights.length)
    throw new Error(`checkpoint holds ${state.weights.length} weights, the model has ${model.weights.length}`);
  state.weights.forEach((w, i) => {
    const expected = model.weights[i].shape;
    if (w.shape.join("x") !== expected.join("x"))
      throw new Error(`checkpoint weight ${i} (${w.name}) has shape [${w.shape}], the model expects [${expected}]`);
  });
  const weights = state.weights.map(toTensor);
  model.setWeights(weights);
  tf.dispose(weights);
  await step.restoreOptimizer(state.optimizer);
  return state.bestWeights ? state.bestWeights.map(toTensor) : null;
}

/** Batches used to re-estimate batch-norm statistics after each epoch. */
export const BATCH_NORM_RECALIBRATION_BATCHES = 32;

/**
 * Re-estimate the moving mean and variance of every batch-norm layer as the plain average of the
 * batch statistics over up to 32 training batches, with the weights fixed ("precise BN").
 * Keras-style moving averages (momentum 0.99) start at mean 0 / variance 1 and need thousands of
 * steps to forget that start: without this, a quick or smoke run of a ResNet evaluates near chance
 * although it trains well. Setting momentum to 1 - 1/k at the k-th batch makes the moving value the
 * running mean of the k batch values. Models without batch norm are left untouched.
 * @returns false when aborted
 */
export async function recalibrateBatchNorm(
  model: tf.LayersModel,
  set: ImageSet,
  batchSize: number,
  seed: number,
  epoch: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const layers = model.layers.filter((l) => l.getClassName() === "BatchNormalization") as unknown as { momentum: number }[];
  if (layers.length === 0) return true;
  const saved = layers.map((l) => l.momentum);
  const batches = epochBatches(set.count, batchSize, seed ^ 0x5bd1e995, epoch).slice(0, BATCH_NORM_RECALIBRATION_BATCHES);
  const pixels = new Float32Array(batchSize * PIXELS);
  const labels = new Int32Array(batchSize);
  try {
    for (let k = 0; k < batches.length; k++) {
      if (signal?.aborted) return false;
      for (const l of layers) l.momentum = 1 - 1 / (k + 1);
      const filled = fillBatch(set, batches[k], pixels, labels);
      tf.tidy(() => {
        const xs = tf.tensor4d(filled.pixels, [batches[k].length, IMAGE_SIZE, IMAGE_SIZE, 1]);
        model.apply(xs, { training: true });
      });
      await yieldToEventLoop();
    }
  } finally {
    layers.forEach((l, i) => (l.momentum = saved[i]));
  }
  return true;
}

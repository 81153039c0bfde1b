/**
 * "Precise BN" after each epoch: batch-norm moving statistics re-estimated from training batches,
 * so that short runs of a ResNet evaluate with usable statistics.
 */
import * as tf from "@tensorflow/tfjs";
import { epochBatches, fillBatch, PIXELS, type ImageSet } from "../data/splits.ts";
import { IMAGE_SIZE } from "../study/study.ts";
import { batchNormSettings } from "./train-step/tfjs-internals.ts";
import { yieldToEventLoop } from "./yield.ts";

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
  const layers = model.layers.filter((l) => l.getClassName() === "BatchNormalization").map(batchNormSettings);
  if (layers.length === 0) return true;
  const saved = layers.map((l) => l.momentum);
  // Batches of their own, not the epoch's: `seed ^ 0x5bd1e995` (not deriveSeed, which would pick
  // other images and so change every published ResNet number) keeps them as first published.
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

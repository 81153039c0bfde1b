/**
 * Classification metrics with scikit-learn's definitions: per-class precision, recall and F1 from a
 * confusion matrix, their macro and support-weighted averages, and accuracy. A zero denominator
 * gives 0 (sklearn's `zero_division=0`). `evaluate` runs a model over a split and adds the loss.
 */
import * as tf from "@tensorflow/tfjs";
import { fillBatch, PIXELS, type ImageSet } from "../data/splits.ts";
import { yieldToEventLoop } from "./yield.ts";
import type { SplitMetrics } from "../study/schema.ts";

/** counts[true][predicted], numClasses x numClasses. */
export type ConfusionMatrix = number[][];

export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true instances of the class. */
  support: number;
}

export interface ClassificationReport {
  perClass: ClassReport[];
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  /** Fraction of correct predictions in [0, 1]. */
  accuracy: number;
  /** Total number of instances. */
  total: number;
}

/**
 * Count true/predicted label pairs.
 * @param yTrue labels in [0, numClasses)
 * @param yPred predicted labels in [0, numClasses), same length as yTrue
 * @returns matrix[true][predicted]
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): ConfusionMatrix {
  if (yTrue.length !== yPred.length) {
    throw new Error(`confusionMatrix: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses) || !Number.isInteger(t) || !Number.isInteger(p)) {
      throw new Error(`confusionMatrix: label out of range at ${i} (true ${t}, predicted ${p}, classes ${numClasses})`);
    }
    matrix[t][p]++;
  }
  return matrix;
}

const safeDiv = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Per-class precision/recall/F1/support, macro and weighted averages, and accuracy of a confusion matrix. */
export function classificationReport(matrix: ConfusionMatrix): ClassificationReport {
  const n = matrix.length;
  const perClass: ClassReport[] = [];
  let total = 0;
  let correct = 0;
  for (let c = 0; c < n; c++) {
    let support = 0;
    let predicted = 0;
    for (let k = 0; k < n; k++) {
      support += matrix[c][k];
      predicted += matrix[k][c];
    }
    const tp = matrix[c][c];
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    const f1 = safeDiv(2 * precision * recall, precision + recall);
    perClass.push({ precision, recall, f1, support });
    total += support;
    correct += tp;
  }
  const average = (key: "precision" | "recall" | "f1", weighted: boolean): number =>
    weighted
      ? safeDiv(
          perClass.reduce((s, r) => s + r[key] * r.support, 0),
          total,
        )
      : safeDiv(
          perClass.reduce((s, r) => s + r[key], 0),
          n,
        );
  return {
    perClass,
    macro: { precision: average("precision", false), recall: average("recall", false), f1: average("f1", false) },
    weighted: { precision: average("precision", true), recall: average("recall", true), f1: average("f1", true) },
    accuracy: safeDiv(correct, total),
    total,
  };
}

/** Per-image outputs of a forward pass over a set. */
export interface Predictions {
  /** Argmax class per image. */
  predicted: Uint8Array;
  /** Probability of the predicted class per image, in [0, 1]. */
  confidence: Float32Array;
  /** Mean categorical cross-entropy over the set. */
  loss: number;
}

/**
 * Forward the whole set through `model` in inference mode, in batches.
 * @returns predictions, or null when `signal` aborted between batches
 */
export async function predictSet(model: tf.LayersModel, set: ImageSet, batchSize = 500, signal?: AbortSignal): Promise<Predictions | null> {
  const predicted = new Uint8Array(set.count);
  const confidence = new Float32Array(set.count);
  const pixels = new Float32Array(batchSize * PIXELS);
  const labels = new Int32Array(batchSize);
  const indices = new Int32Array(batchSize);
  let lossSum = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    if (signal?.aborted) return null;
    const n = Math.min(batchSize, set.count - start);
    for (let i = 0; i < n; i++) indices[i] = start + i;
    const filled = fillBatch(set, indices.subarray(0, n), pixels, labels);
    const [probs, losses] = tf.tidy(() => {
      const xs = tf.tensor4d(filled.pixels, [n, 28, 28, 1]);
      const p = model.predict(xs) as tf.Tensor2D;
      const ys = tf.oneHot(tf.tensor1d(filled.labels, "int32"), p.shape[1]);
      // Cross-entropy with the same clipping Keras/tfjs-layers apply to probabilities.
      const l = tf.neg(tf.sum(tf.mul(ys, tf.log(tf.clipByValue(p, 1e-7, 1 - 1e-7))), -1));
      return [p, l];
    });
    const [probValues, lossValues] = await Promise.all([probs.data(), losses.data()]);
    probs.dispose();
    losses.dispose();
    const k = probValues.length / n;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (probValues[i * k + c] > probValues[i * k + best]) best = c;
      predicted[start + i] = best;
      confidence[start + i] = probValues[i * k + best];
      lossSum += lossValues[i];
    }
    // A macrotask yield per batch, so a cancel message reaches a worker during evaluation too.
    if (signal) await yieldToEventLoop();
  }
  return { predicted, confidence, loss: set.count ? lossSum / set.count : 0 };
}

/**
 * Loss and accuracy of `model` on a set (inference mode).
 * @returns null when aborted
 */
export async function evaluateLossAccuracy(
  model: tf.LayersModel,
  set: ImageSet,
  batchSize = 500,
  signal?: AbortSignal,
): Promise<{ loss: number; accuracy: number } | null> {
  const p = await predictSet(model, set, batchSize, signal);
  if (!p) return null;
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (p.predicted[i] === set.labels[i]) correct++;
  return { loss: p.loss, accuracy: set.count ? correct / set.count : 0 };
}

/**
 * Full evaluation of a split: loss, accuracy, weighted precision/recall/F1 (the headline numbers,
 * as the original study reports them), macro averages, per-class report and confusion matrix.
 * @returns null when `options.signal` aborted between batches
 */
export async function evaluate(
  model: tf.LayersModel,
  split: ImageSet,
  options: { batchSize?: number; numClasses?: number; signal?: AbortSignal } = {},
): Promise<(SplitMetrics & { predictions: Predictions }) | null> {
  const predictions = await predictSet(model, split, options.batchSize ?? 500, options.signal);
  if (!predictions) return null;
  return { ...splitMetrics(split.labels, predictions.predicted, predictions.loss, options.numClasses ?? 10), predictions };
}

/** SplitMetrics from labels, predictions and the mean loss. */
export function splitMetrics(labels: ArrayLike<number>, predicted: ArrayLike<number>, loss: number, numClasses = 10): SplitMetrics {
  const matrix = confusionMatrix(labels, predicted, numClasses);
  const report = classificationReport(matrix);
  return {
    images: report.total,
    loss,
    accuracy: report.accuracy,
    precision: report.weighted.precision,
    recall: report.weighted.recall,
    f1: report.weighted.f1,
    macro: report.macro,
    weighted: report.weighted,
    perClass: report.perClass,
    confusionMatrix: matrix,
  };
}

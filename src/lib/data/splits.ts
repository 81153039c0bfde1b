/**
 * Fashion-MNIST splits and batches, without tfjs: a seeded stratified train/validation split of the
 * 60,000 training images, the 10,000 test images kept apart, scaling to [0, 1], and seeded
 * shuffled batching. Images stay as bytes (784 per image) until a batch is filled.
 */
import { createRng, deriveSeed, permutation, shuffleInPlace, type Rng } from "./random.ts";

/** Pixels per image (28 x 28 x 1). */
export const PIXELS = 784;

/** A set of images as raw bytes. images.length === count * 784, labels.length === count. */
export interface ImageSet {
  /** Row-major 28x28 grey-scale bytes in [0, 255], image after image. */
  images: Uint8Array;
  /** Labels in [0, 9]. */
  labels: Uint8Array;
  count: number;
}

/** The three splits a run uses. */
export interface Splits {
  train: ImageSet;
  validation: ImageSet;
  test: ImageSet;
  /** Index of each test image in the official test set (test image i is testIndices[i]). */
  testIndices: Int32Array;
}

/**
 * Seeded stratified split: from each class, `validationPerClass` images (chosen by a seeded shuffle)
 * go to validation, the rest to training. Fashion-MNIST has 6,000 training images per class, so
 * 600 per class gives the 54,000 / 6,000 split.
 * @returns index arrays into `labels`, each in a seeded shuffled order (a prefix is a random subset)
 * @throws when a class has fewer than `validationPerClass` images
 */
export function stratifiedSplit(labels: Uint8Array, validationPerClass: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const rng = createRng(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (const c of classes) {
    const indices = shuffleInPlace(byClass.get(c)!, rng);
    if (indices.length < validationPerClass) {
      throw new Error(`stratifiedSplit: class ${c} has ${indices.length} images, fewer than ${validationPerClass}`);
    }
    validation.push(...indices.slice(0, validationPerClass));
    train.push(...indices.slice(validationPerClass));
  }
  return {
    train: shuffleInPlace(Int32Array.from(train), rng),
    validation: shuffleInPlace(Int32Array.from(validation), rng),
  };
}

/** Copy the images and labels at `indices` into a new set. */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const images = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (j < 0 || j >= set.count) throw new Error(`subset: index ${j} outside a set of ${set.count} images`);
    images.set(set.images.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS);
    labels[i] = set.labels[j];
  }
  return { images, labels, count: indices.length };
}

/** The first `count` images of a set (a view, no copy). */
export function takeFirst(set: ImageSet, count: number): ImageSet {
  const n = Math.min(count, set.count);
  return { images: set.images.subarray(0, n * PIXELS), labels: set.labels.subarray(0, n), count: n };
}

/** How many images of each split a run uses, and the split seed. */
export interface SplitOptions {
  splitSeed: number;
  /**
   * Validation images per class taken out of training. Default: a tenth of the smallest class
   * (600 for Fashion-MNIST's 6,000 per class, giving 54,000 / 6,000).
   */
  validationPerClass?: number;
  trainImages?: number;
  validationImages?: number;
  testImages?: number;
}

/**
 * Build the train/validation/test splits from the official training and test sets. Capped splits
 * are prefixes of the seeded order, so smaller runs use random (and, for validation, near-balanced)
 * subsets; the test set is taken in a seeded order too when capped.
 */
export function makeSplits(trainSet: ImageSet, testSet: ImageSet, options: SplitOptions): Splits {
  const counts = classCounts(trainSet.labels).filter((c) => c > 0);
  const perClass = options.validationPerClass ?? Math.floor(Math.min(...counts) / 10);
  const { train, validation } = stratifiedSplit(trainSet.labels, perClass, options.splitSeed);
  const cap = (indices: Int32Array, n: number | undefined) => (n === undefined ? indices : indices.subarray(0, n));
  const testOrder =
    options.testImages !== undefined && options.testImages < testSet.count
      ? permutation(testSet.count, createRng(deriveSeed(options.splitSeed, 7)))
          .subarray(0, options.testImages)
          .sort()
      : null;
  const identity = () => Int32Array.from({ length: testSet.count }, (_, i) => i);
  return {
    train: subset(trainSet, cap(train, options.trainImages)),
    validation: subset(trainSet, cap(validation, options.validationImages)),
    test: testOrder ? subset(testSet, testOrder) : testSet,
    testIndices: testOrder ?? identity(),
  };
}

/** Count images per label (length numClasses). */
export function classCounts(labels: ArrayLike<number>, numClasses = 10): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/**
 * Scale bytes [0, 255] to floats [0, 1] into `out` (allocated when omitted).
 * @returns out, length bytes.length
 */
export function scaleToUnit(bytes: Uint8Array, out = new Float32Array(bytes.length)): Float32Array {
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}

/**
 * Seeded batches of indices for one epoch: a fresh permutation of 0..count-1, cut into batches of
 * `batchSize` (the last may be smaller). The epoch's order depends only on (seed, epoch).
 */
export function epochBatches(count: number, batchSize: number, seed: number, epoch: number): Int32Array[] {
  if (!(batchSize > 0)) throw new Error(`batch size must be positive, got ${batchSize}`);
  const order = permutation(count, createRng(deriveSeed(seed, epoch)));
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) batches.push(order.subarray(start, start + batchSize));
  return batches;
}

/**
 * Fill a batch: scaled pixels [n*784] in [0, 1] and labels [n] of the images at `indices`.
 * The buffers are reused when large enough.
 */
export function fillBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  pixels = new Float32Array(indices.length * PIXELS),
  labels = new Int32Array(indices.length),
): { pixels: Float32Array; labels: Int32Array } {
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    const src = j * PIXELS;
    const dst = i * PIXELS;
    for (let p = 0; p < PIXELS; p++) pixels[dst + p] = set.images[src + p] / 255;
    labels[i] = set.labels[j];
  }
  return { pixels: pixels.subarray(0, indices.length * PIXELS), labels: labels.subarray(0, indices.length) };
}

export type { Rng };

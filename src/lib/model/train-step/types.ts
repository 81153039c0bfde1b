/** The training step's public types (see ../train-step.ts). */
import type * as tf from "@tensorflow/tfjs";
import type { SavedTensor } from "../saved-tensors.ts";

/** Batch totals of one step, on the device; the caller disposes them. */
export interface StepTotals {
  /** Sum over the batch of each image's cross-entropy (nats), scalar. */
  lossSum: tf.Scalar;
  /** Number of images whose arg-max prediction equals the label, scalar float32. */
  correct: tf.Scalar;
}

/** Which implementation a {@link TrainStep} uses (see ../train-step.ts). */
export type TrainStepKind = "graph" | "tape" | "stock";

/** A training step bound to one model and one optimiser state. */
export interface TrainStep {
  readonly kind: TrainStepKind;
  /**
   * One step on a batch: updates the weights (and batch-norm moving statistics) and returns the
   * batch's loss and accuracy totals, computed before the update (as `trainOnBatch` reports them).
   * @param xs images [N,28,28,1] (any [N,...] the model takes), float32
   * @param ys one-hot targets [N,classes], float32
   * @param labels class indices [N], int32 (the arg-max of ys)
   */
  run(xs: tf.Tensor, ys: tf.Tensor2D, labels: tf.Tensor1D): Promise<StepTotals>;
  /** The optimiser's state as plain data, for a checkpoint (see `restoreOptimizer`). */
  saveOptimizer(): Promise<SavedTensor[]>;
  /**
   * Put a state from `saveOptimizer` of a step of the same kind and model back, so the next step
   * continues exactly as an uninterrupted run would.
   * @throws Error when the state does not fit this step's variables
   */
  restoreOptimizer(saved: readonly SavedTensor[]): Promise<void>;
  /** Frees the optimiser state. The model is left as it is. */
  dispose(): void;
}

/** Options of `createTrainStep`. */
export interface TrainStepOptions {
  /** Adam's learning rate, > 0. */
  learningRate: number;
  /** "fast" (default): "graph" when the model's layers allow it, else "tape". "stock": trainOnBatch. */
  mode?: "fast" | "stock";
}

/**
 * One training step (forward, backward, Adam) of a softmax classifier with categorical
 * cross-entropy, in as few tfjs kernels as possible, for the training loop of ./train.ts.
 *
 * Profiling `model.trainOnBatch` (batch 64) showed 1,100 tfjs kernels per step for the 3x64 ResNet
 * and 257 for the 32-64-3-64 CNN, where each kernel costs ~110 µs of CPU-side dispatch on a GPU
 * backend. Where they came from: tfjs's Adam (~14 kernels per variable), the autodiff tape (an
 * Identity per tensor it saves, Reshape/Cast around most gradients), batch norm's training path
 * (moments, the generic gradient of `batchNorm`, Tile), and loss and metrics (about 20).
 *
 * Three kinds of step, all with the same results within float32 rounding:
 * - "graph" (./train-step/graph-step.ts): the model's layer graph run by hand, forward with the
 *   layers' own kernels (FusedConv2D, MaxPool, BatchMatMul, FusedBatchNorm, ...), backward with
 *   closed-form gradients, then FusedAdam. Covers the layer kinds of ./builders.ts, one module each
 *   in ./train-step/layers/ (plan, forward, backward); tfjs internals go through
 *   ./train-step/tfjs-internals.ts.
 * - "tape" (./train-step/tape-step.ts): any other softmax model: `tf.variableGrads`, then FusedAdam.
 * - "stock" (./train-step/stock-step.ts): tfjs's `trainOnBatch` with `tf.train.adam` (reference and fallback).
 *
 * Loss and accuracy stay on the device as batch totals, so the loop can read them when it likes.
 */
import type * as tf from "@tensorflow/tfjs";
import { graphStep } from "./train-step/graph-step.ts";
import { planGraph } from "./train-step/plan.ts";
import { stockStep } from "./train-step/stock-step.ts";
import { tapeStep } from "./train-step/tape-step.ts";
import type { TrainStep, TrainStepOptions } from "./train-step/types.ts";

export type { StepTotals, TrainStep, TrainStepKind, TrainStepOptions } from "./train-step/types.ts";

/**
 * Builds the training step for `model`: categorical cross-entropy on its softmax output, Adam.
 * The model must end in a softmax (an Activation layer or a Dense layer's activation) for the
 * fast modes; "stock" accepts whatever `model.compile` does.
 */
export function createTrainStep(model: tf.LayersModel, options: TrainStepOptions): TrainStep {
  if (!(options.learningRate > 0)) throw new Error(`createTrainStep: learning rate must be positive, got ${options.learningRate}`);
  if (options.mode === "stock") return stockStep(model, options.learningRate);
  const plan = planGraph(model);
  return plan ? graphStep(model, plan, options.learningRate) : tapeStep(model, options.learningRate);
}

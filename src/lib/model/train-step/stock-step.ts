/** The "stock" step: tfjs's `model.compile` + `trainOnBatch` with `tf.train.adam` (reference and fallback). */
import * as tf from "@tensorflow/tfjs";
import { restoreAdamState, saveAdamState } from "./adam-state.ts";
import type { TrainStep } from "./types.ts";

export function stockStep(model: tf.LayersModel, learningRate: number): TrainStep {
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return {
    kind: "stock",
    async run(xs, ys) {
      const [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
      const n = xs.shape[0];
      return { lossSum: tf.scalar(loss * n), correct: tf.scalar(accuracy * n) };
    },
    saveOptimizer: () => saveAdamState(optimizer),
    restoreOptimizer: (saved) => restoreAdamState(optimizer, saved),
    dispose: () => optimizer.dispose(),
  };
}

/** The "tape" step: `tf.variableGrads` of the layers' own forward pass and loss, then {@link FusedAdam}. */
import * as tf from "@tensorflow/tfjs";
import { FusedAdam } from "../fused-adam.ts";
import { trainableVariables } from "./tfjs-internals.ts";
import type { TrainStep } from "./types.ts";

export function tapeStep(model: tf.LayersModel, learningRate: number): TrainStep {
  const optimizer = new FusedAdam(learningRate);
  const variables = trainableVariables(model);
  return {
    kind: "tape",
    async run(xs, ys, labels) {
      return tf.tidy(() => {
        let probs: tf.Tensor2D | null = null;
        const { value, grads } = tf.variableGrads(() => {
          probs = tf.keep(model.apply(xs, { training: true }) as tf.Tensor2D);
          return tf.mean(tf.metrics.categoricalCrossentropy(ys, probs)) as tf.Scalar;
        }, variables);
        optimizer.applyToVariables(
          variables,
          variables.map((v) => grads[v.name]),
        );
        const p = probs as unknown as tf.Tensor2D;
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), labels), "float32")) as tf.Scalar;
        return { lossSum: tf.mul(value, xs.shape[0]) as tf.Scalar, correct };
      });
    },
    saveOptimizer: () => optimizer.saveState(variables),
    restoreOptimizer: async (saved) => optimizer.restoreState(variables, saved),
    dispose: () => optimizer.dispose(),
  };
}

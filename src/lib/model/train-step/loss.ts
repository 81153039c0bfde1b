/** Categorical cross-entropy on a softmax output, as tfjs-layers computes it, with its gradient. */
import * as tf from "@tensorflow/tfjs";

/** Clip bounds of tfjs-layers' categorical cross-entropy (its backend epsilon). */
const EPSILON = 1e-7;

/**
 * Loss and accuracy totals of a batch, and d(mean loss)/d(logits).
 * @param probs softmax output [N,classes]
 * @param ys one-hot targets [N,classes]
 * @param labels class indices [N], int32
 */
export function crossEntropyTotals(probs: tf.Tensor2D, ys: tf.Tensor2D, labels: tf.Tensor1D): { lossSum: tf.Scalar; correct: tf.Scalar; dLogits: tf.Tensor2D } {
  const n = probs.shape[0];
  // tfjs-layers clips p(true class) to [eps, 1 - eps] before the log; where the clip bites, its
  // gradient is 0, hence the mask.
  const pTrue = tf.sum(tf.mul(ys, probs), 1, true);
  const clipped = tf.clipByValue(pTrue, EPSILON, 1 - EPSILON);
  const lossSum = tf.neg(tf.sum(tf.log(clipped))) as tf.Scalar;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), "float32")) as tf.Scalar;
  const scale = tf.mul(tf.cast(tf.equal(clipped, pTrue), "float32"), 1 / n);
  const dLogits = tf.mul(tf.sub(probs, ys), scale) as tf.Tensor2D;
  return { lossSum, correct, dLogits };
}

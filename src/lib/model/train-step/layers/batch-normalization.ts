/**
 * BatchNormalization on the last axis, with center and scale: batch statistics forward (and the
 * moving statistics updated as tfjs-layers does), closed-form gradients backward in 12 kernels,
 * one reused FusedBatchNorm among them.
 */
import * as tf from "@tensorflow/tfjs";
import type { LayerKind } from "../layer-kind.ts";
import { batchNormSettings, layerWeight, runKernel } from "../tfjs-internals.ts";

/** What the backward pass needs: x - mean, the batch variance [C], the element count per channel. */
interface Kept {
  centered: tf.Tensor;
  variance: tf.Tensor;
  count: number;
}

export const batchNormalization: LayerKind<Kept> = {
  className: "BatchNormalization",
  plan(layer, config, [input]) {
    const rank = (layer.inputSpec?.[0]?.ndim ?? input.length) as number;
    return (config.axis === -1 || config.axis === rank - 1) && config.center === true && config.scale === true ? "linear" : null;
  },
  forward(node, [x]) {
    const { momentum, epsilon } = batchNormSettings(node.layer);
    const axes = x.shape.slice(0, -1).map((_, k) => k);
    const mean = runKernel("Mean", { x }, { axis: axes, keepDims: false });
    const centered = tf.sub(x, mean);
    const variance = runKernel("Mean", { x: tf.square(centered) }, { axis: axes, keepDims: false });
    const y = runKernel(
      "FusedBatchNorm",
      { x, mean, variance, offset: layerWeight(node.layer, "beta").read(), scale: layerWeight(node.layer, "gamma").read() },
      { varianceEpsilon: epsilon },
    );
    // The moving statistics, as tfjs-layers updates them: v - (v - batch value) * (1 - momentum).
    const decay = 1 - momentum;
    for (const [name, value] of [
      ["movingMean", mean],
      ["movingVariance", variance],
    ] as const) {
      const moving = layerWeight(node.layer, name);
      const old = moving.read();
      moving.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
    }
    return { y, kept: { centered, variance, count: x.size / x.shape[x.rank - 1] } };
  },
  backward({ node, dy, kept: { centered, variance, count }, needsDx, passDx, learn }) {
    const gamma = layerWeight(node.layer, "gamma");
    const { epsilon } = batchNormSettings(node.layer);
    const axes = dy.shape.slice(0, -1).map((_, k) => k);
    const dBeta = tf.sum(dy, axes);
    const dyDotCentered = tf.sum(tf.mul(dy, centered), axes);
    const varEps = tf.add(variance, epsilon);
    if (node.layer.trainable) {
      learn(gamma, tf.mul(dyDotCentered, tf.rsqrt(varEps)));
      learn(layerWeight(node.layer, "beta"), dBeta);
    }
    if (needsDx(0)) {
      // dx = gamma/sigma * (dy - mean(dy) - centered * sum(dy*centered) / (count * sigma^2)),
      // sigma = sqrt(var + eps): the last affine step is FusedBatchNorm with the same variance.
      const q = tf.div(dyDotCentered, tf.mul(varEps, count));
      const u = tf.sub(dy, tf.mul(centered, q));
      passDx(0, runKernel("FusedBatchNorm", { x: u, mean: tf.div(dBeta, count), variance, scale: gamma.read() }, { varianceEpsilon: epsilon }));
    }
  },
};

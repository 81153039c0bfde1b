/** Dense on a rank-2 input (relu, linear, or softmax as the model's output). */
import * as tf from "@tensorflow/tfjs";
import { plannedActivation, reluGrad, type LayerKind } from "../layer-kind.ts";
import { layerWeight, runKernel } from "../tfjs-internals.ts";

export const dense: LayerKind = {
  className: "Dense",
  plan: (_layer, config, [input]) => (input.length === 2 ? plannedActivation(config) : null),
  forward(node, [x]) {
    // BatchMatMul + Add + Relu, as tfjs-layers runs a Dense layer under a gradient tape
    // (wasm's _FusedMatMul takes rank-3 operands only, which would cost three Reshapes).
    let y = runKernel("BatchMatMul", { a: x, b: layerWeight(node.layer, "kernel").read() }, { transposeA: false, transposeB: false });
    if (node.config.useBias) y = tf.add(y, layerWeight(node.layer, "bias").read());
    if (node.activation === "relu") y = tf.relu(y);
    return { y, kept: undefined };
  },
  backward({ node, dy, x, y, needsDx, passDx, learn }) {
    if (node.activation === "relu") dy = reluGrad(dy, y);
    const kernel = layerWeight(node.layer, "kernel");
    if (node.layer.trainable) {
      learn(kernel, runKernel("BatchMatMul", { a: x, b: dy }, { transposeA: true, transposeB: false }));
      if (node.config.useBias) learn(layerWeight(node.layer, "bias"), tf.sum(dy, 0));
    }
    if (needsDx(0)) passDx(0, runKernel("BatchMatMul", { a: dy, b: kernel.read() }, { transposeA: false, transposeB: true }));
  },
};

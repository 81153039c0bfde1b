/** Activation: relu, linear, or softmax as the model's output (its gradient is folded into the loss's). */
import * as tf from "@tensorflow/tfjs";
import { plannedActivation, reluGrad, type LayerKind } from "../layer-kind.ts";

export const activation: LayerKind = {
  className: "Activation",
  plan: (_layer, config) => plannedActivation(config),
  forward: (node, [x]) => ({ y: node.activation === "relu" ? tf.relu(x) : x, kept: undefined }),
  backward({ node, dy, y, needsDx, passDx }) {
    if (needsDx(0)) passDx(0, node.activation === "relu" ? reluGrad(dy, y) : dy);
  },
};

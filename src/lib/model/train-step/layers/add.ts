/** Add of two tensors: the gradient goes to both. */
import * as tf from "@tensorflow/tfjs";
import type { LayerKind } from "../layer-kind.ts";

export const add: LayerKind = {
  className: "Add",
  plan: (_layer, _config, inputs) => (inputs.length === 2 ? "linear" : null),
  forward: (_node, [a, b]) => ({ y: tf.add(a, b), kept: undefined }),
  backward({ node, dy, needsDx, passDx }) {
    node.inputs.forEach((_, k) => needsDx(k) && passDx(k, dy));
  },
};

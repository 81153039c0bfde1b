/** MaxPooling2D ('same' or 'valid'): MaxPool and MaxPoolGrad. */
import { toPair, type LayerKind } from "../layer-kind.ts";
import { runKernel } from "../tfjs-internals.ts";
import type * as tf from "@tensorflow/tfjs";

const poolAttrs = (config: tf.serialization.ConfigDict) => ({
  filterSize: toPair(config.poolSize),
  strides: toPair(config.strides ?? config.poolSize),
  pad: config.padding,
  dimRoundingMode: undefined,
});

export const maxPooling2d: LayerKind = {
  className: "MaxPooling2D",
  plan: (_layer, config) => (config.dataFormat === "channelsLast" && (config.padding === "same" || config.padding === "valid") ? "linear" : null),
  forward: (node, [x]) => ({ y: runKernel("MaxPool", { x }, poolAttrs(node.config)), kept: undefined }),
  backward({ node, dy, x, y, needsDx, passDx }) {
    if (needsDx(0)) passDx(0, runKernel("MaxPoolGrad", { dy, input: x, output: y }, poolAttrs(node.config)));
  },
};

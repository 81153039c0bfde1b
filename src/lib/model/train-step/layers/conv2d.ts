/** Conv2D (stride 1, no dilation, 'same' or 'valid', relu or linear): FusedConv2D and its two backprops. */
import * as tf from "@tensorflow/tfjs";
import { allEqual, plannedActivation, reluGrad, type LayerKind } from "../layer-kind.ts";
import { layerWeight, runKernel } from "../tfjs-internals.ts";

export const conv2d: LayerKind = {
  className: "Conv2D",
  plan(_layer, config) {
    const activation = plannedActivation(config);
    if (activation === null || activation === "softmax") return null;
    if (!allEqual(config.strides, 1) || !allEqual(config.dilationRate, 1) || config.dataFormat !== "channelsLast") return null;
    return config.padding === "same" || config.padding === "valid" ? activation : null;
  },
  forward(node, [x]) {
    const inputs: tf.NamedTensorMap = { x, filter: layerWeight(node.layer, "kernel").read() };
    if (node.config.useBias) inputs.bias = layerWeight(node.layer, "bias").read();
    const y = runKernel("FusedConv2D", inputs, {
      strides: [1, 1],
      pad: node.config.padding,
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: undefined,
      activation: node.activation,
    });
    return { y, kept: undefined };
  },
  backward({ node, dy, x, y, needsDx, passDx, learn }) {
    if (node.activation === "relu") dy = reluGrad(dy, y);
    const filter = layerWeight(node.layer, "kernel");
    const attrs = { strides: [1, 1], pad: node.config.padding, dataFormat: "NHWC", dimRoundingMode: undefined };
    if (node.layer.trainable) {
      learn(filter, runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: filter.read().shape }));
      if (node.config.useBias) learn(layerWeight(node.layer, "bias"), tf.sum(dy, [0, 1, 2]));
    }
    if (needsDx(0)) passDx(0, runKernel("Conv2DBackpropInput", { dy, filter: filter.read() }, { ...attrs, inputShape: x.shape }));
  },
};

/** GlobalAveragePooling2D (channels last): a Mean over rows and columns; its gradient spreads dy evenly. */
import * as tf from "@tensorflow/tfjs";
import type { LayerKind } from "../layer-kind.ts";
import { runKernel } from "../tfjs-internals.ts";

export const globalAveragePooling2d: LayerKind = {
  className: "GlobalAveragePooling2D",
  plan: (_layer, config) => (config.dataFormat === "channelsLast" ? "linear" : null),
  forward: (_node, [x]) => ({ y: runKernel("Mean", { x }, { axis: [1, 2], keepDims: false }), kept: undefined }),
  backward({ dy, x, needsDx, passDx, constants }) {
    const [, h, w] = x.shape;
    // Each pixel's share of the mean, [1,h,w,1], made once per input size.
    const share = constants(`gap-share-${h}x${w}`, () => tf.fill([1, h, w, 1], 1 / (h * w)));
    if (needsDx(0)) passDx(0, tf.mul(runKernel("Reshape", { x: dy }, { shape: [dy.shape[0], 1, 1, dy.shape[1]] }), share));
  },
};

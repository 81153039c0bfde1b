/** Flatten (channels last): a Reshape each way. */
import type { LayerKind } from "../layer-kind.ts";
import { runKernel } from "../tfjs-internals.ts";

export const flatten: LayerKind = {
  className: "Flatten",
  plan: (_layer, config) => (config.dataFormat == null || config.dataFormat === "channelsLast" ? "linear" : null),
  forward: (_node, [x]) => ({ y: runKernel("Reshape", { x }, { shape: [x.shape[0], x.size / x.shape[0]] }), kept: undefined }),
  backward({ dy, x, needsDx, passDx }) {
    if (needsDx(0)) passDx(0, runKernel("Reshape", { x: dy }, { shape: x.shape }));
  },
};

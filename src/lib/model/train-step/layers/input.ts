/** InputLayer: the model's batch; nothing to learn and no gradient to pass on. */
import type { LayerKind } from "../layer-kind.ts";

export const inputLayer: LayerKind = {
  className: "InputLayer",
  plan: () => "linear",
  forward: (_node, [batch]) => ({ y: batch, kept: undefined }),
  backward: () => {},
};

/** The layer kinds the "graph" step covers, by tfjs-layers class name. */
import type { AnyLayerKind } from "../layer-kind.ts";
import { activation } from "./activation.ts";
import { add } from "./add.ts";
import { batchNormalization } from "./batch-normalization.ts";
import { conv2d } from "./conv2d.ts";
import { dense } from "./dense.ts";
import { flatten } from "./flatten.ts";
import { globalAveragePooling2d } from "./global-average-pooling2d.ts";
import { inputLayer } from "./input.ts";
import { maxPooling2d } from "./max-pooling2d.ts";

export { inputLayer };

export const LAYER_KINDS: ReadonlyMap<string, AnyLayerKind> = new Map(
  [inputLayer, conv2d, maxPooling2d, flatten, dense, activation, batchNormalization, add, globalAveragePooling2d].map((k) => [k.className, k]),
);

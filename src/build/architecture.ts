/**
 * Layer-by-layer descriptions of the two model families for the Methodology page (Node only, at
 * build time): the real tfjs models are built by `buildModel` and described, so the page cannot
 * drift from the code that trains them.
 */
import * as tf from "@tensorflow/tfjs";
import { buildModel, describeLayers } from "../lib/model/builders.ts";
import type { ModelConfig } from "../lib/study/schema.ts";

/** One layer: name, Keras class, output shape ("[N,26,26,32]") and trainable + non-trainable parameters. */
export type LayerDescription = ReturnType<typeof describeLayers>[number];

/** A configuration's layers and parameter count. */
export interface Architecture {
  layers: LayerDescription[];
  parameters: number;
}

/**
 * Build the configuration's model, describe it, and dispose of it.
 * @param config any configuration of either family
 */
export function describeArchitecture(config: ModelConfig): Architecture {
  const model = buildModel(config);
  try {
    return { layers: describeLayers(model), parameters: model.countParams() };
  } finally {
    model.dispose();
  }
}

/** The tfjs version the models are built with. */
export const TFJS_VERSION = tf.version.tfjs;

/**
 * Layer-by-layer descriptions of the two model families for the Methodology page (Node only, at
 * build time): the real tfjs models are built by `buildModel` and described, so the page cannot
 * drift from the code that trains them.
 */
import * as tf from "@tensorflow/tfjs";
import { buildModel, describeLayers } from "../lib/model/builders.ts";
import type { ModelConfig } from "../lib/study/schema.ts";

// tfjs's cpu backend greets its first tensor in Node with an "install tfjs-node to speed things
// up" banner (a warning that production mode silences). These models are built only to be
// described, never trained, so the advice does not apply and would only clutter the build log.
tf.enableProdMode();

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

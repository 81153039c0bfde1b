/**
 * The tfjs internals the hand-written training step reads, in one place: kernels run by name,
 * a layer's weight variables, the symbolic graph of a LayersModel, batch norm's settings and
 * tfjs Adam's running beta powers. tfjs 4.x exposes none of them in its public types.
 */
import * as tf from "@tensorflow/tfjs";

/** Runs one registered kernel by name (as tfjs ops do), without an op wrapper's checks or casts. */
export function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** A layer's weight as tfjs-layers keeps it (its `LayerVariable`). */
export interface LayerVariable {
  read(): tf.Variable;
  write(value: tf.Tensor): unknown;
  trainable: boolean;
}

/**
 * The weight `name` of `layer` (`kernel`, `bias`, `gamma`, `beta`, `movingMean`, `movingVariance`).
 * @throws Error when the layer has none
 */
export function layerWeight(layer: tf.layers.Layer, name: string): LayerVariable {
  const v = (layer as unknown as Record<string, LayerVariable | null>)[name];
  if (v == null) throw new Error(`train-step: layer '${layer.name}' has no '${name}' weight`);
  return v;
}

/** The model's trainable variables, in `model.trainableWeights` order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** A symbolic tensor of a LayersModel's graph: the output `nodeIndex` of `sourceLayer`. */
export interface SymbolicRef {
  id: number;
  sourceLayer: tf.layers.Layer;
  nodeIndex: number;
  shape: (number | null)[];
}

/** The model's single input and output tensors, or null when it has several of either. */
export function modelEnds(model: tf.LayersModel): { input: SymbolicRef; output: SymbolicRef } | null {
  if (model.outputs.length !== 1 || model.inputs.length !== 1) return null;
  return { input: model.inputs[0] as unknown as SymbolicRef, output: model.outputs[0] as unknown as SymbolicRef };
}

/** The tensors a layer application `t` consumed (none for an InputLayer). */
export function inputsOf(t: SymbolicRef): SymbolicRef[] {
  if (t.sourceLayer.getClassName() === "InputLayer") return [];
  const inbound = (t.sourceLayer as unknown as { inboundNodes: { inputTensors: SymbolicRef[] }[] }).inboundNodes[t.nodeIndex];
  return inbound.inputTensors;
}

/** A batch-normalization layer's settings (tfjs-layers keeps them as plain fields). */
export interface BatchNormSettings {
  momentum: number;
  epsilon: number;
}

/** The batch-norm settings of `layer`, writable (see `recalibrateBatchNorm`). */
export function batchNormSettings(layer: tf.layers.Layer): BatchNormSettings {
  return layer as unknown as BatchNormSettings;
}

/** tfjs Adam's private running powers of beta1 and beta2 (tfjs-core 4.x keeps them as scalar variables). */
export function adamBetaPowers(optimizer: tf.Optimizer): { accBeta1?: tf.Variable; accBeta2?: tf.Variable } {
  return optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
}

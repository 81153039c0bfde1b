/**
 * Model builders for the two families of the study, with seeded weight initialisation.
 *
 * Choices the original write-up leaves open (documented on the Methodology page):
 * - Keras defaults everywhere it is silent: 'valid' padding for the CNN's convolutions, 2x2 max
 *   pooling, Glorot-uniform kernels and zero biases.
 * - The classifier is split into a linear `logits` layer and a separate `softmax` activation, so
 *   Grad-CAM can take gradients of the pre-softmax score; the network computes the same function.
 * - ResNet: the stem is a 3x3 'same' conv with `filters` channels, batch norm, ReLU and a 2x2 max
 *   pool (28x28 -> 14x14, a quarter of the cost of full resolution); each residual block is
 *   conv3x3-BN-ReLU-conv3x3-BN, added to the block input (identity skip, no projection since the
 *   channel count never changes), then ReLU; global average pooling; logits; softmax.
 *   Convolutions followed by batch norm carry no bias (the norm's beta replaces it).
 */
import * as tf from "@tensorflow/tfjs";
import type { CnnConfig, ModelConfig, ResNetConfig } from "../study/schema.ts";
import { deriveSeed } from "../data/random.ts";
import { IMAGE_SIZE, NUM_CLASSES, rowId } from "../study/study.ts";

/** Seeded Glorot-uniform initialiser factory; each layer gets its own derived seed. */
function seededInit(seed: number) {
  let layer = 0;
  return () => tf.initializers.glorotUniform({ seed: deriveSeed(seed, ++layer) });
}

/**
 * The 2-conv CNN: input [N,28,28,1] -> conv1 (conv1 filters, kernel x kernel, valid, ReLU) ->
 * pool1 (2x2) -> conv2 (conv2 filters, kernel x kernel, valid, ReLU) -> pool2 (2x2) -> flatten ->
 * dense (dense units, ReLU) -> logits (10) -> softmax: output [N,10] probabilities.
 * Layer names: conv1, pool1, conv2, pool2, flatten, dense, logits, softmax.
 */
export function buildCnn(config: Omit<CnnConfig, "family">, seed = 1): tf.LayersModel {
  const init = seededInit(seed);
  const { conv1, conv2, kernel, dense } = config;
  const afterConv1 = IMAGE_SIZE - kernel + 1;
  const afterConv2 = Math.floor(afterConv1 / 2) - kernel + 1;
  if (afterConv2 < 2) throw new Error(`buildCnn: kernel ${kernel} is too large for 28x28 inputs with two valid convolutions`);
  const model = tf.sequential({ name: `cnn-${conv1}-${conv2}-${kernel}-${dense}` });
  model.add(
    tf.layers.conv2d({
      name: "conv1",
      inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
      filters: conv1,
      kernelSize: kernel,
      activation: "relu",
      padding: "valid",
      kernelInitializer: init(),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: "pool1", poolSize: 2 }));
  model.add(tf.layers.conv2d({ name: "conv2", filters: conv2, kernelSize: kernel, activation: "relu", padding: "valid", kernelInitializer: init() }));
  model.add(tf.layers.maxPooling2d({ name: "pool2", poolSize: 2 }));
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(tf.layers.dense({ name: "dense", units: dense, activation: "relu", kernelInitializer: init() }));
  model.add(tf.layers.dense({ name: "logits", units: NUM_CLASSES, kernelInitializer: init() }));
  model.add(tf.layers.activation({ name: "softmax", activation: "softmax" }));
  return model;
}

/**
 * The ResNet-style net: input [N,28,28,1] -> stem (conv 3x3 same, `filters`, BN, ReLU, 2x2 max pool
 * to 14x14, left out when `stemPool` is false) -> `blocks` x residual block -> global average
 * pooling -> logits (10) -> softmax. The model name is the row id (`resnet-3x64`, `resnet-3x64-nopool`).
 * Residual block i (1-based): block{i}_conv1, block{i}_bn1, block{i}_relu1, block{i}_conv2,
 * block{i}_bn2, block{i}_add, block{i}_out (ReLU; the block output Grad-CAM can target).
 */
export function buildResNet(config: Omit<ResNetConfig, "family">, seed = 1): tf.LayersModel {
  const init = seededInit(seed);
  const { blocks, filters } = config;
  const modelName = rowId({ family: "resnet", ...config });
  const conv = (name: string) => tf.layers.conv2d({ name, filters, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: init() });
  const bn = (name: string) => tf.layers.batchNormalization({ name, axis: -1, momentum: 0.99, epsilon: 1e-3 });
  const relu = (name: string) => tf.layers.activation({ name, activation: "relu" });

  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: "image" });
  let x = conv("stem_conv").apply(input) as tf.SymbolicTensor;
  x = bn("stem_bn").apply(x) as tf.SymbolicTensor;
  x = relu("stem_relu").apply(x) as tf.SymbolicTensor;
  // The study's rows pool to 14x14 here; the `-nopool` ablation keeps 28x28 (4x the block convolutions' work).
  if (config.stemPool !== false) x = tf.layers.maxPooling2d({ name: "stem_pool", poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  for (let b = 1; b <= blocks; b++) {
    const skip = x;
    let y = conv(`block${b}_conv1`).apply(x) as tf.SymbolicTensor;
    y = bn(`block${b}_bn1`).apply(y) as tf.SymbolicTensor;
    y = relu(`block${b}_relu1`).apply(y) as tf.SymbolicTensor;
    y = conv(`block${b}_conv2`).apply(y) as tf.SymbolicTensor;
    y = bn(`block${b}_bn2`).apply(y) as tf.SymbolicTensor;
    y = tf.layers.add({ name: `block${b}_add` }).apply([y, skip]) as tf.SymbolicTensor;
    x = relu(`block${b}_out`).apply(y) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ name: "logits", units: NUM_CLASSES, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.activation({ name: "softmax", activation: "softmax" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: modelName });
}

/** Build the model of any configuration of either family. */
export function buildModel(config: ModelConfig, seed = 1): tf.LayersModel {
  return config.family === "cnn" ? buildCnn(config, seed) : buildResNet(config, seed);
}

/**
 * Names of the layers Grad-CAM can target, in network order: the CNN's conv layers, or the
 * ResNet's stem and block outputs.
 */
export function convLayerNames(model: tf.LayersModel): string[] {
  return model.layers.map((l) => l.name).filter((name) => /^conv\d+$/.test(name) || name === "stem_relu" || /^block\d+_out$/.test(name));
}

/** A short human description of each layer: name, class and output shape (for docs and the UI). */
export function describeLayers(model: tf.LayersModel): { name: string; type: string; outputShape: string; params: number }[] {
  return model.layers.map((l) => ({
    name: l.name,
    type: l.getClassName(),
    outputShape: JSON.stringify(l.outputShape).replace(/null/g, "N"),
    params: l.countParams(),
  }));
}

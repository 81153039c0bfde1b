/**
 * Grad-CAM (Selvaraju et al., 2017) for the study's models: which parts of an image made a
 * convolutional layer's activations count for a class.
 *
 * For a layer with activations A [h, w, c] and the class's pre-softmax score y (the `logits`
 * layer, which is linear), the channel weights are the spatial means of dy/dA, the map is
 * ReLU(sum over channels of weight * A), scaled so its maximum is 1 and resized bilinearly to 28x28.
 *
 * The network is cut at the layer: the head (input -> layer) runs once, and the tail (layer ->
 * logits) is replayed from the layer's activations by applying the model's own layers to concrete
 * tensors in graph order, so tf.grad can differentiate the score with respect to them. This works
 * for the sequential CNN at any layer and for the ResNet at any block output or the stem's ReLU,
 * because no later layer reads anything computed before those cuts; a cut inside a residual block
 * (where the skip bypasses it) is rejected with an error. Every layer is applied with
 * `training: false`: batch norm uses its moving statistics and dropout is off.
 */
import * as tf from "@tensorflow/tfjs";
import { normalizeByMax, resizeBilinear } from "../charts/heatmap.ts";
import { convLayerNames } from "./builders.ts";
import { IMAGE_SIZE, NUM_CLASSES } from "../study/study.ts";

/** What to explain. */
export interface GradCamOptions {
  /** Name of the layer whose activations are weighted, one of {@link gradCamLayers}. */
  layer: string;
  /** Class index 0..9 whose score is explained; default: the predicted class. */
  targetClass?: number;
}

/** A Grad-CAM map and the prediction it belongs to (plain arrays; no tensors). */
export interface GradCamResult {
  /**
   * Row-major [28, 28] map in [0, 1]: maximum 1, or all zeros when no location has positive
   * evidence for the target class at this layer (then `maxEvidence` is 0).
   */
  heatmap: Float32Array;
  /** The same map at the layer's own resolution, row-major `rawShape`, in [0, 1]. */
  raw: Float32Array;
  /** [height, width] of the layer's activations (e.g. [26, 26] for the CNN's conv1). */
  rawShape: [number, number];
  /** Maximum of the map before scaling (in units of the layer's activations times score gradient). */
  maxEvidence: number;
  /** Softmax probabilities of the 10 classes, summing to 1. */
  probabilities: Float32Array;
  /** Argmax of `probabilities`. */
  predicted: number;
  /** The class that was explained. */
  targetClass: number;
  layer: string;
}

/** The cut of one model at one layer: what the head computes and where the tail must end. */
interface Plan {
  cut: tf.SymbolicTensor;
  logits: tf.SymbolicTensor;
}

const plans = new WeakMap<tf.LayersModel, Map<string, Plan>>();

/**
 * Names of the layers Grad-CAM can target, in network order: conv1, conv2 for the CNN;
 * stem_relu and block{i}_out for the ResNet.
 */
export function gradCamLayers(model: tf.LayersModel): string[] {
  return convLayerNames(model);
}

function planFor(model: tf.LayersModel, layerName: string): Plan {
  let byLayer = plans.get(model);
  if (!byLayer) plans.set(model, (byLayer = new Map()));
  const cached = byLayer.get(layerName);
  if (cached) return cached;
  const names = model.layers.map((l) => l.name);
  if (!names.includes(layerName)) {
    throw new Error(`Grad-CAM: the model has no layer "${layerName}"; its convolutional layers are ${gradCamLayers(model).join(", ") || "none"}`);
  }
  if (!names.includes("logits")) {
    throw new Error('Grad-CAM: the model needs a linear layer named "logits" before its softmax (the models of src/lib/model/builders.ts have one)');
  }
  const cut = model.getLayer(layerName).output;
  const logits = model.getLayer("logits").output;
  if (Array.isArray(cut) || Array.isArray(logits)) throw new Error("Grad-CAM: layers with several outputs are not supported");
  if (cut.shape.length !== 4) {
    throw new Error(`Grad-CAM: layer "${layerName}" outputs shape ${JSON.stringify(cut.shape)}, not a [N, h, w, c] feature map`);
  }
  // Check once, symbolically, that the tail only depends on the cut (see the module comment).
  const reachesInput = (t: tf.SymbolicTensor, seen: Set<number>): boolean => {
    if (t.id === cut.id || seen.has(t.id)) return false;
    seen.add(t.id);
    if (t.inputs.length === 0) return true;
    return t.inputs.some((s) => reachesInput(s, seen));
  };
  if (reachesInput(logits, new Set())) {
    throw new Error(
      `Grad-CAM: layer "${layerName}" cannot be a target: later layers also read activations from before it ` +
        `(e.g. a residual skip); use one of ${gradCamLayers(model).join(", ")}`,
    );
  }
  const plan = { cut, logits };
  byLayer.set(layerName, plan);
  return plan;
}

interface Conv2DConfig {
  strides: number | [number, number];
  padding: "valid" | "same";
  dataFormat: string;
  dilationRate: number | [number, number];
  useBias: boolean;
}

/**
 * A Conv2D layer's function without tfjs's fused kernel. Under a gradient tape tfjs runs a conv
 * with linear activation (all of the ResNet's) through a custom gradient that also computes the
 * kernel's gradient, which Grad-CAM never needs: that made a ResNet stem map cost 5x more on wasm
 * and over 100x more on the cpu backend. The plain ops' gradients are computed only where needed.
 * @returns null when the layer is not a channels-last Conv2D (then the layer itself is applied)
 */
function applyConv2d(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor | null {
  if (layer.getClassName() !== "Conv2D") return null;
  const config = layer.getConfig() as unknown as Conv2DConfig;
  const activation = (layer as unknown as { activation?: { apply(t: tf.Tensor): tf.Tensor } }).activation;
  if (config.dataFormat !== "channelsLast" || typeof activation?.apply !== "function") return null;
  const [kernel, bias] = layer.getWeights();
  const pair = (v: number | [number, number]): [number, number] => (typeof v === "number" ? [v, v] : v);
  let y = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, pair(config.strides), config.padding, "NHWC", pair(config.dilationRate));
  if (config.useBias) y = tf.add(y, bias);
  return activation.apply(y);
}

/**
 * Evaluate symbolic tensors of a model's graph on concrete tensors: `feeds` maps symbolic tensor
 * ids to values; everything else is computed by applying its source layer (in inference mode) to
 * the values of its inputs. Call inside tf.tidy. `underTape`: convolutions avoid the fused kernel
 * (see applyConv2d); outside a gradient the fused kernel is the faster one.
 */
function replay(target: tf.SymbolicTensor, feeds: Map<number, tf.Tensor>, underTape = false): tf.Tensor {
  const memo = new Map(feeds);
  const value = (t: tf.SymbolicTensor): tf.Tensor => {
    const known = memo.get(t.id);
    if (known) return known;
    if (t.inputs.length === 0) throw new Error(`Grad-CAM: no value for the graph input "${t.name}"`);
    const inputs = t.inputs.map(value);
    const out =
      (underTape && inputs.length === 1 ? applyConv2d(t.sourceLayer, inputs[0]) : null) ??
      (t.sourceLayer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor | tf.Tensor[]);
    const result = Array.isArray(out) ? out[t.outputTensorIndex ?? 0] : out;
    memo.set(t.id, result);
    return result;
  };
  return value(target);
}

function toInput(image: Float32Array | tf.Tensor): tf.Tensor4D {
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  if (image instanceof tf.Tensor) {
    if (image.size !== pixels) throw new Error(`Grad-CAM: expected one 28x28 image (784 values), got a tensor of shape ${JSON.stringify(image.shape)}`);
    return tf.reshape(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1]).toFloat() as tf.Tensor4D;
  }
  if (!(image instanceof Float32Array) || image.length !== pixels) {
    throw new Error(
      `Grad-CAM: expected a Float32Array of 784 pixels in [0, 1], got ${image?.constructor?.name ?? typeof image} of length ${(image as { length?: number })?.length}`,
    );
  }
  return tf.tensor4d(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/**
 * Grad-CAM of one image at one layer.
 * @param model a model of src/lib/model/builders.ts (or any tfjs layers model with a linear `logits`
 *   layer whose tail after `layer` reads nothing from before it)
 * @param image 784 pixels in [0, 1] (row-major 28x28), or a tensor with 784 elements
 * @param options layer to explain, and the target class (default: the predicted one)
 * @returns the normalised 28x28 map, the map at the layer's resolution, the probabilities and
 *   the predicted class; creates no lasting tensors
 * @throws on an unknown layer, a layer that cannot be cut, a bad image or a bad target class
 */
export async function computeGradCam(model: tf.LayersModel, image: Float32Array | tf.Tensor, options: GradCamOptions): Promise<GradCamResult> {
  const { layer } = options;
  const plan = planFor(model, layer);
  let { targetClass } = options;
  const classes = (plan.logits.shape[plan.logits.shape.length - 1] ?? NUM_CLASSES) as number;
  if (targetClass !== undefined && !(Number.isInteger(targetClass) && targetClass >= 0 && targetClass < classes)) {
    throw new Error(`Grad-CAM: targetClass must be an integer in 0..${classes - 1}, got ${targetClass}`);
  }
  const keep: tf.Tensor[] = [];
  try {
    const [activation, probs] = tf.tidy(() => {
      const input = toInput(image);
      const a = replay(plan.cut, new Map([[model.inputs[0].id, input]]));
      const logits = replay(plan.logits, new Map([[plan.cut.id, a]]));
      return [a, tf.softmax(logits)];
    });
    keep.push(activation, probs);
    const probabilities = (await probs.data()) as Float32Array;
    let predicted = 0;
    for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[predicted]) predicted = c;
    targetClass ??= predicted;
    const target = targetClass;

    const cam = tf.tidy(() => {
      const score = (a: tf.Tensor) => replay(plan.logits, new Map([[plan.cut.id, a]]), true);
      const dy = tf.oneHot(tf.tensor1d([target], "int32"), classes).toFloat();
      const grads = tf.grad(score)(activation, dy);
      const weights = tf.mean(grads, [1, 2], true); // [1, 1, 1, c]
      return tf.relu(tf.sum(tf.mul(activation, weights), -1)).squeeze([0]); // [h, w]
    });
    keep.push(cam);
    const [h, w] = cam.shape as [number, number];
    const { normalized, max } = normalizeByMax(await cam.data());
    return {
      // Normalised again after resizing: interpolation can lower a one-cell-wide peak.
      heatmap: normalizeByMax(resizeBilinear(normalized, h, w, IMAGE_SIZE, IMAGE_SIZE)).normalized,
      raw: normalized,
      rawShape: [h, w],
      maxEvidence: max,
      probabilities: Float32Array.from(probabilities),
      predicted,
      targetClass: target,
      layer,
    };
  } finally {
    tf.dispose(keep);
  }
}

/**
 * One training step (forward, backward, Adam) of a softmax classifier with categorical
 * cross-entropy, in as few tfjs kernels as possible, for the training loop of ./train.ts.
 *
 * Profiling `model.trainOnBatch` (batch 64) showed 1,100 tfjs kernels per step for the 3x64 ResNet
 * and 257 for the 32-64-3-64 CNN, where each kernel costs ~110 µs of CPU-side dispatch on a GPU
 * backend. Where they came from: tfjs's Adam (~14 kernels per variable), the autodiff tape (an
 * Identity per tensor it saves, Reshape/Cast around most gradients), batch norm's training path
 * (moments, the generic gradient of `batchNorm`, Tile), and loss and metrics (about 20).
 *
 * Three kinds of step, all with the same results within float32 rounding:
 * - "graph": the model's layer graph run by hand: forward with the layers' own kernels
 *   (FusedConv2D, MaxPool, BatchMatMul, FusedBatchNorm, ...), backward with closed-form gradients
 *   (batch norm's in 12 kernels, one reused FusedBatchNorm among them), then {@link FusedAdam}.
 *   No tape, so no Identity copies. Covers the layer types of ./builders.ts: Conv2D (stride 1,
 *   'same'/'valid', relu/linear), MaxPooling2D, Flatten, Dense, Activation (relu; softmax last),
 *   BatchNormalization (last axis), Add, GlobalAveragePooling2D.
 * - "tape": any other softmax model: `tf.variableGrads` of the layers' own forward and loss, then
 *   {@link FusedAdam}.
 * - "stock": tfjs's `model.compile` + `trainOnBatch` with `tf.train.adam` (reference and fallback).
 *
 * Loss and accuracy stay on the device as batch totals, so the loop can read them when it likes.
 */
import * as tf from "@tensorflow/tfjs";
import { FusedAdam } from "./fused-adam.ts";
import { saveTensors, toTensor, type SavedTensor } from "./saved-tensors.ts";

/** Batch totals of one step, on the device; the caller disposes them. */
export interface StepTotals {
  /** Sum over the batch of each image's cross-entropy (nats), scalar. */
  lossSum: tf.Scalar;
  /** Number of images whose arg-max prediction equals the label, scalar float32. */
  correct: tf.Scalar;
}

/** Which implementation a {@link TrainStep} uses (see the module comment). */
export type TrainStepKind = "graph" | "tape" | "stock";

/** A training step bound to one model and one optimiser state. */
export interface TrainStep {
  readonly kind: TrainStepKind;
  /**
   * One step on a batch: updates the weights (and batch-norm moving statistics) and returns the
   * batch's loss and accuracy totals, computed before the update (as `trainOnBatch` reports them).
   * @param xs images [N,28,28,1] (any [N,...] the model takes), float32
   * @param ys one-hot targets [N,classes], float32
   * @param labels class indices [N], int32 (the arg-max of ys)
   */
  run(xs: tf.Tensor, ys: tf.Tensor2D, labels: tf.Tensor1D): Promise<StepTotals>;
  /** The optimiser's state as plain data, for a checkpoint (see `restoreOptimizer`). */
  saveOptimizer(): Promise<SavedTensor[]>;
  /**
   * Put a state from `saveOptimizer` of a step of the same kind and model back, so the next step
   * continues exactly as an uninterrupted run would.
   * @throws Error when the state does not fit this step's variables
   */
  restoreOptimizer(saved: readonly SavedTensor[]): Promise<void>;
  /** Frees the optimiser state. The model is left as it is. */
  dispose(): void;
}

/** Options of {@link createTrainStep}. */
export interface TrainStepOptions {
  /** Adam's learning rate, > 0. */
  learningRate: number;
  /** "fast" (default): "graph" when the model's layers allow it, else "tape". "stock": trainOnBatch. */
  mode?: "fast" | "stock";
}

/** Clip bounds of tfjs-layers' categorical cross-entropy (its backend epsilon). */
const EPSILON = 1e-7;

/**
 * Builds the training step for `model`: categorical cross-entropy on its softmax output, Adam.
 * The model must end in a softmax (an Activation layer or a Dense layer's activation) for the
 * fast modes; "stock" accepts whatever `model.compile` does.
 */
export function createTrainStep(model: tf.LayersModel, options: TrainStepOptions): TrainStep {
  if (!(options.learningRate > 0)) throw new Error(`createTrainStep: learning rate must be positive, got ${options.learningRate}`);
  if (options.mode === "stock") return stockStep(model, options.learningRate);
  const plan = planGraph(model);
  return plan ? graphStep(model, plan, options.learningRate) : tapeStep(model, options.learningRate);
}

// ---------------------------------------------------------------------------------------------
// "stock" and "tape"

function stockStep(model: tf.LayersModel, learningRate: number): TrainStep {
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return {
    kind: "stock",
    async run(xs, ys) {
      const [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
      const n = xs.shape[0];
      return { lossSum: tf.scalar(loss * n), correct: tf.scalar(accuracy * n) };
    },
    saveOptimizer: () => saveAdamState(optimizer),
    restoreOptimizer: (saved) => restoreAdamState(optimizer, saved),
    dispose: () => optimizer.dispose(),
  };
}

/** tfjs Adam's private running powers of beta1 and beta2 (tfjs-core 4.x keeps them as scalar variables). */
type AdamInternals = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

/**
 * tfjs Adam's state: its `getWeights()` (iterations, first and second moments) followed by its
 * running beta powers, which `setWeights` would otherwise recompute as pow(beta, t + 1) and so
 * differ from an uninterrupted run in the last float bit.
 */
async function saveAdamState(optimizer: tf.Optimizer): Promise<SavedTensor[]> {
  const named = await optimizer.getWeights();
  try {
    const saved = await saveTensors(named.map((w) => w.tensor), named.map((w) => w.name));
    const internals = optimizer as unknown as AdamInternals;
    if (internals.accBeta1 && internals.accBeta2)
      saved.push(...(await saveTensors([internals.accBeta1, internals.accBeta2], ["adam/accBeta1", "adam/accBeta2"])));
    return saved;
  } finally {
    named[0]?.tensor.dispose(); // the iterations scalar is created by getWeights; the moments are the optimiser's own
  }
}

async function restoreAdamState(optimizer: tf.Optimizer, saved: readonly SavedTensor[]): Promise<void> {
  const betas = saved.filter((w) => w.name.startsWith("adam/"));
  const named = saved.filter((w) => !w.name.startsWith("adam/")).map((w) => ({ name: w.name, tensor: toTensor(w) }));
  try {
    await optimizer.setWeights(named);
  } finally {
    tf.dispose(named.map((w) => w.tensor));
  }
  const internals = optimizer as unknown as AdamInternals;
  for (const beta of betas) {
    const target = beta.name === "adam/accBeta1" ? internals.accBeta1 : internals.accBeta2;
    if (target) tf.tidy(() => target.assign(toTensor(beta) as tf.Scalar));
  }
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function tapeStep(model: tf.LayersModel, learningRate: number): TrainStep {
  const optimizer = new FusedAdam(learningRate);
  const variables = trainableVariables(model);
  return {
    kind: "tape",
    async run(xs, ys, labels) {
      return tf.tidy(() => {
        let probs: tf.Tensor2D | null = null;
        const { value, grads } = tf.variableGrads(() => {
          probs = tf.keep(model.apply(xs, { training: true }) as tf.Tensor2D);
          return tf.mean(tf.metrics.categoricalCrossentropy(ys, probs)) as tf.Scalar;
        }, variables);
        optimizer.applyToVariables(variables, variables.map((v) => grads[v.name]));
        const p = probs as unknown as tf.Tensor2D;
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), labels), "float32")) as tf.Scalar;
        return { lossSum: tf.mul(value, xs.shape[0]) as tf.Scalar, correct };
      });
    },
    saveOptimizer: () => optimizer.saveState(variables),
    restoreOptimizer: async (saved) => optimizer.restoreState(variables, saved),
    dispose: () => optimizer.dispose(),
  };
}

// ---------------------------------------------------------------------------------------------
// "graph": the plan

type LayerVariable = { read(): tf.Variable; write(value: tf.Tensor): unknown; trainable: boolean };
type SymbolicLike = { id: number; sourceLayer: tf.layers.Layer; nodeIndex: number };
type InboundNode = { inputTensors: SymbolicLike[] };

/** One layer application in the graph, in forward order. */
interface PlanNode {
  id: number;
  kind: "input" | "conv" | "pool" | "flatten" | "dense" | "relu" | "linear" | "softmax" | "bn" | "add" | "gap";
  layer: tf.layers.Layer;
  /** Plan indices of the inputs. */
  inputs: number[];
  /** relu or linear, for conv and dense (softmax on the final dense is its own "softmax" node). */
  activation?: "relu" | "linear";
  config: tf.serialization.ConfigDict;
}

interface Plan {
  nodes: PlanNode[];
}

const SUPPORTED_ACTIVATIONS = new Set(["relu", "linear"]);

/** Regularisers and constraints change the loss or the update: those models take the tape path. */
function hasExtras(config: tf.serialization.ConfigDict): boolean {
  return Object.entries(config).some(([k, v]) => /(Regularizer|Constraint)$/.test(k) && v != null);
}

function sameList(value: unknown, expected: number): boolean {
  const list = Array.isArray(value) ? value : [value];
  return list.every((v) => v === expected);
}

/** The plan of a supported model, or null when some layer or its configuration is not covered. */
function planGraph(model: tf.LayersModel): Plan | null {
  if (model.outputs.length !== 1 || model.inputs.length !== 1) return null;
  const nodes: PlanNode[] = [];
  const index = new Map<number, number>();
  let supported = true;

  const visit = (t: SymbolicLike): number => {
    const known = index.get(t.id);
    if (known !== undefined) return known;
    const layer = t.sourceLayer;
    const className = layer.getClassName();
    const inbound = (layer as unknown as { inboundNodes: InboundNode[] }).inboundNodes[t.nodeIndex];
    const inputs = className === "InputLayer" ? [] : inbound.inputTensors.map(visit);
    const config = layer.getConfig();
    const node: PlanNode = { id: t.id, kind: "input", layer, inputs, config };
    const activation = String(config.activation ?? "linear");
    if (hasExtras(config) || (config.dtype != null && config.dtype !== "float32")) supported = false;
    switch (className) {
      case "InputLayer":
        break;
      case "Conv2D":
        node.kind = "conv";
        if (!SUPPORTED_ACTIVATIONS.has(activation)) supported = false;
        node.activation = activation as "relu" | "linear";
        if (!sameList(config.strides, 1) || !sameList(config.dilationRate, 1) || config.dataFormat !== "channelsLast") supported = false;
        if (config.padding !== "same" && config.padding !== "valid") supported = false;
        break;
      case "MaxPooling2D":
        node.kind = "pool";
        if (config.dataFormat !== "channelsLast" || (config.padding !== "same" && config.padding !== "valid")) supported = false;
        break;
      case "Flatten":
        node.kind = "flatten";
        if (config.dataFormat != null && config.dataFormat !== "channelsLast") supported = false;
        break;
      case "Dense":
        node.kind = "dense";
        node.activation = activation === "softmax" ? "linear" : (activation as "relu" | "linear");
        if (!SUPPORTED_ACTIVATIONS.has(activation) && activation !== "softmax") supported = false;
        if ((inbound.inputTensors[0] as unknown as { shape: unknown[] }).shape.length !== 2) supported = false;
        break;
      case "Activation":
        node.kind = activation === "relu" ? "relu" : activation === "softmax" ? "softmax" : activation === "linear" ? "linear" : "input";
        if (node.kind === "input") supported = false;
        break;
      case "BatchNormalization": {
        node.kind = "bn";
        const axis = config.axis;
        const rank = (layer.inputSpec?.[0]?.ndim ?? (inbound.inputTensors[0] as unknown as { shape: unknown[] }).shape.length) as number;
        if (!(axis === -1 || axis === rank - 1) || config.center !== true || config.scale !== true) supported = false;
        break;
      }
      case "Add":
        node.kind = "add";
        if (inputs.length !== 2) supported = false;
        break;
      case "GlobalAveragePooling2D":
        node.kind = "gap";
        if (config.dataFormat !== "channelsLast") supported = false;
        break;
      default:
        supported = false;
    }
    index.set(t.id, nodes.length);
    nodes.push(node);
    if (node.kind === "input" && className !== "InputLayer") supported = false;
    return nodes.length - 1;
  };

  const out = visit(model.outputs[0] as unknown as SymbolicLike);
  if (!supported) return null;
  const last = nodes[out];
  // The loss needs the logits: the output is a softmax Activation, or a Dense with softmax.
  const denseSoftmax = last.kind === "dense" && last.config.activation === "softmax";
  if (last.kind !== "softmax" && !denseSoftmax) return null;
  // A softmax anywhere else, or a value consumed twice by the softmax node, is not covered.
  if (nodes.some((n, i) => i !== out && (n.kind === "softmax" || (n.kind === "dense" && n.config.activation === "softmax")))) return null;
  if (nodes.filter((n) => n.kind === "input").length !== 1) return null;
  return { nodes };
}

// ---------------------------------------------------------------------------------------------
// "graph": running it

const run = (name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

function weight(layer: tf.layers.Layer, name: string): LayerVariable {
  const v = (layer as unknown as Record<string, LayerVariable | null>)[name];
  if (v == null) throw new Error(`train-step: layer '${layer.name}' has no '${name}' weight`);
  return v;
}

function pad2(value: unknown): [number, number] {
  return Array.isArray(value) ? [value[0] as number, (value[1] ?? value[0]) as number] : [value as number, value as number];
}

/** What the forward pass keeps for the backward pass of one node. */
interface Saved {
  x?: tf.Tensor;
  y: tf.Tensor;
  /** Batch norm: x - mean, the batch variance [C], the element count per channel. */
  centered?: tf.Tensor;
  variance?: tf.Tensor;
  count?: number;
}

function graphStep(model: tf.LayersModel, plan: Plan, learningRate: number): TrainStep {
  const optimizer = new FusedAdam(learningRate);
  const { nodes } = plan;
  const out = nodes.length - 1;
  const ones = new Map<string, tf.Tensor>();

  const forward = (xs: tf.Tensor): { saved: Saved[]; logits: tf.Tensor2D; probs: tf.Tensor2D } => {
    const saved: Saved[] = [];
    let logits: tf.Tensor2D | null = null;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const x = n.inputs.length > 0 ? saved[n.inputs[0]].y : xs;
      const c = n.config;
      let y: tf.Tensor;
      let extra: Partial<Saved> = {};
      switch (n.kind) {
        case "input":
          y = xs;
          break;
        case "conv": {
          const inputs: tf.NamedTensorMap = { x, filter: weight(n.layer, "kernel").read() };
          if (c.useBias) inputs.bias = weight(n.layer, "bias").read();
          y = run("FusedConv2D", inputs, {
            strides: [1, 1],
            pad: c.padding,
            dataFormat: "NHWC",
            dilations: [1, 1],
            dimRoundingMode: undefined,
            activation: n.activation,
          });
          break;
        }
        case "pool":
          y = run("MaxPool", { x }, { filterSize: pad2(c.poolSize), strides: pad2(c.strides ?? c.poolSize), pad: c.padding, dimRoundingMode: undefined });
          break;
        case "flatten":
          y = run("Reshape", { x }, { shape: [x.shape[0], x.size / x.shape[0]] });
          break;
        case "dense": {
          // BatchMatMul + Add + Relu, as tfjs-layers runs a Dense layer under a gradient tape
          // (wasm's _FusedMatMul takes rank-3 operands only, which would cost three Reshapes).
          y = run("BatchMatMul", { a: x, b: weight(n.layer, "kernel").read() }, { transposeA: false, transposeB: false });
          if (c.useBias) y = tf.add(y, weight(n.layer, "bias").read());
          if (n.activation === "relu") y = tf.relu(y);
          if (i === out) {
            logits = y as tf.Tensor2D;
            y = tf.softmax(y);
          }
          break;
        }
        case "relu":
          y = tf.relu(x);
          break;
        case "linear":
          y = x;
          break;
        case "softmax":
          logits = x as tf.Tensor2D;
          y = tf.softmax(x);
          break;
        case "bn": {
          const layer = n.layer as unknown as { momentum: number; epsilon: number };
          const axes = x.shape.slice(0, -1).map((_, k) => k);
          const mean = run("Mean", { x }, { axis: axes, keepDims: false });
          const centered = tf.sub(x, mean);
          const variance = run("Mean", { x: tf.square(centered) }, { axis: axes, keepDims: false });
          y = run("FusedBatchNorm", { x, mean, variance, offset: weight(n.layer, "beta").read(), scale: weight(n.layer, "gamma").read() }, { varianceEpsilon: layer.epsilon });
          // The moving statistics, as tfjs-layers updates them: v - (v - batch value) * (1 - momentum).
          const decay = 1 - layer.momentum;
          for (const [name, value] of [["movingMean", mean], ["movingVariance", variance]] as const) {
            const moving = weight(n.layer, name);
            const old = moving.read();
            moving.write(tf.sub(old, tf.mul(tf.sub(old, value), decay)));
          }
          extra = { centered, variance, count: x.size / x.shape[x.rank - 1] };
          break;
        }
        case "add":
          y = tf.add(x, saved[n.inputs[1]].y);
          break;
        case "gap":
          y = run("Mean", { x }, { axis: [1, 2], keepDims: false });
          break;
      }
      saved.push({ x, y, ...extra });
    }
    if (logits === null) throw new Error("train-step: the model has no softmax output");
    return { saved, logits, probs: saved[out].y as tf.Tensor2D };
  };

  const reluGrad = (dy: tf.Tensor, y: tf.Tensor) => tf.mul(dy, tf.step(y));

  return {
    kind: "graph",
    async run(xs, ys, labels) {
      return tf.tidy(() => {
        const n = xs.shape[0];
        const { saved, probs } = forward(xs);

        // Loss and accuracy totals, and d(mean loss)/d(logits). tfjs-layers clips p(true class) to
        // [eps, 1 - eps] before the log; where the clip bites, its gradient is 0, hence the mask.
        const pTrue = tf.sum(tf.mul(ys, probs), 1, true);
        const clipped = tf.clipByValue(pTrue, EPSILON, 1 - EPSILON);
        const lossSum = tf.neg(tf.sum(tf.log(clipped))) as tf.Scalar;
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), labels), "float32")) as tf.Scalar;
        const scale = tf.mul(tf.cast(tf.equal(clipped, pTrue), "float32"), 1 / n);
        const dLogits = tf.mul(tf.sub(probs, ys), scale);

        // Backward, in reverse order; grads[i] is d(loss)/d(output of node i).
        const grads: (tf.Tensor | null)[] = nodes.map(() => null);
        const variables: tf.Variable[] = [];
        const gradients: tf.Tensor[] = [];
        const learn = (v: LayerVariable, g: tf.Tensor) => {
          if (!v.trainable) return;
          variables.push(v.read());
          gradients.push(g);
        };
        const pass = (i: number, g: tf.Tensor) => {
          if (nodes[i].kind === "input") return;
          grads[i] = grads[i] === null ? g : tf.add(grads[i] as tf.Tensor, g);
        };
        const trainable = (layer: tf.layers.Layer) => layer.trainable;
        for (let i = out; i >= 0; i--) {
          const node = nodes[i];
          let dy = i === out ? dLogits : grads[i];
          if (dy === null || node.kind === "input") continue;
          const { x, y } = saved[i];
          const src = node.inputs[0];
          const needDx = src !== undefined && nodes[src].kind !== "input";
          const c = node.config;
          switch (node.kind) {
            case "conv": {
              if (node.activation === "relu") dy = reluGrad(dy, y);
              const filter = weight(node.layer, "kernel");
              const attrs = { strides: [1, 1], pad: c.padding, dataFormat: "NHWC", dimRoundingMode: undefined };
              if (trainable(node.layer)) {
                learn(filter, run("Conv2DBackpropFilter", { x: x as tf.Tensor, dy }, { ...attrs, filterShape: filter.read().shape }));
                if (c.useBias) learn(weight(node.layer, "bias"), tf.sum(dy, [0, 1, 2]));
              }
              if (needDx) pass(src, run("Conv2DBackpropInput", { dy, filter: filter.read() }, { ...attrs, inputShape: (x as tf.Tensor).shape }));
              break;
            }
            case "pool":
              if (needDx) {
                pass(src, run("MaxPoolGrad", { dy, input: x as tf.Tensor, output: y }, { filterSize: pad2(c.poolSize), strides: pad2(c.strides ?? c.poolSize), pad: c.padding, dimRoundingMode: undefined }));
              }
              break;
            case "flatten":
              if (needDx) pass(src, run("Reshape", { x: dy }, { shape: (x as tf.Tensor).shape }));
              break;
            case "dense": {
              if (node.activation === "relu") dy = reluGrad(dy, y);
              const kernel = weight(node.layer, "kernel");
              if (trainable(node.layer)) {
                learn(kernel, run("BatchMatMul", { a: x as tf.Tensor, b: dy }, { transposeA: true, transposeB: false }));
                if (c.useBias) learn(weight(node.layer, "bias"), tf.sum(dy, 0));
              }
              if (needDx) pass(src, run("BatchMatMul", { a: dy, b: kernel.read() }, { transposeA: false, transposeB: true }));
              break;
            }
            case "relu":
              if (needDx) pass(src, reluGrad(dy, y));
              break;
            case "linear":
            case "softmax":
              // The softmax's gradient is folded into dLogits above.
              if (needDx) pass(src, dy);
              break;
            case "bn": {
              const { centered, variance, count } = saved[i] as Required<Saved>;
              const gamma = weight(node.layer, "gamma");
              const epsilon = (node.layer as unknown as { epsilon: number }).epsilon;
              const axes = dy.shape.slice(0, -1).map((_, k) => k);
              const dBeta = tf.sum(dy, axes);
              const dyDotCentered = tf.sum(tf.mul(dy, centered), axes);
              const varEps = tf.add(variance, epsilon);
              if (trainable(node.layer)) {
                learn(gamma, tf.mul(dyDotCentered, tf.rsqrt(varEps)));
                learn(weight(node.layer, "beta"), dBeta);
              }
              if (needDx) {
                // dx = gamma/sigma * (dy - mean(dy) - centered * sum(dy*centered) / (count * sigma^2)),
                // sigma = sqrt(var + eps): the last affine step is FusedBatchNorm with the same variance.
                const q = tf.div(dyDotCentered, tf.mul(varEps, count));
                const u = tf.sub(dy, tf.mul(centered, q));
                pass(src, run("FusedBatchNorm", { x: u, mean: tf.div(dBeta, count), variance, scale: gamma.read() }, { varianceEpsilon: epsilon }));
              }
              break;
            }
            case "add":
              for (const k of node.inputs) if (nodes[k].kind !== "input") pass(k, dy);
              break;
            case "gap": {
              const [, h, w] = (x as tf.Tensor).shape;
              const key = `${h}x${w}`;
              let spread = ones.get(key);
              if (spread === undefined) {
                spread = tf.keep(tf.fill([1, h, w, 1], 1 / (h * w)));
                ones.set(key, spread);
              }
              if (needDx) pass(src, tf.mul(run("Reshape", { x: dy }, { shape: [dy.shape[0], 1, 1, dy.shape[1]] }), spread));
              break;
            }
          }
        }
        optimizer.applyToVariables(variables, gradients);
        return { lossSum, correct };
      });
    },
    // The model's trainable variables give the saved moments a fixed order.
    saveOptimizer: () => optimizer.saveState(trainableVariables(model)),
    restoreOptimizer: async (saved) => optimizer.restoreState(trainableVariables(model), saved),
    dispose: () => {
      optimizer.dispose();
      for (const t of ones.values()) t.dispose();
      ones.clear();
    },
  };
}

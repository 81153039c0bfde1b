/**
 * What the "graph" training step knows about one kind of tfjs-layers layer: whether it covers a
 * layer's configuration (plan), its forward pass and its backward pass. One module per kind under
 * ./layers/, as tfjs-core keeps one gradient per file (`gradients/*_grad.ts`).
 */
import * as tf from "@tensorflow/tfjs";
import type { LayerVariable } from "./tfjs-internals.ts";

/** The activation a planned layer applies itself: softmax only on the model's output. */
export type PlannedActivation = "relu" | "linear" | "softmax";

/** One layer application in the graph, in forward order. */
export interface PlanNode {
  /** The symbolic tensor's id (the output of this application). */
  id: number;
  kind: AnyLayerKind;
  layer: tf.layers.Layer;
  /** Plan indices of the inputs. */
  inputs: number[];
  /** The activation the layer applies after its own op (for conv, dense and Activation layers). */
  activation: "relu" | "linear";
  /** Whether the node ends in a softmax (whose gradient the loss folds into d(loss)/d(logits)). */
  softmax: boolean;
  config: tf.serialization.ConfigDict;
}

/** Constant tensors a step keeps across batches by key (disposed with the step). */
export type ConstantCache = (key: string, make: () => tf.Tensor) => tf.Tensor;

/** What a backward pass gets: the node, d(loss)/d(its output) and what its forward pass kept. */
export interface BackwardArgs<Kept> {
  node: PlanNode;
  dy: tf.Tensor;
  /** The first input and the output of the forward pass. */
  x: tf.Tensor;
  y: tf.Tensor;
  kept: Kept;
  /** Whether input `k` (position in `node.inputs`) needs a gradient: false for the model's input. */
  needsDx(k: number): boolean;
  /** Adds `g` to d(loss)/d(input k). */
  passDx(k: number, g: tf.Tensor): void;
  /** Hands a trainable weight's gradient to the optimiser (ignored when the weight is frozen). */
  learn(weight: LayerVariable, g: tf.Tensor): void;
  constants: ConstantCache;
}

/** One tfjs-layers class the step covers. */
export interface LayerKind<Kept = undefined> {
  /** `layer.getClassName()`. */
  className: string;
  /**
   * The activation this layer applies when the step covers its configuration, or null when it
   * does not (the model then trains on the "tape" step).
   * @param inputShapes shapes of the layer's inputs in this application, batch axis included
   */
  plan(layer: tf.layers.Layer, config: tf.serialization.ConfigDict, inputShapes: readonly (number | null)[][]): PlannedActivation | null;
  /** The layer's output for `inputs` (the model's batch for the InputLayer), and what backward needs. */
  forward(node: PlanNode, inputs: tf.Tensor[]): { y: tf.Tensor; kept: Kept };
  backward(args: BackwardArgs<Kept>): void;
}

/** A layer kind whatever its backward state (each kind's forward and backward agree on theirs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayerKind = LayerKind<any>;

/** relu's gradient given its output: dy where y > 0. */
export const reluGrad = (dy: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.mul(dy, tf.step(y));

/** One number or a [rows, cols] list, as tfjs-layers' configs hold 2-D sizes, as a pair. */
export function toPair(value: unknown): [number, number] {
  return Array.isArray(value) ? [value[0] as number, (value[1] ?? value[0]) as number] : [value as number, value as number];
}

/** Whether a config value (a number or a list) equals `expected` everywhere. */
export function allEqual(value: unknown, expected: number): boolean {
  const list = Array.isArray(value) ? value : [value];
  return list.every((v) => v === expected);
}

/** `relu` or `linear` from a layer's activation setting, softmax kept apart; null for any other. */
export function plannedActivation(config: tf.serialization.ConfigDict): PlannedActivation | null {
  const activation = String(config.activation ?? "linear");
  return activation === "relu" || activation === "linear" || activation === "softmax" ? activation : null;
}

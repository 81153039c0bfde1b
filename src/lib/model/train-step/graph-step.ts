/**
 * The "graph" step: the model's layer graph run by hand, forward with the layers' own kernels,
 * backward with each layer kind's closed-form gradient (./layers/), then {@link FusedAdam}. No
 * gradient tape, so none of its Identity copies.
 */
import * as tf from "@tensorflow/tfjs";
import { FusedAdam } from "../fused-adam.ts";
import type { ConstantCache, PlanNode } from "./layer-kind.ts";
import { inputLayer } from "./layers/index.ts";
import { crossEntropyTotals } from "./loss.ts";
import { trainableVariables, type LayerVariable } from "./tfjs-internals.ts";
import type { TrainStep } from "./types.ts";

/** What one node's forward pass leaves for its backward pass. */
interface Forwarded {
  x: tf.Tensor;
  y: tf.Tensor;
  kept: unknown;
}

export function graphStep(model: tf.LayersModel, nodes: PlanNode[], learningRate: number): TrainStep {
  const optimizer = new FusedAdam(learningRate);
  const out = nodes.length - 1;
  const cached = new Map<string, tf.Tensor>();
  const constants: ConstantCache = (key, make) => {
    let t = cached.get(key);
    if (t === undefined) {
      t = tf.keep(make());
      cached.set(key, t);
    }
    return t;
  };

  const forward = (xs: tf.Tensor): { passes: Forwarded[]; probs: tf.Tensor2D } => {
    const passes: Forwarded[] = [];
    for (const node of nodes) {
      const inputs = node.kind === inputLayer ? [xs] : node.inputs.map((k) => passes[k].y);
      const forward = node.kind.forward(node, inputs);
      const y = node.softmax ? tf.softmax(forward.y) : forward.y;
      passes.push({ x: inputs[0], y, kept: forward.kept });
    }
    return { passes, probs: passes[out].y as tf.Tensor2D };
  };

  return {
    kind: "graph",
    async run(xs, ys, labels) {
      return tf.tidy(() => {
        const { passes, probs } = forward(xs);
        const { lossSum, correct, dLogits } = crossEntropyTotals(probs, ys, labels);

        // Backward, in reverse order; grads[i] is d(loss)/d(output of node i).
        const grads: (tf.Tensor | null)[] = nodes.map(() => null);
        const variables: tf.Variable[] = [];
        const gradients: tf.Tensor[] = [];
        const learn = (v: LayerVariable, g: tf.Tensor) => {
          if (!v.trainable) return;
          variables.push(v.read());
          gradients.push(g);
        };
        for (let i = out; i >= 0; i--) {
          const node = nodes[i];
          const dy = i === out ? dLogits : grads[i];
          if (dy === null || node.kind === inputLayer) continue;
          const needsDx = (k: number) => k < node.inputs.length && nodes[node.inputs[k]].kind !== inputLayer;
          const passDx = (k: number, g: tf.Tensor) => {
            const to = node.inputs[k];
            const sum = grads[to];
            grads[to] = sum === null ? g : tf.add(sum, g);
          };
          node.kind.backward({ node, dy, ...passes[i], needsDx, passDx, learn, constants });
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
      for (const t of cached.values()) t.dispose();
      cached.clear();
    },
  };
}

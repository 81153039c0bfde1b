/**
 * The "graph" step's plan of a model: its layer applications in forward order, each with the
 * layer kind that runs it, or null when some layer or setting is not covered (the model then
 * trains on the "tape" step).
 */
import type * as tf from "@tensorflow/tfjs";
import type { PlanNode } from "./layer-kind.ts";
import { inputLayer, LAYER_KINDS } from "./layers/index.ts";
import { inputsOf, modelEnds, type SymbolicRef } from "./tfjs-internals.ts";

/** Regularisers and constraints change the loss or the update: those models take the tape path. */
function hasExtras(config: tf.serialization.ConfigDict): boolean {
  return Object.entries(config).some(([k, v]) => /(Regularizer|Constraint)$/.test(k) && v != null);
}

/**
 * The plan of a covered model: one input, float32 layers of the kinds in ./layers/, and a softmax
 * only on its single output (an Activation layer or a Dense layer's activation).
 */
export function planGraph(model: tf.LayersModel): PlanNode[] | null {
  const ends = modelEnds(model);
  if (ends === null) return null;
  const nodes: PlanNode[] = [];
  const index = new Map<number, number>();
  let covered = true;

  const visit = (t: SymbolicRef): number => {
    const known = index.get(t.id);
    if (known !== undefined) return known;
    const layer = t.sourceLayer;
    const consumed = inputsOf(t);
    const inputs = consumed.map(visit);
    const config = layer.getConfig();
    const kind = LAYER_KINDS.get(layer.getClassName());
    const activation =
      kind?.plan(
        layer,
        config,
        consumed.map((c) => c.shape),
      ) ?? null;
    if (!kind || activation === null || hasExtras(config) || (config.dtype != null && config.dtype !== "float32")) covered = false;
    index.set(t.id, nodes.length);
    nodes.push({
      id: t.id,
      kind: kind ?? inputLayer,
      layer,
      inputs,
      activation: activation === "relu" ? "relu" : "linear",
      softmax: activation === "softmax",
      config,
    });
    return nodes.length - 1;
  };

  const out = visit(ends.output);
  if (!covered) return null;
  // The loss needs the logits: the output ends in a softmax, and nothing else does.
  if (!nodes[out].softmax || nodes.some((n, i) => i !== out && n.softmax)) return null;
  if (nodes.filter((n) => n.kind === inputLayer).length !== 1) return null;
  return nodes;
}

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../../../src/lib/backends/use-backend.ts";
import { BestEpochKeeper } from "../../../src/lib/model/best-epoch.ts";

function oneWeightModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: "zeros" }));
  return model;
}
const setWeight = (model: tf.LayersModel, v: number) => tf.tidy(() => model.setWeights([tf.tensor2d([[v]])]));
const weightOf = (model: tf.LayersModel) => model.getWeights()[0].dataSync()[0];

beforeAll(async () => {
  await useBackend("cpu");
});

describe("BestEpochKeeper", () => {
  it("puts the best validated epoch's weights back, and frees its copy", () => {
    const model = oneWeightModel();
    const before = tf.memory().numTensors;
    const best = new BestEpochKeeper("best-val-accuracy");
    setWeight(model, 1);
    best.finish(1, 0.5, model, false);
    setWeight(model, 2);
    best.finish(2, 0.8, model, false);
    setWeight(model, 3);
    best.finish(3, 0.7, model, true);
    expect(best.restoreInto(model, 3)).toBe(2);
    expect(weightOf(model)).toBe(2);
    best.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("keeps no copy when the final epoch is best, and with selection 'last' names the last epoch", () => {
    const model = oneWeightModel();
    const best = new BestEpochKeeper("best-val-accuracy");
    best.finish(1, 0.9, model, true);
    expect(best.restoreInto(model, 1)).toBe(1);
    const last = new BestEpochKeeper("last");
    last.finish(1, 0.9, model, false);
    last.finish(2, 0.1, model, true);
    expect(last.restoreInto(model, 2)).toBe(2);
    model.dispose();
  });
});

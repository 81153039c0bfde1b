import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../../src/lib/model/builders.ts";
import { forwardMacsPerImage } from "../../../src/lib/model/model-cost.ts";
import type { ModelConfig } from "../../../src/lib/study/schema.ts";

/** MACs of the built model's conv and dense layers, read from the layers' shapes and kernels. */
function macsOfBuiltModel(config: ModelConfig): number {
  const model = buildModel(config, 1);
  let macs = 0;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind !== "Conv2D" && kind !== "Dense") continue;
    const kernel = layer.getWeights()[0];
    // Conv2D kernel [kh, kw, in, out]: each output value takes kh*kw*in MACs; Dense [in, out]: in.
    const perOutput = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const out = (layer.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1);
    macs += perOutput * out;
  }
  model.dispose();
  return macs;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => tf.disposeVariables());

describe("forwardMacsPerImage", () => {
  it("counts cnn-32-64-3-64 by hand: 26x26x32x9 + 11x11x64x9x32 + 1600x64 + 64x10", () => {
    expect(forwardMacsPerImage({ family: "cnn", conv1: 32, conv2: 64, kernel: 3, dense: 64 })).toBe(
      26 * 26 * 32 * 9 + 11 * 11 * 64 * 9 * 32 + 1600 * 64 + 64 * 10,
    );
  });

  it("counts resnet-3x64 by hand, and four times the block cost without the stem pool", () => {
    const stem = 28 * 28 * 64 * 9;
    const block14 = 2 * 14 * 14 * 64 * 9 * 64;
    expect(forwardMacsPerImage({ family: "resnet", blocks: 3, filters: 64 })).toBe(stem + 3 * block14 + 640);
    expect(forwardMacsPerImage({ family: "resnet", blocks: 3, filters: 64, stemPool: false })).toBe(stem + 3 * 4 * block14 + 640);
  });

  it.each<ModelConfig>([
    { family: "cnn", conv1: 32, conv2: 64, kernel: 3, dense: 64 },
    { family: "cnn", conv1: 64, conv2: 128, kernel: 5, dense: 128 },
    { family: "resnet", blocks: 2, filters: 32 },
    { family: "resnet", blocks: 5, filters: 64, stemPool: false },
  ])("agrees with the layers buildModel makes: %o", (config) => {
    expect(forwardMacsPerImage(config)).toBe(macsOfBuiltModel(config));
  });
});

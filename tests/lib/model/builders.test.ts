import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCnn, buildModel, buildResNet, convLayerNames } from "../../../src/lib/model/builders.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("buildCnn", () => {
  it("has the parameter count of conv-pool-conv-pool-dense-logits", () => {
    const m = buildCnn({ conv1: 32, conv2: 64, kernel: 3, dense: 64 });
    // conv1 3*3*1*32+32, conv2 3*3*32*64+64, dense 5*5*64*64+64, logits 64*10+10
    expect(m.countParams()).toBe(320 + 18496 + 102464 + 650);
    expect(m.getLayer("pool2").outputShape).toEqual([null, 5, 5, 64]);
    m.dispose();
  });
  it("works with 5x5 kernels", () => {
    const m = buildCnn({ conv1: 8, conv2: 16, kernel: 5, dense: 32 });
    expect(m.getLayer("pool2").outputShape).toEqual([null, 4, 4, 16]);
    m.dispose();
  });
  it("outputs probabilities of shape [N,10]", () => {
    const m = buildCnn({ conv1: 4, conv2: 8, kernel: 3, dense: 16 });
    const y = m.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
    expect(y.shape).toEqual([2, 10]);
    const sums = y.sum(-1).arraySync() as number[];
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    tf.dispose(y);
    m.dispose();
  });
  it("initialises weights deterministically from the seed", () => {
    const a = buildCnn({ conv1: 4, conv2: 8, kernel: 3, dense: 16 }, 5);
    const b = buildCnn({ conv1: 4, conv2: 8, kernel: 3, dense: 16 }, 5);
    const c = buildCnn({ conv1: 4, conv2: 8, kernel: 3, dense: 16 }, 6);
    const w = (m: tf.LayersModel) => Array.from(m.getLayer("conv1").getWeights()[0].dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });
  it("rejects a kernel too large for two valid convolutions", () => {
    expect(() => buildCnn({ conv1: 4, conv2: 4, kernel: 11, dense: 4 })).toThrow(/too large/);
  });
});

describe("buildResNet", () => {
  it("pools the stem to 14x14 and keeps it through the blocks", () => {
    const m = buildResNet({ blocks: 2, filters: 8 });
    expect(m.getLayer("stem_pool").outputShape).toEqual([null, 14, 14, 8]);
    expect(m.getLayer("block2_out").outputShape).toEqual([null, 14, 14, 8]);
    expect(m.outputs[0].shape).toEqual([null, 10]);
    m.dispose();
  });
  it("without the stem pool (the -nopool ablation) keeps 28x28 through the blocks, with the same parameters", () => {
    const m = buildResNet({ blocks: 2, filters: 8, stemPool: false });
    const pooled = buildResNet({ blocks: 2, filters: 8 });
    expect(m.layers.some((l) => l.name === "stem_pool")).toBe(false);
    expect(m.getLayer("block2_out").outputShape).toEqual([null, 28, 28, 8]);
    expect(m.name).toBe("resnet-2x8-nopool");
    expect(m.countParams()).toBe(pooled.countParams());
    [m, pooled].forEach((x) => x.dispose());
  });
  it("has the parameter count of stem + blocks of two 3x3 convs with batch norm + logits", () => {
    const m = buildResNet({ blocks: 3, filters: 64 });
    const conv = 3 * 3 * 64 * 64;
    const bn = 4 * 64;
    expect(m.countParams()).toBe(3 * 3 * 1 * 64 + bn + 3 * 2 * (conv + bn) + 64 * 10 + 10);
    m.dispose();
  });
  it("lists its block outputs as Grad-CAM layers", () => {
    const m = buildModel({ family: "resnet", blocks: 2, filters: 4 });
    expect(convLayerNames(m)).toEqual(["stem_relu", "block1_out", "block2_out"]);
    m.dispose();
    const c = buildModel({ family: "cnn", conv1: 2, conv2: 2, kernel: 3, dense: 2 });
    expect(convLayerNames(c)).toEqual(["conv1", "conv2"]);
    c.dispose();
  });
});

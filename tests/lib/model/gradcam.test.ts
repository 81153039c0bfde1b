import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeGradCam, gradCamLayers } from "../../../src/lib/model/gradcam.ts";
import { modelFromFiles, modelToFiles } from "../../../src/lib/model/model-io.ts";
import { buildCnn, buildResNet } from "../../../src/lib/model/builders.ts";
import { createRng } from "../../../src/lib/data/random.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/**
 * A model whose answer is known: conv1 has two 3x3 filters, a horizontal-bar detector (channel 0)
 * and a vertical-bar detector (channel 1); class 0's logit is the sum of channel 0, class 1's the
 * sum of channel 1, the other classes read nothing. So Grad-CAM for class 0 must light up the
 * horizontal bar only, and for class 1 the vertical bar only.
 */
function buildBarModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: "conv1", inputShape: [28, 28, 1], filters: 2, kernelSize: 3, activation: "relu", padding: "valid" }));
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(tf.layers.dense({ name: "logits", units: 10 }));
  model.add(tf.layers.activation({ name: "softmax", activation: "softmax" }));
  const horizontal = [-1, -1, -1, 1, 1, 1, -1, -1, -1];
  const vertical = [-1, 1, -1, -1, 1, -1, -1, 1, -1];
  const kernel = new Float32Array(9 * 2);
  for (let i = 0; i < 9; i++) {
    kernel[i * 2] = horizontal[i];
    kernel[i * 2 + 1] = vertical[i];
  }
  // Flattened [26, 26, 2] activations: channel c of position p is at p * 2 + c.
  const dense = new Float32Array(26 * 26 * 2 * 10);
  for (let p = 0; p < 26 * 26; p++) {
    dense[p * 2 * 10 + 0] = 1;
    dense[(p * 2 + 1) * 10 + 1] = 1;
  }
  model.getLayer("conv1").setWeights([tf.tensor4d(kernel, [3, 3, 1, 2]), tf.zeros([2])]);
  model.getLayer("logits").setWeights([tf.tensor2d(dense, [26 * 26 * 2, 10]), tf.zeros([10])]);
  return model;
}

/** A horizontal bar at rows/cols of the top-left and a vertical bar at the bottom-right. */
function barImage(): Float32Array {
  const image = new Float32Array(784);
  for (let x = 3; x <= 10; x++) image[5 * 28 + x] = 1; // horizontal: row 5, columns 3..10
  for (let y = 16; y <= 24; y++) image[y * 28 + 21] = 1; // vertical: column 21, rows 16..24
  return image;
}

function argmax2d(map: Float32Array, width: number): [number, number] {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return [Math.floor(best / width), best % width];
}

/** Sum of the map inside a box of rows y0..y1 and columns x0..x1 (inclusive). */
function boxSum(map: Float32Array, y0: number, y1: number, x0: number, x1: number): number {
  let s = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) s += map[y * 28 + x];
  return s;
}

function randomImage(seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: 784 }, () => rng());
}

describe("computeGradCam on a model with a known answer", () => {
  const model = buildBarModel();
  afterAll(() => model.dispose());

  it("puts the peak on the horizontal bar for the class that reads horizontal bars", async () => {
    const r = await computeGradCam(model, barImage(), { layer: "conv1", targetClass: 0 });
    const [y, x] = argmax2d(r.heatmap, 28);
    expect(y).toBeGreaterThanOrEqual(4);
    expect(y).toBeLessThanOrEqual(6);
    expect(x).toBeGreaterThanOrEqual(3);
    expect(x).toBeLessThanOrEqual(10);
    expect(boxSum(r.heatmap, 14, 27, 14, 27)).toBe(0);
  });

  it("puts the peak on the vertical bar for the class that reads vertical bars", async () => {
    const r = await computeGradCam(model, barImage(), { layer: "conv1", targetClass: 1 });
    const [y, x] = argmax2d(r.heatmap, 28);
    expect(y).toBeGreaterThanOrEqual(16);
    expect(y).toBeLessThanOrEqual(24);
    expect(x).toBeGreaterThanOrEqual(20);
    expect(x).toBeLessThanOrEqual(22);
    expect(boxSum(r.heatmap, 0, 12, 0, 14)).toBe(0);
  });

  it("returns a 28x28 map in [0, 1] with maximum 1", async () => {
    const r = await computeGradCam(model, barImage(), { layer: "conv1", targetClass: 0 });
    expect(r.heatmap).toHaveLength(28 * 28);
    expect(Math.min(...r.heatmap)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.heatmap)).toBeCloseTo(1, 5);
    expect(r.rawShape).toEqual([26, 26]);
    expect(r.raw).toHaveLength(26 * 26);
    expect(r.maxEvidence).toBeGreaterThan(0);
  });

  it("returns all zeros when nothing in the image is evidence for the class", async () => {
    const r = await computeGradCam(model, new Float32Array(784), { layer: "conv1", targetClass: 0 });
    expect(r.maxEvidence).toBe(0);
    expect(r.heatmap.every((v) => v === 0)).toBe(true);
  });

  it("explains the predicted class by default and returns the probabilities", async () => {
    const image = barImage();
    for (let x = 3; x <= 10; x++) image[8 * 28 + x] = 1; // a second horizontal bar: class 0 wins
    const r = await computeGradCam(model, image, { layer: "conv1" });
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(image, [1, 28, 28, 1])) as tf.Tensor).dataSync());
    expect(r.probabilities).toHaveLength(10);
    r.probabilities.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 5));
    expect(r.predicted).toBe(0);
    expect(r.targetClass).toBe(0);
    expect(r.layer).toBe("conv1");
  });

  it("leaves the number of tensors unchanged", async () => {
    await computeGradCam(model, barImage(), { layer: "conv1" }); // the first call may build caches
    const before = tf.memory().numTensors;
    await computeGradCam(model, barImage(), { layer: "conv1", targetClass: 1 });
    const input = tf.tensor2d(barImage(), [28, 28]);
    await computeGradCam(model, input, { layer: "conv1" });
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leaves the number of tensors unchanged when it throws", async () => {
    const before = tf.memory().numTensors;
    await expect(computeGradCam(model, new Float32Array(10), { layer: "conv1" })).rejects.toThrow(/784/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("computeGradCam through a linear convolution after the cut", () => {
  // conv1 (ReLU; channel 0 = the pixel, channel 1 = the 3x3 mean) -> conv2 (linear, 'same', +1 on channel 0 and -1 on channel 1,
  // with a bias) -> flatten -> logits (class 0 = sum). dy/dA is the window coverage count times
  // +1 or -1, so the channel weights are +m and -m (m = mean coverage) and the map must be
  // ReLU(A0 - A1) up to scale.
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: "conv1", inputShape: [28, 28, 1], filters: 2, kernelSize: 3, activation: "relu" }));
  model.add(tf.layers.conv2d({ name: "conv2", filters: 1, kernelSize: 3, padding: "same" }));
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(tf.layers.dense({ name: "logits", units: 10 }));
  model.add(tf.layers.activation({ name: "softmax", activation: "softmax" }));
  const pixelAndMean = Float32Array.from({ length: 9 * 2 }, (_, i) => (i % 2 === 1 ? 1 / 9 : i === 8 ? 1 : 0));
  model.getLayer("conv1").setWeights([tf.tensor4d(pixelAndMean, [3, 3, 1, 2]), tf.zeros([2])]);
  const signs = Float32Array.from({ length: 9 * 2 }, (_, i) => (i % 2 === 0 ? 1 : -1));
  model.getLayer("conv2").setWeights([tf.tensor4d(signs, [3, 3, 2, 1]), tf.tensor1d([0.5])]);
  const dense = new Float32Array(26 * 26 * 10);
  for (let p = 0; p < 26 * 26; p++) dense[p * 10] = 1;
  model.getLayer("logits").setWeights([tf.tensor2d(dense, [26 * 26, 10]), tf.zeros([10])]);
  afterAll(() => model.dispose());

  it("weights the channels by their mean gradient", async () => {
    const image = randomImage(9);
    const r = await computeGradCam(model, image, { layer: "conv1", targetClass: 0 });
    const expected = tf.tidy(() => {
      const head = tf.model({ inputs: model.inputs, outputs: model.getLayer("conv1").output as tf.SymbolicTensor });
      const a = head.predict(tf.tensor4d(image, [1, 28, 28, 1])) as tf.Tensor4D;
      const [a0, a1] = tf.split(a, 2, -1);
      const cam = tf.relu(tf.sub(a0, a1)).flatten();
      return tf.div(cam, tf.max(cam)).dataSync();
    });
    r.raw.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
  });

  it("does not compute the gradients of convolution kernels", async () => {
    const profile = await tf.profile(async () => {
      await computeGradCam(model, randomImage(10), { layer: "conv1", targetClass: 0 });
    });
    const kernels = new Set(profile.kernels.map((k) => k.name));
    expect(kernels).toContain("Conv2DBackpropInput");
    expect(kernels).not.toContain("Conv2DBackpropFilter");
  });
});

describe("computeGradCam on the study's CNN", () => {
  const model = buildCnn({ conv1: 4, conv2: 8, kernel: 3, dense: 16 }, 3);
  afterAll(() => model.dispose());

  it("lists conv1 and conv2 as targets", () => {
    expect(gradCamLayers(model)).toEqual(["conv1", "conv2"]);
  });

  it("maps conv2's 11x11 activations to 28x28", async () => {
    const r = await computeGradCam(model, randomImage(1), { layer: "conv2", targetClass: 3 });
    expect(r.rawShape).toEqual([11, 11]);
    expect(r.heatmap).toHaveLength(784);
    expect(r.heatmap.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(r.targetClass).toBe(3);
  });

  it("gives the same map after a save and load through model files", async () => {
    const loaded = await modelFromFiles(await modelToFiles(model));
    const image = randomImage(2);
    const a = await computeGradCam(model, image, { layer: "conv1", targetClass: 5 });
    const b = await computeGradCam(loaded, image, { layer: "conv1", targetClass: 5 });
    loaded.dispose();
    b.heatmap.forEach((v, i) => expect(v).toBeCloseTo(a.heatmap[i], 5));
  });

  it("rejects an unknown layer, naming the valid ones", async () => {
    await expect(computeGradCam(model, randomImage(3), { layer: "conv9" })).rejects.toThrow(/conv1, conv2/);
  });

  it("rejects a target class outside 0..9", async () => {
    await expect(computeGradCam(model, randomImage(3), { layer: "conv1", targetClass: 10 })).rejects.toThrow(/0\.\.9/);
  });
});

describe("computeGradCam on the study's ResNet", () => {
  const model = buildResNet({ blocks: 2, filters: 4 }, 5);
  afterAll(() => model.dispose());

  it("lists the stem and the block outputs as targets", () => {
    expect(gradCamLayers(model)).toEqual(["stem_relu", "block1_out", "block2_out"]);
  });

  it("equals the class activation map at the last block (GAP then a linear layer)", async () => {
    // After the last block, score = sum_k W[k, t] * mean(A_k), so dy/dA_k = W[k, t] / (h * w) and
    // Grad-CAM reduces to ReLU(sum_k W[k, t] * A_k) up to scale (Zhou et al.'s CAM).
    const image = randomImage(4);
    const target = 2;
    const r = await computeGradCam(model, image, { layer: "block2_out", targetClass: target });
    const expected = tf.tidy(() => {
      const head = tf.model({ inputs: model.inputs, outputs: model.getLayer("block2_out").output as tf.SymbolicTensor });
      const a = head.predict(tf.tensor4d(image, [1, 28, 28, 1])) as tf.Tensor4D;
      const w = (model.getLayer("logits").getWeights()[0] as tf.Tensor2D).slice([0, target], [-1, 1]).reshape([1, 1, 1, -1]);
      const cam = tf.relu(tf.sum(tf.mul(a, w), -1)).flatten();
      return tf.div(cam, tf.max(cam)).dataSync();
    });
    expect(r.rawShape).toEqual([14, 14]);
    r.raw.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
  });

  it("works at the stem and at an inner block output", async () => {
    const image = randomImage(5);
    const stem = await computeGradCam(model, image, { layer: "stem_relu" });
    const inner = await computeGradCam(model, image, { layer: "block1_out" });
    expect(stem.rawShape).toEqual([28, 28]);
    expect(inner.rawShape).toEqual([14, 14]);
    for (const r of [stem, inner]) expect(r.heatmap.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(stem.predicted).toBe(inner.predicted);
  });

  it("refuses a cut inside a residual block, which the skip bypasses", async () => {
    await expect(computeGradCam(model, randomImage(6), { layer: "block2_relu1" })).rejects.toThrow(/residual skip/);
  });

  it("runs in inference mode: batch-norm statistics do not change", async () => {
    const stats = () =>
      model
        .getLayer("block1_bn1")
        .getWeights()
        .map((w) => Array.from(w.dataSync()));
    const before = stats();
    await computeGradCam(model, randomImage(7), { layer: "block1_out" });
    expect(stats()).toEqual(before);
  });

  it("leaves the number of tensors unchanged", async () => {
    await computeGradCam(model, randomImage(8), { layer: "block1_out" });
    const before = tf.memory().numTensors;
    await computeGradCam(model, randomImage(8), { layer: "block1_out" });
    await computeGradCam(model, randomImage(8), { layer: "stem_relu", targetClass: 9 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

/**
 * The project's WebGPU kernels against tfjs's cpu backend, on Dawn (the `webgpu` npm package) with
 * SwiftShader's software Vulkan driver from Debian's chromium package: no GPU needed, slow but exact.
 * Skips only when the `webgpu` package or SwiftShader's ICD is absent, and never in CI (CI=true):
 * there a missing piece is a failure, since .ci/run installs both.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { getKernel } from "@tensorflow/tfjs-core";
import { installNodeWebGpu, swiftShaderWebGpuMissing } from "../../../../scripts/lib/node-webgpu.ts";
import { useBackend } from "../../../../src/lib/backends/use-backend.ts";
import { randomValues, relativeError } from "../../../helpers/numeric.ts";
import { isOurs } from "../../../../src/lib/backends/kernels/replace-kernel.ts";
import { registerWebGpuKernels, WEBGPU_KERNELS } from "../../../../src/lib/backends/kernels/webgpu/register.ts";
import { splitPixels } from "../../../../src/lib/backends/kernels/webgpu/conv2d-backprop-filter.ts";
import { buildCnn, buildResNet } from "../../../../src/lib/model/builders.ts";
import { train } from "../../../../src/lib/model/train.ts";
import { createRng } from "../../../../src/lib/data/random.ts";
import { PIXELS, type ImageSet } from "../../../../src/lib/data/splits.ts";

const missing = await swiftShaderWebGpuMissing();
const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
// SwiftShader compiles every new shader pipeline on the CPU: seconds each.
const SLOW = 600_000;

type Backend = "cpu" | "webgpu";
type Shape4 = [number, number, number, number];
type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];

/**
 * Runs the Conv2DBackpropFilter kernel on `backend` for x and dy of a forward convolution
 * (NHWC, or NCHW with the inputs transposed), returning dW and what the call left allocated.
 */
async function filterGradient(
  backend: Backend,
  xShape: Shape4,
  filterShape: Shape4,
  strides: number,
  pad: Pad,
  seed: number,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
) {
  expect(await tf.setBackend(backend)).toBe(true);
  const outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad).outShape;
  const nhwcX = tf.tensor4d(randomValues(xShape, seed), xShape);
  const nhwcDy = tf.tensor4d(randomValues(outShape, seed + 1), outShape as Shape4);
  const toNchw = (t: tf.Tensor4D) => (dataFormat === "NCHW" ? tf.transpose(t, [0, 3, 1, 2]) : t.clone());
  const x = toNchw(nhwcX);
  const dy = toNchw(nhwcDy);
  const pending = (tf.engine().backend as { numDataIds(): number }).numDataIds();
  const tensors = tf.memory().numTensors;
  const nchwPad = Array.isArray(pad) ? [pad[0], pad[3], pad[1], pad[2]] : pad;
  const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
    strides: [strides, strides],
    pad: dataFormat === "NCHW" ? nchwPad : pad,
    dataFormat,
    dimRoundingMode: undefined,
    filterShape,
  } as unknown as tf.NamedTensorMap as never) as tf.Tensor;
  const values = await dw.data();
  const shape = dw.shape;
  dw.dispose();
  const leaked = {
    tensors: tf.memory().numTensors - tensors,
    dataIds: (tf.engine().backend as { numDataIds(): number }).numDataIds() - pending,
  };
  tf.dispose([nhwcX, nhwcDy, x, dy]);
  return { values, shape, leaked };
}

describe.skipIf(missing !== null)(`WebGPU kernels on SwiftShader${missing ? ` (skipped: ${missing})` : ""}`, () => {
  beforeAll(async () => {
    const info = await installNodeWebGpu({ swiftShader: true });
    expect(info.software).toBe(true);
    expect(await useBackend("webgpu")).toBe("webgpu");
  }, SLOW);

  it("registers its kernels in place of the stock ones, and a second registration changes nothing", () => {
    const before = WEBGPU_KERNELS.map((k) => getKernel(k, "webgpu")?.kernelFunc);
    for (const f of before) expect(f).toBeDefined();
    registerWebGpuKernels();
    registerWebGpuKernels();
    expect(WEBGPU_KERNELS.map((k) => getKernel(k, "webgpu")?.kernelFunc)).toEqual(before);
    // Marked as this project's (the wasm kernels use the same marking).
    expect(WEBGPU_KERNELS.every((k) => isOurs(getKernel(k, "webgpu")))).toBe(true);
  });

  it("splits the pixel sum into step-aligned chunks that cover every pixel once, about 1024 workgroups in all", () => {
    for (const pixels of [1, 15, 16, 255, 256, 257, 7744, 12544, 50176, 50960, 1_000_000]) {
      for (const tiles of [1, 2, 9, 50, 2000]) {
        const { chunks, chunk } = splitPixels(pixels, tiles);
        expect(chunk % 16).toBe(0);
        expect(chunks).toBeLessThanOrEqual(256);
        expect((chunks - 1) * chunk).toBeLessThan(pixels);
        expect(chunks * chunk).toBeGreaterThanOrEqual(pixels);
        // About 1024 / tiles chunks (at most 256, at least 64 pixels each), less up to a quarter for rounding.
        expect(chunks).toBeGreaterThanOrEqual(0.75 * Math.min(256, Math.ceil(1024 / tiles), Math.ceil(pixels / 64)));
      }
    }
    // The ResNet 3x64 block convolution at batch 64: 9 tiles of dW, 12,544 pixels.
    expect(splitPixels(12544, 9)).toEqual({ chunks: 112, chunk: 112 });
    // The case below (batch 63 at 28x28, one tile): 238 chunks of 208 pixels, the last one 96.
    expect(splitPixels(63 * 784, 1)).toEqual({ chunks: 238, chunk: 208 });
  });

  // The models' convolutions (src/lib/model/builders.ts) at a small batch, and beyond them.
  const cases: { name: string; x: Shape4; w: Shape4; stride: number; pad: Pad }[] = [
    { name: "ResNet stem: 3x3 same, 1 -> 64 channels at 28x28", x: [2, 28, 28, 1], w: [3, 3, 1, 64], stride: 1, pad: "same" },
    { name: "ResNet block: 3x3 same, 64 -> 64 at 14x14", x: [2, 14, 14, 64], w: [3, 3, 64, 64], stride: 1, pad: "same" },
    { name: "CNN conv1: 3x3 valid, 1 -> 32", x: [2, 28, 28, 1], w: [3, 3, 1, 32], stride: 1, pad: "valid" },
    { name: "CNN conv2: 3x3 valid, 32 -> 64 at 13x13", x: [2, 13, 13, 32], w: [3, 3, 32, 64], stride: 1, pad: "valid" },
    { name: "CNN conv1: 5x5 valid, 1 -> 64", x: [2, 28, 28, 1], w: [5, 5, 1, 64], stride: 1, pad: "valid" },
    { name: "CNN conv2: 5x5 valid, 64 -> 128 at 12x12", x: [1, 12, 12, 64], w: [5, 5, 64, 128], stride: 1, pad: "valid" },
    { name: "stride 2, same, odd size", x: [2, 15, 15, 8], w: [3, 3, 8, 12], stride: 2, pad: "same" },
    { name: "stride 2, valid, 5x5, ragged tile edges", x: [2, 15, 15, 3], w: [5, 5, 3, 70], stride: 2, pad: "valid" },
    {
      name: "explicit uneven pads",
      x: [2, 9, 11, 5],
      w: [3, 3, 5, 7],
      stride: 1,
      pad: [
        [0, 0],
        [2, 0],
        [1, 2],
        [0, 0],
      ],
    },
    { name: "238 chunks with a short last one (batch 63)", x: [63, 28, 28, 1], w: [3, 3, 1, 4], stride: 1, pad: "same" },
  ];
  for (const c of cases) {
    it(
      `Conv2DBackpropFilter matches cpu: ${c.name}`,
      async () => {
        const cpu = await filterGradient("cpu", c.x, c.w, c.stride, c.pad, 11);
        const gpu = await filterGradient("webgpu", c.x, c.w, c.stride, c.pad, 11);
        expect(gpu.shape).toEqual(c.w);
        expect(relativeError(cpu.values, gpu.values)).toBeLessThan(1e-5);
        expect(gpu.leaked).toEqual({ tensors: 0, dataIds: 0 });
      },
      SLOW,
    );
  }

  it(
    "hands NCHW to the stock kernel, with the same result as NHWC on cpu",
    async () => {
      const cpu = await filterGradient("cpu", [2, 7, 7, 4], [3, 3, 4, 6], 1, "same", 3);
      const gpu = await filterGradient("webgpu", [2, 7, 7, 4], [3, 3, 4, 6], 1, "same", 3, "NCHW");
      expect(relativeError(cpu.values, gpu.values)).toBeLessThan(1e-5);
      expect(gpu.leaked).toEqual({ tensors: 0, dataIds: 0 });
    },
    SLOW,
  );

  /** A seeded set of `count` random images. */
  function imageSet(count: number, seed: number): ImageSet {
    const rng = createRng(seed);
    const images = new Uint8Array(count * PIXELS);
    for (let i = 0; i < images.length; i++) images[i] = Math.floor(rng() * 256);
    return { images, labels: Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10), count };
  }

  /** One batch of the project's training loop: the loss it reports and each weight's change. */
  async function oneTrainingStep(backend: Backend, build: () => tf.LayersModel) {
    expect(await tf.setBackend(backend)).toBe(true);
    const model = build();
    const before = await Promise.all(model.trainableWeights.map(async (w) => (await w.read().data()).slice()));
    const tensors = tf.memory().numTensors;
    const losses: number[] = [];
    await train(
      model,
      { train: imageSet(16, 5) },
      { epochs: 1, batchSize: 16, learningRate: 1e-3, seed: 1, selection: "last", onBatch: (p) => void losses.push(p.loss) },
    );
    const leaked = tf.memory().numTensors - tensors;
    const deltas = await Promise.all(model.trainableWeights.map(async (w, i) => Float32Array.from(await w.read().data(), (v, j) => v - before[i][j])));
    model.dispose();
    return { loss: losses[0], deltas, leaked };
  }

  const models: { name: string; build: () => tf.LayersModel }[] = [
    { name: "CNN 8-16-3-16", build: () => buildCnn({ conv1: 8, conv2: 16, kernel: 3, dense: 16 }, 3) },
    { name: "ResNet 1x8", build: () => buildResNet({ blocks: 1, filters: 8 }, 3) },
  ];
  for (const m of models) {
    it(
      `one training step of the ${m.name} agrees with cpu and leaks no tensor`,
      async () => {
        const cpu = await oneTrainingStep("cpu", m.build);
        const gpu = await oneTrainingStep("webgpu", m.build);
        expect(gpu.leaked).toBe(0);
        expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThan(1e-4 * Math.max(1, cpu.loss));
        // Adam's first step moves each weight by about lr * sign(gradient): compare the moves. A gradient
        // within float noise of zero may flip sign, so judge the mean difference, not the worst one.
        expect(gpu.deltas.length).toBe(cpu.deltas.length);
        let diff = 0;
        let count = 0;
        for (let i = 0; i < cpu.deltas.length; i++) {
          for (let j = 0; j < cpu.deltas[i].length; j++) diff += Math.abs(cpu.deltas[i][j] - gpu.deltas[i][j]);
          count += cpu.deltas[i].length;
        }
        expect(diff / count / 1e-3).toBeLessThan(0.02);
      },
      SLOW,
    );
  }
});

describe.runIf(missing !== null && inCi)("WebGPU test prerequisites in CI", () => {
  it("has the `webgpu` package and SwiftShader's Vulkan ICD (.ci/run installs chromium and npm packages)", () => {
    throw new Error(`WebGPU kernel tests cannot run in CI: ${missing}`);
  });
});

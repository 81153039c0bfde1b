/**
 * Pins the training numerics bit for bit: a seeded smoke-size run of a small CNN and a small
 * ResNet through `train()` (the project's own step, batch-norm recalibration, validation and
 * best-epoch selection), on cpu and wasm, against losses and a weights digest stored in
 * tests/fixtures/numerics/train-pin.json. A refactor must leave every value identical; a change
 * meant to alter numerics regenerates the fixture with `PIN_NUMERICS_UPDATE=1 npx vitest run
 * tests/lib/model/numerics-pin.test.ts` and says why in its commit.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useBackend, type BackendName } from "../../../src/lib/backends/use-backend.ts";
import { createRng } from "../../../src/lib/data/random.ts";
import { PIXELS, type ImageSet } from "../../../src/lib/data/splits.ts";
import { buildModel } from "../../../src/lib/model/builders.ts";
import { train } from "../../../src/lib/model/train.ts";
import type { ModelConfig } from "../../../src/lib/study/schema.ts";

const FIXTURE = new URL("../../fixtures/numerics/train-pin.json", import.meta.url);
const UPDATE = process.env.PIN_NUMERICS_UPDATE === "1";

interface Pinned {
  /** Running mean loss reported after every batch, as float64 bit patterns would print. */
  batchLosses: number[];
  epochs: { loss: number; accuracy: number; valLoss?: number; valAccuracy?: number }[];
  bestEpoch: number;
  /** sha256 of every weight's float32 bytes, in `model.getWeights()` order. */
  weightsSha256: string;
  /** A few weight values, to see how far a changed run moved. */
  weightSample: number[];
}

/** Seeded noise plus a class-specific bright bar, so training moves and validation varies. */
function seededSet(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(rng() * 10);
    labels[i] = c;
    for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = Math.floor(rng() * 64);
    for (let r = 2 + 2 * c; r < 4 + 2 * c; r++) for (let k = 4; k < 24; k++) images[i * PIXELS + r * 28 + k] = 255;
  }
  return { images, labels, count };
}

// The pure-JS cpu backend is ~100x slower than wasm: fewer images there.
const CASES: { name: string; backend: BackendName; config: ModelConfig; images: number; epochs: number }[] = [
  { name: "cnn on cpu", backend: "cpu", config: { family: "cnn", conv1: 4, conv2: 8, kernel: 3, dense: 16 }, images: 32, epochs: 2 },
  { name: "resnet on cpu", backend: "cpu", config: { family: "resnet", blocks: 1, filters: 4 }, images: 32, epochs: 2 },
  { name: "cnn on wasm", backend: "wasm", config: { family: "cnn", conv1: 4, conv2: 8, kernel: 3, dense: 16 }, images: 160, epochs: 4 },
  { name: "resnet on wasm", backend: "wasm", config: { family: "resnet", blocks: 2, filters: 8 }, images: 160, epochs: 4 },
];

async function pinnedRun({ backend, config, images, epochs }: (typeof CASES)[number]): Promise<Pinned> {
  await useBackend(backend);
  const model = buildModel(config, 7);
  const batchLosses: number[] = [];
  const result = await train(
    model,
    { train: seededSet(images, 11), validation: seededSet(images / 2, 12) },
    {
      epochs,
      batchSize: 16,
      learningRate: 0.02,
      seed: 5,
      evalBatchSize: 16,
      onBatch: (p) => void batchLosses.push(p.loss),
    },
  );
  const hash = createHash("sha256");
  const weights = model.getWeights();
  const values = weights.map((w) => w.dataSync() as Float32Array);
  for (const v of values) hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const weightSample = values.map((v) => v[0]);
  model.dispose();
  return {
    batchLosses,
    epochs: result.epochs.map(({ loss, accuracy, valLoss, valAccuracy }) => ({ loss, accuracy, valLoss, valAccuracy })),
    bestEpoch: result.bestEpoch,
    weightsSha256: hash.digest("hex"),
    weightSample,
  };
}

describe("training numerics", () => {
  const stored: Record<string, Pinned> = UPDATE ? {} : JSON.parse(readFileSync(FIXTURE, "utf8"));
  const fresh: Record<string, Pinned> = {};

  it.each(CASES)("are bit-identical to the pinned run: $name", async (c) => {
    const name = c.name;
    const run = await pinnedRun(c);
    fresh[name] = run;
    if (UPDATE) {
      if (Object.keys(fresh).length === CASES.length) writeFileSync(FIXTURE, JSON.stringify(fresh, null, 2) + "\n");
      return;
    }
    // JSON keeps float64 exactly (shortest round-trip form), so toEqual compares bits.
    expect(run).toEqual(JSON.parse(JSON.stringify(stored[name])));
  });
});

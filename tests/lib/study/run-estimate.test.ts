import { describe, expect, it } from "vitest";
import { presetEvidence, threadSpeedup } from "../../../src/lib/study/run-estimate.ts";
import type { ReproducedReference, RowReference } from "../../../src/lib/study/rerun-reference.ts";

const ref = (protocol: string, extra: Partial<ReproducedReference>): ReproducedReference => ({
  runId: `r.${protocol}`,
  protocol,
  backend: "wasm",
  valAccuracy: 0.9,
  testAccuracy: 0.9,
  testLoss: 0.3,
  testF1: 0.9,
  runtime: "node",
  ...extra,
});

describe("threadSpeedup", () => {
  it("is 1 for one thread and about 1.6 for two (Node's measurement), growing less than linearly", () => {
    expect(threadSpeedup(1)).toBe(1);
    expect(threadSpeedup(2)).toBeCloseTo(1.62, 2);
    expect(threadSpeedup(7)).toBeLessThan(7);
    expect(threadSpeedup(7)).toBeGreaterThan(threadSpeedup(2));
  });
});

describe("presetEvidence", () => {
  const row: RowReference = {
    rowId: "r",
    description: "r",
    byPreset: {
      full: ref("full", { trainSeconds: 1_000, trainedImages: 100_000, imagesPerSecond: 90 }),
      quick: ref("quick", { trainSeconds: 100, trainedImages: 5_000, imagesPerSecond: 55 }),
    },
  };

  it("uses the training time, not the epoch speed, when the record has it", () => {
    expect(presetEvidence(row, "full")).toMatchObject({ protocol: "full", imagesPerSecond: 100, basis: "training time", recordThreads: 1 });
  });

  it("takes another record of the row when it trained faster per thread, and one for a preset without a record", () => {
    expect(presetEvidence(row, "quick")?.protocol).toBe("full");
    expect(presetEvidence(row, "smoke")?.protocol).toBe("full");
  });

  it("scales wasm records to the reader's threads; GPU records are not scaled", () => {
    const two = presetEvidence(row, "full", 2)!;
    expect(two.imagesPerSecond).toBeCloseTo(100 * 2 ** 0.7, 6);
    expect(two.scaledToThreads).toBe(2);
    const gpu: RowReference = { rowId: "g", description: "g", byPreset: { full: ref("full", { backend: "webgpu", trainSeconds: 10, trainedImages: 10_000 }) } };
    expect(presetEvidence(gpu, "full", 4)).toMatchObject({ imagesPerSecond: 1_000, backend: "webgpu" });
    expect(presetEvidence(gpu, "full", 4)?.scaledToThreads).toBeUndefined();
  });

  it("falls back to the epoch speed of older pages' JSON, and gives null without any speed", () => {
    const old: RowReference = { rowId: "o", description: "o", reproduced: ref("full", { imagesPerSecond: 40 }) };
    expect(presetEvidence(old, "quick")).toMatchObject({ imagesPerSecond: 40, basis: "epoch speed" });
    expect(presetEvidence({ rowId: "n", description: "n" }, "full")).toBeNull();
    expect(presetEvidence(undefined, "full")).toBeNull();
  });
});

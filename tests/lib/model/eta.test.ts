import { describe, expect, it } from "vitest";
import { EtaEstimator, ThroughputWindow } from "../../../src/lib/model/eta.ts";

describe("ThroughputWindow", () => {
  it("counts images after the window's oldest batch over its span, and forgets batches beyond its size", () => {
    const w = new ThroughputWindow(3);
    expect(w.add(0, 10)).toBe(0);
    expect(w.add(1000, 10)).toBe(10);
    expect(w.add(2000, 30)).toBe(20);
    // The first batch (t = 0) leaves the window: (30 + 50) images over 2 s.
    expect(w.add(3000, 50)).toBe(40);
  });
});

describe("EtaEstimator", () => {
  it("gives no estimate before three batches, then the remaining images over the throughput plus timed validation", () => {
    const eta = new EtaEstimator({ totalBatches: 10, batchSize: 10, epochs: 2, validationImages: 100 });
    expect(eta.addBatch(0, 10, 1, 0).etaSeconds).toBeNull();
    expect(eta.addBatch(1000, 10, 2, 0).etaSeconds).toBeNull();
    eta.addValidation(4);
    const { imagesPerSecond, etaSeconds } = eta.addBatch(2000, 10, 3, 0);
    expect(imagesPerSecond).toBe(10);
    expect(etaSeconds).toBe((7 * 10) / 10 + 4 * 2);
  });
});

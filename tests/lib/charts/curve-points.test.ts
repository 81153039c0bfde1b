import { describe, expect, it } from "vitest";
import { appendBatchPoint, batchPointOf, curveAxis, type BatchPoint } from "../../../src/lib/charts/curve-points.ts";
import type { BatchProgress } from "../../../src/lib/model/train.ts";

const report = (batch: number, loss: number, extra: Partial<BatchProgress> = {}): BatchProgress => ({
  epoch: 1,
  epochs: 1,
  batch,
  batchesPerEpoch: 16,
  loss,
  accuracy: 0.5,
  imagesPerSecond: 100,
  etaSeconds: null,
  fraction: batch / 16,
  ...extra,
});

describe("batchPointOf", () => {
  it("places a report at the batch its loss is as of, which lags on a GPU", () => {
    expect(batchPointOf(report(8, 1.2)).x).toBe(0.5);
    expect(batchPointOf(report(8, 1.2, { lossBatch: 4 })).x).toBe(0.25);
    expect(batchPointOf(report(4, 0.7, { epoch: 3, epochs: 3, lossBatch: 4 })).x).toBe(2.25);
  });
});

describe("appendBatchPoint", () => {
  it("adds one point per batch on cpu/wasm, so a one-epoch run of 16 batches has 16 points", () => {
    const points: BatchPoint[] = [];
    for (let b = 1; b <= 16; b++) expect(appendBatchPoint(points, report(b, 2.3 - b * 0.05, { lossBatch: b }))).toBe(true);
    expect(points).toHaveLength(16);
    expect(points[0]).toEqual({ x: 1 / 16, loss: 2.25, accuracy: 0.5 });
    expect(points.at(-1)!.x).toBe(1);
  });

  it("adds one point per read on a GPU: reports that repeat the previous totals add nothing", () => {
    const points: BatchPoint[] = [];
    // Reads land at batches 1, 4 and 8; the reports in between carry the last read's totals.
    const lossBatches = [1, 1, 1, 4, 4, 4, 4, 8];
    const added = lossBatches.map((lossBatch, i) => appendBatchPoint(points, report(i + 1, 2 - lossBatch * 0.1, { lossBatch })));
    expect(added).toEqual([true, false, false, true, false, false, false, true]);
    expect(points.map((p) => p.x * 16)).toEqual([1, 4, 8]);
  });

  it("skips a report with a non-finite loss and one with no batch yet", () => {
    const points: BatchPoint[] = [];
    expect(appendBatchPoint(points, report(1, Number.NaN))).toBe(false);
    expect(appendBatchPoint(points, report(0, 1, { lossBatch: 0 }))).toBe(false);
    expect(points).toEqual([]);
  });
});

describe("curveAxis", () => {
  it("draws a one-epoch run against its batches once their number is known", () => {
    expect(curveAxis(1, 16)).toEqual({ scale: 16, domain: [0, 16], label: "Batch (of 16, one epoch)" });
  });
  it("draws longer runs, and a run before its first batch, against epochs", () => {
    expect(curveAxis(3, 85)).toEqual({ scale: 1, domain: [0, 3], label: "Epoch" });
    expect(curveAxis(1)).toEqual({ scale: 1, domain: [0, 1], label: "Epoch" });
  });
});

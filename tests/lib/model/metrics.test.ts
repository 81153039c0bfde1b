import { describe, expect, it } from "vitest";
import { classificationReport, confusionMatrix, splitMetrics } from "../../../src/lib/model/metrics.ts";

describe("confusionMatrix", () => {
  it("counts true/predicted pairs by row=true, column=predicted", () => {
    expect(confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
  });
  it("rejects labels out of range and length mismatches", () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/out of range/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(/2/);
  });
});

describe("classificationReport", () => {
  // Hand-checked: class 0: tp 1, predicted 2, support 2 -> P .5 R .5 F1 .5
  // class 1: tp 1, predicted 2, support 1 -> P .5 R 1 F1 2/3; class 2: tp 2, predicted 2, support 3 -> P 1 R 2/3 F1 .8
  const report = classificationReport([
    [1, 1, 0],
    [0, 1, 0],
    [1, 0, 2],
  ]);
  it("gives per-class precision, recall, F1 and support", () => {
    expect(report.perClass.map((r) => r.support)).toEqual([2, 1, 3]);
    expect(report.perClass[0]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(report.perClass[1].precision).toBeCloseTo(0.5);
    expect(report.perClass[1].recall).toBeCloseTo(1);
    expect(report.perClass[1].f1).toBeCloseTo(2 / 3);
    expect(report.perClass[2].precision).toBeCloseTo(1);
    expect(report.perClass[2].recall).toBeCloseTo(2 / 3);
    expect(report.perClass[2].f1).toBeCloseTo(0.8);
  });
  it("gives accuracy and macro and weighted averages like scikit-learn", () => {
    expect(report.accuracy).toBeCloseTo(4 / 6);
    expect(report.macro.precision).toBeCloseTo((0.5 + 0.5 + 1) / 3);
    expect(report.macro.recall).toBeCloseTo((0.5 + 1 + 2 / 3) / 3);
    expect(report.macro.f1).toBeCloseTo((0.5 + 2 / 3 + 0.8) / 3);
    expect(report.weighted.precision).toBeCloseTo((0.5 * 2 + 0.5 * 1 + 1 * 3) / 6);
    expect(report.weighted.recall).toBeCloseTo(report.accuracy); // weighted recall is accuracy
    expect(report.weighted.f1).toBeCloseTo((0.5 * 2 + (2 / 3) * 1 + 0.8 * 3) / 6);
  });
  it("gives 0, not NaN, for a class never predicted or never present", () => {
    const r = classificationReport([
      [2, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.perClass[0].precision).toBeCloseTo(2 / 3);
    expect(Number.isNaN(r.macro.f1)).toBe(false);
  });
  it("is perfect on a diagonal matrix", () => {
    const r = splitMetrics([0, 1, 2, 1], [0, 1, 2, 1], 0.1, 3);
    expect(r).toMatchObject({ accuracy: 1, precision: 1, recall: 1, f1: 1, loss: 0.1, images: 4 });
  });
});

import { describe, expect, it } from "vitest";
import { correctness, mcnemarExactP, mcnemarTest, mean, median, sampleStandardDeviation, summarise, tQuantile975 } from "../../../src/lib/study/statistics.ts";

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones, whatever the order", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/no values/);
  });
});

describe("mean and sample standard deviation", () => {
  it("computes them by hand-checkable cases", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // Squared deviations 4, 0, 4 over n - 1 = 2: variance 4, sd 2.
    expect(sampleStandardDeviation([2, 4, 6])).toBe(2);
    expect(sampleStandardDeviation([0.9, 0.9])).toBe(0);
  });

  it("leaves the sd undefined for one value and refuses an empty sample", () => {
    expect(sampleStandardDeviation([0.92])).toBeNull();
    expect(() => mean([])).toThrow(/no values/);
  });
});

describe("tQuantile975", () => {
  it("gives the table values for small samples", () => {
    expect(tQuantile975(1)).toBeCloseTo(12.7062, 4);
    expect(tQuantile975(2)).toBeCloseTo(4.3027, 4);
    expect(tQuantile975(4)).toBeCloseTo(2.7764, 4);
    expect(tQuantile975(30)).toBeCloseTo(2.0423, 4);
  });

  it("approaches the normal quantile for large df, continuous with the table at 30", () => {
    expect(tQuantile975(31)).toBeCloseTo(2.0395, 4);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 4);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 4);
    expect(tQuantile975(100000)).toBeCloseTo(1.96, 3);
  });

  it("rejects a non-positive df", () => {
    expect(() => tQuantile975(0)).toThrow(/positive integer/);
  });
});

describe("summarise", () => {
  it("gives mean ± t·sd/√n", () => {
    // n = 3, mean 4, sd 2: half-width t(0.975, 2)·2/√3 = 4.30265·1.1547 = 4.9683.
    const s = summarise([2, 4, 6]);
    expect(s.n).toBe(3);
    expect(s.mean).toBe(4);
    expect(s.sd).toBe(2);
    expect(s.ci95![0]).toBeCloseTo(4 - 4.9683, 3);
    expect(s.ci95![1]).toBeCloseTo(4 + 4.9683, 3);
  });

  it("has no interval for one value", () => {
    expect(summarise([0.9])).toEqual({ n: 1, mean: 0.9, sd: null, ci95: null });
  });
});

describe("McNemar's exact test", () => {
  it("matches hand-computed binomial tails", () => {
    // b = 0, c = 5: 2·(1/2)^5 = 0.0625.
    expect(mcnemarExactP(0, 5)).toBeCloseTo(0.0625, 12);
    // b = 1, c = 9: 2·(1 + 10)/1024.
    expect(mcnemarExactP(1, 9)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExactP(9, 1)).toBeCloseTo(22 / 1024, 12);
    // b = 2, c = 8: 2·(1 + 10 + 45)/1024.
    expect(mcnemarExactP(2, 8)).toBeCloseTo(112 / 1024, 12);
  });

  it("is 1 for equal or no discordant counts", () => {
    expect(mcnemarExactP(5, 5)).toBe(1);
    expect(mcnemarExactP(0, 0)).toBe(1);
  });

  it("stays finite and small for thousands of discordant images", () => {
    const p = mcnemarExactP(300, 420);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-4);
    // Normal approximation with continuity correction: z = (|b - c| - 1)/√(b + c) = 4.435, p ≈ 9.2e-6.
    expect(Math.log10(p)).toBeCloseTo(Math.log10(9.2e-6), 0);
  });

  it("counts the discordant images of two correctness vectors", () => {
    const labels = [0, 1, 2, 3, 4, 5];
    const a = correctness([0, 1, 2, 9, 4, 9], labels); // right on 0,1,2,4
    const b = correctness([0, 9, 9, 3, 4, 9], labels); // right on 0,3,4
    expect(Array.from(a)).toEqual([1, 1, 1, 0, 1, 0]);
    expect(mcnemarTest(a, b)).toEqual({ onlyFirst: 2, onlySecond: 1, p: 1 });
  });

  it("rejects mismatched lengths", () => {
    expect(() => correctness([1, 2], [1])).toThrow(/differ in length/);
    expect(() => mcnemarTest([1], [1, 0])).toThrow(/differ in length/);
    expect(() => mcnemarExactP(-1, 2)).toThrow(/non-negative integer/);
  });
});

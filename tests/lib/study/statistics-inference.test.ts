import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/lib/data/random.ts";
import {
  binomialVariance,
  chiSquare1UpperTail,
  cochranMantelHaenszel,
  holmAdjust,
  pooledMcNemar,
  predictionInterval,
  sampleBinomial,
  tCdf,
  tQuantile,
  tQuantile975,
  twoLevelBootstrap,
  welchTest,
  type Table2x2,
} from "../../../src/lib/study/statistics.ts";

describe("t distribution", () => {
  it("matches the table of t(0.975, df) and the normal's 1.96 in the limit", () => {
    for (const df of [1, 2, 3, 5, 10, 30]) expect(tQuantile(0.975, df)).toBeCloseTo(tQuantile975(df), 6);
    expect(tQuantile(0.975, Infinity)).toBeCloseTo(1.959964, 5);
    expect(tCdf(0, 4)).toBeCloseTo(0.5, 12);
    // t(0.95, 5) = 2.015048 (standard tables).
    expect(tQuantile(0.95, 5)).toBeCloseTo(2.015048, 5);
  });

  it("gives chi-square(1) tails: P(X > 3.841459) = 0.05", () => {
    expect(chiSquare1UpperTail(3.841459)).toBeCloseTo(0.05, 6);
    expect(chiSquare1UpperTail(0)).toBe(1);
  });
});

describe("predictionInterval", () => {
  it("is mean ± t(0.975, n − 1)·s·√(1 + 1/n): 91% ± 4.30265·1%·√(4/3) = ±4.9683 points for 90, 91, 92%", () => {
    const pi = predictionInterval([0.9, 0.91, 0.92]);
    expect(pi.mean).toBeCloseTo(0.91, 12);
    expect(pi.sd).toBeCloseTo(0.01, 12);
    expect(pi.df).toBe(2);
    expect(pi.halfWidth).toBeCloseTo(0.0496828, 6);
    expect(pi.interval[0]).toBeCloseTo(0.8603172, 6);
    expect(pi.interval[1]).toBeCloseTo(0.9596828, 6);
  });

  it("widens by the original's binomial validation error, in quadrature: √(0.0496828² + (1.959964·√(0.9·0.1/6000))²)", () => {
    expect(binomialVariance(0.9, 6000)).toBeCloseTo(1.5e-5, 12);
    const pi = predictionInterval([0.9, 0.91, 0.92], binomialVariance(0.9, 6000));
    // 1.959964·√1.5e-5 = 0.00759089; √(0.00246838 + 0.0000576216) = 0.0502593.
    expect(pi.halfWidth).toBeCloseTo(0.0502593, 6);
    expect(pi.halfWidth).toBeGreaterThan(predictionInterval([0.9, 0.91, 0.92]).halfWidth);
    // With no spread across seeds only the binomial part is left: ±1.96·√1.5e-5.
    expect(predictionInterval([0.9, 0.9, 0.9], 1.5e-5).halfWidth).toBeCloseTo(0.00759089, 7);
  });

  it("needs two runs", () => {
    expect(() => predictionInterval([0.9])).toThrow(/at least two/);
  });
});

describe("twoLevelBootstrap", () => {
  it("resamples seeds: two seeds whose images all score 0 and 1 give 0 (1/4), 0.5 (1/2), 1 (1/4), so [0, 1]", () => {
    const r = twoLevelBootstrap(
      [
        [0, 0],
        [1, 1],
      ],
      { resamples: 10_000, seed: 3 },
    );
    expect(r.estimate).toBe(0.5);
    expect(r.ci95).toEqual([0, 1]);
    expect(r.resamples).toBe(10_000);
  });

  it("resamples images within a seed: one seed with images 0 and 1 gives the same [0, 1]", () => {
    expect(twoLevelBootstrap([[0, 1]], { seed: 3 }).ci95).toEqual([0, 1]);
  });

  it("collapses when every seed and image agree, and is deterministic for a seed", () => {
    expect(
      twoLevelBootstrap([
        [1, 1, 1],
        [1, 1, 1],
      ]).ci95,
    ).toEqual([1, 1]);
    const data = [
      Float64Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? 1 : i % 11 === 0 ? -1 : 0)),
      Float64Array.from({ length: 500 }, (_, i) => (i % 5 === 0 ? 1 : 0)),
    ];
    expect(twoLevelBootstrap(data, { seed: 9, resamples: 500 })).toEqual(twoLevelBootstrap(data, { seed: 9, resamples: 500 }));
  });

  it("is wider than the image-only bootstrap when seeds disagree", () => {
    const seedA = Float64Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? 1 : 0)); // +2 points
    const seedB = Float64Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? -1 : 0)); // −2 points
    const two = twoLevelBootstrap([seedA, seedB], { resamples: 2000 });
    expect(two.estimate).toBeCloseTo(0, 12);
    // With seeds resampled, both seeds drawn as A (1/4 of resamples) put the mean near +0.02.
    expect(two.ci95[1]).toBeGreaterThan(0.015);
    expect(two.ci95[0]).toBeLessThan(-0.015);
  });

  it("draws binomials with the right mean and variance (10,000 trials at 4%: 400 and 384)", () => {
    const rng = createRng(5);
    const draws = Array.from({ length: 20_000 }, () => sampleBinomial(10_000, 0.04, rng));
    const m = draws.reduce((a, b) => a + b, 0) / draws.length;
    const v = draws.reduce((a, b) => a + (b - m) ** 2, 0) / (draws.length - 1);
    expect(m).toBeGreaterThan(399);
    expect(m).toBeLessThan(401);
    expect(v).toBeGreaterThan(370);
    expect(v).toBeLessThan(400);
  });
});

describe("cochranMantelHaenszel", () => {
  // R's `mantelhaen.test(Rabbits)` (penicillin and rabbits, 5 strata): X² = 3.9286, p = 0.04747.
  // By hand: Σa = 16, ΣE = 0 + 1.5 + 4 + 5.5 + 2 = 13, ΣVar = 0 + 0.61364 + 0.72727 + 0.25 + 0 = 1.59091,
  // (|16 − 13| − 0.5)² / 1.59091 = 3.92857.
  const rabbits: Table2x2[] = [
    [
      [0, 6],
      [0, 5],
    ],
    [
      [3, 3],
      [0, 6],
    ],
    [
      [6, 0],
      [2, 4],
    ],
    [
      [5, 1],
      [6, 0],
    ],
    [
      [2, 0],
      [5, 0],
    ],
  ];

  it("gives the textbook statistic and p on the Rabbits table", () => {
    const r = cochranMantelHaenszel(rabbits);
    expect(r.observed).toBe(16);
    expect(r.expected).toBeCloseTo(13, 12);
    expect(r.variance).toBeCloseTo(1.590909, 6);
    expect(r.chiSquare).toBeCloseTo(3.928571, 6);
    expect(r.p).toBeCloseTo(0.04747, 5);
    expect(cochranMantelHaenszel(rabbits, { correct: false }).chiSquare).toBeCloseTo(9 / 1.5909091, 5);
  });

  it("with every matched pair as a stratum, equals McNemar on the counts pooled over seeds", () => {
    // Two seeds: (b, c) = (3, 1) and (2, 0), plus concordant pairs.
    const pairTables = (b: number, c: number, concordant: number): Table2x2[] => [
      ...Array.from({ length: b }, (): Table2x2 => [
        [1, 0],
        [0, 1],
      ]),
      ...Array.from({ length: c }, (): Table2x2 => [
        [0, 1],
        [1, 0],
      ]),
      ...Array.from({ length: concordant }, (): Table2x2 => [
        [1, 0],
        [1, 0],
      ]),
    ];
    const cmh = cochranMantelHaenszel([...pairTables(3, 1, 5), ...pairTables(2, 0, 4)], { correct: false });
    const pooled = pooledMcNemar([
      { onlyFirst: 3, onlySecond: 1 },
      { onlyFirst: 2, onlySecond: 0 },
    ]);
    expect(pooled).toMatchObject({ onlyFirst: 5, onlySecond: 1 });
    expect(pooled.chiSquare).toBeCloseTo(16 / 6, 12);
    expect(cmh.chiSquare).toBeCloseTo(pooled.chiSquare, 12);
    // Exact: 2·P(X <= 1), X ~ Bin(6, 1/2) = 2·7/64.
    expect(pooled.p).toBeCloseTo(14 / 64, 12);
  });
});

describe("welchTest", () => {
  it("gives R's t.test(c(1,2,3,4), c(2,4,6,8,10)): t = −2.2514, df = 5.5208, p = 0.06913", () => {
    const w = welchTest([1, 2, 3, 4], [2, 4, 6, 8, 10]);
    expect(w.difference).toBe(-3.5);
    expect(w.t).toBeCloseTo(-2.251436, 5);
    expect(w.df).toBeCloseTo(5.520788, 5);
    expect(w.p).toBeCloseTo(0.06913, 4);
    expect(w.ci95[0]).toBeCloseTo(-7.3854, 3);
    expect(w.ci95[1]).toBeCloseTo(0.3854, 3);
  });
});

describe("holmAdjust", () => {
  it("adjusts 0.01, 0.04, 0.03, 0.005 to 0.03, 0.06, 0.06, 0.02 (order kept)", () => {
    const r = holmAdjust([0.01, 0.04, 0.03, 0.005], (p) => p);
    expect(r.map((x) => x.adjustedP).map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(r.map((x) => x.p)).toEqual([0.01, 0.04, 0.03, 0.005]);
  });

  it("caps at 1 and handles an empty family", () => {
    expect(holmAdjust([0.5, 0.6], (p) => p).map((x) => x.adjustedP)).toEqual([1, 1]);
    expect(holmAdjust([], (p: number) => p)).toEqual([]);
  });
});

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readRuns } from "../../../scripts/lib/read-runs.ts";
import { encodePredictions } from "../../../src/lib/study/predictions.ts";
import type { RunRecord } from "../../../src/lib/study/schema.ts";
import {
  buildSeedStudy,
  compareRankedRows,
  formatSampleSummary,
  fullRunsBySeed,
  fullSeedValue,
  pairedVerdict,
  seedValueNote,
  rankingParts,
  rankingSentence,
  summariseRowRuns,
} from "../../../src/lib/study/seed-summary.ts";

const base = JSON.parse(readFileSync(new URL("../../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url), "utf8")) as RunRecord;

/** A full-protocol record of `rowId` with the given seed, accuracies and (optionally) test predictions. */
function record(
  rowId: string,
  seed: number,
  o: { val?: number; lastVal?: number; test?: number; predicted?: number[]; finishedAt?: string; protocol?: "full" | "quick" },
): RunRecord {
  const run = structuredClone(base);
  run.rowId = rowId;
  run.protocol = { ...run.protocol, name: o.protocol ?? "full", seed };
  run.metrics.validation.accuracy = o.val ?? 0.9;
  run.metrics.test.accuracy = o.test ?? 0.9;
  run.epochs = [
    { epoch: 1, loss: 0.5, accuracy: 0.8, valAccuracy: o.val ?? 0.9, seconds: 1, imagesPerSecond: 1 },
    { epoch: 2, loss: 0.4, accuracy: 0.85, valAccuracy: o.lastVal ?? 0.89, seconds: 1, imagesPerSecond: 1 },
  ];
  run.bestEpoch = 1;
  if (o.finishedAt) run.finishedAt = o.finishedAt;
  if (o.predicted) {
    run.metrics.test.images = o.predicted.length;
    run.testPredictions = encodePredictions(Uint8Array.from(o.predicted));
  }
  return run;
}

const A = { rowId: "cnn-32-64-3-64", rank: 1, valAccuracy: 0.9201 };
const B = { rowId: "cnn-64-128-3-64", rank: 2, valAccuracy: 0.9189 };
const LABELS = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
/** Predictions right on the first `k` of the ten images and wrong (label + 1) on the rest. */
const rightOn = (k: number) => Array.from(LABELS, (y, i) => (i < k ? y : (y + 1) % 10));

describe("summariseRowRuns", () => {
  it("gives n, mean ± sd and the 95% t-interval of best-epoch validation, last-epoch validation and test accuracy", () => {
    const runs = [
      record(A.rowId, 1, { val: 0.9, lastVal: 0.89, test: 0.9 }),
      record(A.rowId, 2, { val: 0.92, lastVal: 0.91, test: 0.92 }),
      record(A.rowId, 3, { val: 0.94, lastVal: 0.9, test: 0.94 }),
      record(B.rowId, 1, { test: 0.5 }),
      record(A.rowId, 4, { test: 0.1, protocol: "quick" }),
    ];
    const s = summariseRowRuns(A.rowId, runs);
    expect(s.seeds).toEqual([1, 2, 3]);
    // 0.90, 0.92, 0.94: mean 0.92, sd 0.02, half-width 4.30265 · 0.02 / √3 = 0.049683.
    expect(s.test!.n).toBe(3);
    expect(s.test!.mean).toBeCloseTo(0.92, 12);
    expect(s.test!.sd).toBeCloseTo(0.02, 12);
    expect(s.test!.ci95![0]).toBeCloseTo(0.92 - 0.049683, 5);
    expect(s.test!.ci95![1]).toBeCloseTo(0.92 + 0.049683, 5);
    expect(s.bestEpochValidation!.mean).toBeCloseTo(0.92, 12);
    expect(s.lastEpochValidation!.mean).toBeCloseTo(0.9, 12);
    expect(s.lastEpochValidation!.sd).toBeCloseTo(0.01, 12);
  });

  it("keeps the latest run of a seed and reports no spread for none or one run", () => {
    const runs = [
      record(A.rowId, 1, { test: 0.8, finishedAt: "2026-11-01T00:00:00.000Z" }),
      record(A.rowId, 1, { test: 0.9, finishedAt: "2026-11-02T00:00:00.000Z" }),
    ];
    expect([...fullRunsBySeed(runs, A.rowId).values()].map((r) => r.metrics.test.accuracy)).toEqual([0.9]);
    const one = summariseRowRuns(A.rowId, runs);
    expect(one.test).toEqual({ n: 1, mean: 0.9, sd: null, ci95: null });
    expect(summariseRowRuns(B.rowId, runs)).toEqual({
      rowId: B.rowId,
      seeds: [],
      bestEpochValidation: null,
      lastEpochValidation: null,
      test: null,
    });
  });

  it("formats a summary in percent with the sd in points", () => {
    expect(formatSampleSummary({ n: 3, mean: 0.92, sd: 0.02, ci95: [0.8703, 0.9697] })).toBe("92.00% ± 2.00 (95% CI 87.03% to 96.97%)");
    expect(formatSampleSummary({ n: 1, mean: 0.9, sd: null, ci95: null })).toBe("90.00% (one run)");
  });
});

describe("fullSeedValue", () => {
  it("gives the seed mean with n and its interval, or one run marked as such", () => {
    const runs = [0.9, 0.92, 0.94].map((test, i) => record(A.rowId, i + 1, { test }));
    const v = fullSeedValue(runs, A.rowId, (r) => r.metrics.test.accuracy)!;
    expect(v.value).toBeCloseTo(0.92, 12);
    expect(v.n).toBe(3);
    expect(v.seeds).toEqual([1, 2, 3]);
    expect(seedValueNote(v)).toBe("mean of 3 seeds, 95% CI 87.03% to 96.97%");
    const one = fullSeedValue(runs.slice(1, 2), A.rowId, (r) => r.metrics.test.accuracy)!;
    expect(one).toEqual({ value: 0.92, n: 1, seeds: [2], ci95: null });
    expect(seedValueNote(one)).toBe("1 run (seed 2)");
    expect(fullSeedValue(runs, B.rowId, (r) => r.metrics.test.accuracy)).toBeNull();
  });
});

describe("compareRankedRows", () => {
  // Seeds 1-3: A right on 9, 10, 9 of the ten images; B on 5, 6, 5. Each seed: b = 4, c = 0.
  const CLEAR = [
    record(A.rowId, 1, { predicted: rightOn(9) }),
    record(A.rowId, 2, { predicted: rightOn(10) }),
    record(A.rowId, 3, { predicted: rightOn(9) }),
    record(B.rowId, 1, { predicted: rightOn(5) }),
    record(B.rowId, 2, { predicted: rightOn(6) }),
    record(B.rowId, 3, { predicted: rightOn(5) }),
    record(B.rowId, 4, { predicted: rightOn(6) }),
  ];

  it("pairs runs by seed and pools McNemar's counts over the seeds into one test", () => {
    const c = compareRankedRows(A, B, CLEAR, LABELS);
    expect(c.higher.fullRuns).toBe(3);
    expect(c.lower.fullRuns).toBe(4);
    expect(c.pairs.map((p) => p.seed)).toEqual([1, 2, 3]);
    expect(c.pairs[0]).toEqual({ seed: 1, higherAccuracy: 0.9, lowerAccuracy: 0.5, mcnemar: { onlyFirst: 4, onlySecond: 0, p: 0.125 } });
    // Pooled: b = 12, c = 0, exact p = 2·(1/2)^12 = 0.000488; χ² = 12.
    expect(c.pooled).toMatchObject({ onlyFirst: 12, onlySecond: 0, chiSquare: 12 });
    expect(c.pooled!.p).toBeCloseTo(2 / 4096, 12);
    // Differences 0.4, 0.4, 0.4.
    expect(c.difference!.n).toBe(3);
    expect(c.difference!.sd).toBeCloseTo(0, 12);
    expect(c.difference!.mean).toBeCloseTo(0.4, 12);
    expect(c.bootstrap!.estimate).toBeCloseTo(0.4, 12);
    expect(c.bootstrap!.resamples).toBe(10_000);
    expect(c.bootstrap!.ci95[0]).toBeGreaterThan(0);
    // Welch on 0.9, 1, 0.9 vs 0.5, 0.6, 0.5: both sd 0.0577, SE 0.04714, t = 8.485 with 4 df.
    expect(c.welch!.difference).toBeCloseTo(0.4, 12);
    expect(c.welch!.t).toBeCloseTo(8.485281, 5);
    expect(c.welch!.df).toBeCloseTo(4, 9);
    expect(c.holm).toBeNull();
    expect(c.verdict).toBe("holds");
    expect(compareRankedRows(B, A, CLEAR, LABELS).verdict).toBe("reversed");
  });

  it("calls a difference that changes sign across seeds unresolved", () => {
    const runs = [
      record(A.rowId, 1, { predicted: rightOn(8) }),
      record(A.rowId, 2, { predicted: rightOn(6) }),
      record(A.rowId, 3, { predicted: rightOn(7) }),
      record(B.rowId, 1, { predicted: rightOn(6) }),
      record(B.rowId, 2, { predicted: rightOn(8) }),
      record(B.rowId, 3, { predicted: rightOn(7) }),
    ];
    const c = compareRankedRows(A, B, runs, LABELS);
    expect(c.difference!.mean).toBeCloseTo(0, 12);
    expect(c.pooled).toMatchObject({ onlyFirst: 2, onlySecond: 2, p: 1 });
    expect(c.verdict).toBe("unresolved");
    expect(rankingSentence(c)).toMatch(
      /These runs do not resolve the order: by at least one criterion .* the difference is within the noise of seeds and test images\.$/,
    );
  });

  it("calls a difference only when the bootstrap, the seeds' t-interval and the (Holm-adjusted) pooled test all agree", () => {
    const agreed = {
      bootstrap: { estimate: 0.2, ci95: [0.05, 0.35] as [number, number], resamples: 10_000 },
      difference: { n: 3, mean: 0.2, sd: 0.05, ci95: [0.08, 0.32] as [number, number] },
      pooled: { onlyFirst: 6, onlySecond: 0, chiSquare: 6, p: 0.03 },
      holm: null,
    };
    expect(pairedVerdict(agreed)).toBe("holds");
    // Three seeds all ahead, but too unevenly for t(0.975, 2): the t-interval includes zero.
    expect(pairedVerdict({ ...agreed, difference: { ...agreed.difference, ci95: [-0.23, 0.63] } })).toBe("unresolved");
    expect(pairedVerdict({ ...agreed, bootstrap: { ...agreed.bootstrap, ci95: [-0.01, 0.35] } })).toBe("unresolved");
    expect(pairedVerdict({ ...agreed, holm: { adjustedP: 0.09, familySize: 3 } })).toBe("unresolved");
    expect(pairedVerdict({ ...agreed, bootstrap: null })).toBe("too-few-runs");
  });

  it("gives no verdict from two paired seeds, however large the difference", () => {
    const c = compareRankedRows(
      A,
      B,
      CLEAR.filter((r) => r.protocol.seed !== 3),
      LABELS,
    );
    expect(c.pairs).toHaveLength(2);
    expect(c.verdict).toBe("too-few-runs");
    expect(c.bootstrap).toBeNull();
  });

  it("says plainly when there are too few paired runs, and ignores runs without predictions", () => {
    const runs = [record(A.rowId, 1, { predicted: rightOn(9) }), record(A.rowId, 2, {}), record(B.rowId, 1, { predicted: rightOn(5) }), record(B.rowId, 2, {})];
    const c = compareRankedRows(A, B, runs, LABELS);
    expect(c.verdict).toBe("too-few-runs");
    expect(c.pairs).toHaveLength(1);
    expect(c.difference).toBeNull();
    expect(rankingSentence(c)).toBe(
      "The original study ranked cnn-32-64-3-64 (#1, 92.01% validation accuracy) above cnn-64-128-3-64 (#2, 91.89%). " +
        "This site has too few runs to say whether that order holds: it needs full-protocol runs of both rows with at " +
        "least 3 common seeds, and has 2 full-protocol runs of cnn-32-64-3-64, 2 full-protocol runs of cnn-64-128-3-64 (1 paired seed).",
    );
    expect(rankingSentence(compareRankedRows(A, B, [], null))).toMatch(/has 0 full-protocol runs of cnn-32-64-3-64, 0 full-protocol runs/);
  });

  it("refuses predictions that do not match the labels", () => {
    const runs = [record(A.rowId, 1, { predicted: [0, 1] }), record(B.rowId, 1, { predicted: [0, 1] })];
    expect(() => compareRankedRows(A, B, runs, LABELS)).toThrow(/testPredictions holds 2 predictions for 10 test images/);
    expect(() => compareRankedRows(A, B, runs, null)).toThrow(/test labels are needed/);
  });
});

describe("the seed study of the fixture runs (tests/fixtures/runs-seeds)", () => {
  const runs = readRuns(new URL("../../fixtures/runs-seeds/", import.meta.url).pathname).map((r) => r.run);
  const labels = () => Uint8Array.from(gunzipSync(readFileSync("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")).subarray(8));
  const ranked = [A, B, { rowId: "cnn-64-128-3-32", rank: 3, valAccuracy: 0.9184 }];
  const rows = ["cnn-32-64-3-64", "cnn-64-128-3-64", "cnn-64-128-3-32", "cnn-32-64-5-64"];

  it("summarises the rows with two or more full runs and tests each ranked pair", () => {
    const study = buildSeedStudy(rows, ranked, runs, labels);
    expect(study.summaries.map((s) => [s.rowId, s.seeds])).toEqual([
      ["cnn-32-64-3-64", [1, 2, 3]],
      ["cnn-64-128-3-64", [1, 2, 3]],
    ]);
    expect(study.singleRunRows).toBe(1);
    // The fixtures put rank 1 about a point above rank 2 on every seed; rank 3 has one run.
    expect(study.rankings.map((r) => r.comparison.verdict)).toEqual(["holds", "too-few-runs"]);
    expect(study.rankings[0].comparison.testImages).toBe(10_000);
    expect(study.rankings[0].sentence).toMatch(
      /^The original study ranked cnn-32-64-3-64 \(#1, 92\.01% validation accuracy\) above cnn-64-128-3-64 \(#2, 91\.89%\)\. Over 3 seeds run for both, .* is \+1\.\d\d points on average \(two-level bootstrap over seeds and the 10,000 test images, 10,000 resamples: 95% interval \+\d\.\d\d to \+\d\.\d\d; t-interval across the seeds \+\d\.\d\d to \+\d\.\d\d\)\. McNemar's test pooled over the seeds .*Welch.*The order holds in these runs: .*$/,
    );
    expect(study.rankings[1].sentence).toMatch(/too few runs .* 1 full-protocol run of cnn-64-128-3-32 \(1 paired seed\)\.$/);
  });

  it("reads no labels when nothing can be paired, and says it has too few runs", () => {
    const study = buildSeedStudy(rows, ranked, [], () => {
      throw new Error("labels read");
    });
    expect(study.summaries).toEqual([]);
    expect(study.rankings.map((r) => r.comparison.verdict)).toEqual(["too-few-runs", "too-few-runs"]);
  });
});

describe("rankingParts", () => {
  it("splits the sentence into the original's claim and this site's finding", () => {
    const runs = [1, 2, 3].flatMap((seed) => [record(A.rowId, seed, { predicted: rightOn(9) }), record(B.rowId, seed, { predicted: rightOn(5) })]);
    const c = compareRankedRows(A, B, runs, LABELS);
    const parts = rankingParts(c);
    expect(parts.reproduced).toBe(true);
    expect(parts.claim).toMatch(/^The original study ranked .*\(#2, 91\.89%\)\.$/);
    expect(parts.finding).toMatch(
      /^Over 3 seeds run for both, cnn-32-64-3-64's test accuracy minus cnn-64-128-3-64's is \+40\.00 points on average .*\(12 images right only by cnn-32-64-3-64, 0 only by cnn-64-128-3-64\): p < 0\.001\. Unpaired \(Welch\) on the per-seed accuracies: \+40\.00 points, .* The order holds in these runs: .*$/,
    );
    expect(rankingSentence(c)).toBe(`${parts.claim} ${parts.finding}`);
    expect(rankingParts(compareRankedRows(A, B, [], null)).reproduced).toBe(false);
  });
});

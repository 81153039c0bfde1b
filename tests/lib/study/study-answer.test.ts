import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../../src/lib/study/schema.ts";
import { checkLevel, levelAnswer, levelSentence, tallyLevels, type LevelCheck } from "../../../src/lib/study/study-answer.ts";

const base = JSON.parse(
  readFileSync(new URL("../../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url), "utf8"),
) as RunRecord;

/** A record of `rowId`, `seed`, with best-epoch validation accuracy `val`. */
function record(rowId: string, seed: number, val: number, protocol: "full" | "quick" = "full"): RunRecord {
  const run = structuredClone(base);
  run.rowId = rowId;
  run.protocol = { ...run.protocol, name: protocol, seed };
  run.metrics.validation.accuracy = val;
  return run;
}

const ROW = { rowId: "cnn-32-64-3-64", rank: 1, valAccuracy: 0.93 };
// 0.90, 0.91, 0.92: mean 0.91, sd 0.01, t(0.975, 2) = 4.3027, half-width 4.3027 * 0.01 / sqrt(3) = 0.024841.
const THREE = [record(ROW.rowId, 1, 0.9), record(ROW.rowId, 2, 0.91), record(ROW.rowId, 3, 0.92)];

describe("checkLevel", () => {
  it("puts the original inside, above or below this site's 95% interval (hand-checked t-interval)", () => {
    const within = checkLevel(ROW, THREE);
    expect(within.verdict).toBe("within");
    expect(within.seeds).toEqual([1, 2, 3]);
    expect(within.ours!.mean).toBeCloseTo(0.91, 12);
    expect(within.ours!.ci95![0]).toBeCloseTo(0.885159, 5);
    expect(within.ours!.ci95![1]).toBeCloseTo(0.934841, 5);
    expect(within.difference).toBeCloseTo(-0.02, 12);
    // 0.94 is above the interval's top (0.9348): this site's runs are lower.
    expect(checkLevel({ ...ROW, valAccuracy: 0.94 }, THREE).verdict).toBe("below");
    expect(checkLevel({ ...ROW, valAccuracy: 0.88 }, THREE).verdict).toBe("above");
  });

  it("counts only full-protocol runs of the row, and gives no verdict on one run or none", () => {
    const others = [record("cnn-64-128-3-64", 1, 0.99), record(ROW.rowId, 2, 0.5, "quick")];
    expect(checkLevel(ROW, others)).toMatchObject({ verdict: "not-reproduced", ours: null, difference: null, seeds: [] });
    const one = checkLevel({ ...ROW, valAccuracy: 0.9201 }, [...others, record(ROW.rowId, 1, 0.9155)]);
    expect(one).toMatchObject({ verdict: "one-run", seeds: [1] });
    expect(one.difference).toBeCloseTo(-0.0046, 12);
    expect(levelSentence(one)).toBe("91.55% in one run (seed 1), −0.46 points from the original's 92.01%.");
  });
});

describe("sentences", () => {
  it("says the mean, the interval and the distance from the original", () => {
    expect(levelSentence(checkLevel(ROW, THREE))).toBe("91.00% mean over 3 seeds (95% interval 88.52% to 93.48%), −2.00 points from the original's 93.00%.");
    expect(levelSentence(checkLevel(ROW, []))).toBe("No full-protocol run of cnn-32-64-3-64 yet.");
  });

  it("answers for all ranked rows, plainly when no row has an interval", () => {
    const checks: LevelCheck[] = [
      checkLevel(ROW, THREE),
      checkLevel({ ...ROW, valAccuracy: 0.94, rank: 2 }, THREE),
      checkLevel({ ...ROW, rowId: "resnet-3x64", rank: 1 }, THREE),
      checkLevel({ ...ROW, rowId: "cnn-64-128-3-32", rank: 3 }, [record("cnn-64-128-3-32", 1, 0.91)]),
    ];
    const tally = tallyLevels(checks);
    expect(tally).toEqual({ ranked: 4, reproduced: 3, withInterval: 2, within: 1, below: 1, above: 0 });
    expect(levelAnswer(tally)).toBe(
      "3 of the original's 4 ranked configurations have a full-protocol run here. Of the 2 configurations run with 2 or more seeds, the original's validation accuracy is inside this site's 95% interval for 1, above this site's 95% interval for 1 (our runs are lower).",
    );
    expect(levelAnswer(tallyLevels(checks.slice(2)))).toBe(
      "1 of the original's 2 ranked configurations has a full-protocol run here; none has the 2 or more seeds an interval needs, so whether the original's accuracies hold cannot be said yet.",
    );
  });
});

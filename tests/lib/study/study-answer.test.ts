import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../../src/lib/study/schema.ts";
import { checkLevel, inconclusiveReason, levelAnswer, levelSentence, tallyLevels, type LevelCheck } from "../../../src/lib/study/study-answer.ts";

const base = JSON.parse(readFileSync(new URL("../../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url), "utf8")) as RunRecord;

/** A record of `rowId`, `seed`, with best-epoch validation accuracy `val`. */
function record(rowId: string, seed: number, val: number, protocol: "full" | "quick" = "full"): RunRecord {
  const run = structuredClone(base);
  run.rowId = rowId;
  run.protocol = { ...run.protocol, name: protocol, seed };
  run.metrics.validation.accuracy = val;
  return run;
}

const ROW = { rowId: "cnn-32-64-3-64", rank: 1, valAccuracy: 0.915 };
// 0.910, 0.911, 0.912: mean 0.911, sd 0.001; seeds' part t(0.975, 2)·s·√(1 + 1/3) = 4.30265·0.001·1.1547 = 0.00496828.
const THREE = [record(ROW.rowId, 1, 0.91), record(ROW.rowId, 2, 0.911), record(ROW.rowId, 3, 0.912)];

describe("checkLevel", () => {
  it("sets the original against the 95% prediction interval for one new run, widened by its validation error (hand-checked)", () => {
    const within = checkLevel(ROW, THREE);
    expect(within.verdict).toBe("within");
    expect(within.seeds).toEqual([1, 2, 3]);
    expect(within.ours!.mean).toBeCloseTo(0.911, 12);
    // Original's error at 6,000 images: 1.96·√(0.915·0.085/6000) = 0.00705655; √(0.00496828² + 0.00705655²) = 0.0086301.
    expect(within.prediction!.halfWidth).toBeCloseTo(0.0086301, 6);
    expect(within.prediction!.interval[0]).toBeCloseTo(0.9023699, 6);
    expect(within.sensitivity.map((s) => [s.validationImages, s.location])).toEqual([
      [3000, "within"],
      [6000, "within"],
      [12000, "within"],
    ]);
    expect(within.difference).toBeCloseTo(-0.004, 12);
  });

  it("says lower or higher only when the original is outside the interval at every plausible validation size", () => {
    // 93%: at 3,000 images the half-width is √(0.00496828² + (1.96·√(0.93·0.07/3000))²) = 0.0103944; top 0.92139 < 0.93.
    expect(checkLevel({ ...ROW, valAccuracy: 0.93 }, THREE).verdict).toBe("below");
    // 89%: at 3,000 the half-width is 0.012249; bottom 0.89875 > 0.89.
    expect(checkLevel({ ...ROW, valAccuracy: 0.89 }, THREE).verdict).toBe("above");
  });

  it("is inconclusive when the verdict depends on the original's validation size, or the interval is too wide", () => {
    // 92%: inside at 3,000 (top 0.9219054), outside at 6,000 (top 0.9194738) and 12,000 (top 0.9179459).
    const depends = checkLevel({ ...ROW, valAccuracy: 0.92 }, THREE);
    expect(depends.sensitivity.map((s) => s.location)).toEqual(["within", "below", "below"]);
    expect(depends.verdict).toBe("inconclusive");
    expect(inconclusiveReason(depends)).toBe(
      "the verdict depends on the original's validation size, which its write-up does not give (inside at 3,000, outside at 6,000, outside at 12,000 validation images)",
    );
    // 0.90, 0.91, 0.92: sd 1 point, so the interval is ±5.01 points: inside, but too wide to say.
    const wide = checkLevel({ ...ROW, valAccuracy: 0.93 }, [record(ROW.rowId, 1, 0.9), record(ROW.rowId, 2, 0.91), record(ROW.rowId, 3, 0.92)]);
    expect(wide.prediction!.halfWidth).toBeCloseTo(0.0501005, 6);
    expect(wide.verdict).toBe("inconclusive");
    expect(inconclusiveReason(wide)).toBe("the interval is ±5.01 points, wider than the ±1 point from which the site calls a number consistent");
    expect(inconclusiveReason(checkLevel(ROW, THREE))).toBeNull();
  });

  it("counts only full-protocol runs of the row, and gives no verdict on one run, two runs or none", () => {
    const others = [record("cnn-64-128-3-64", 1, 0.99), record(ROW.rowId, 2, 0.5, "quick")];
    expect(checkLevel(ROW, others)).toMatchObject({ verdict: "not-reproduced", ours: null, difference: null, seeds: [] });
    const one = checkLevel({ ...ROW, valAccuracy: 0.9201 }, [...others, record(ROW.rowId, 1, 0.9155)]);
    expect(one).toMatchObject({ verdict: "one-run", seeds: [1], prediction: null });
    expect(one.difference).toBeCloseTo(-0.0046, 12);
    expect(levelSentence(one)).toBe("91.55% in 1 run (seed 1), −0.46 points from the original's 92.01%.");
    // Two seeds far below the original: still no verdict (t(0.975, 1) = 12.7).
    expect(checkLevel({ ...ROW, valAccuracy: 0.99 }, THREE.slice(0, 2)).verdict).toBe("too-few-seeds");
  });
});

describe("sentences", () => {
  it("says the mean, the prediction interval and the distance from the original", () => {
    expect(levelSentence(checkLevel(ROW, THREE))).toBe(
      "91.10% mean over 3 seeds; one new run: 90.24% to 91.96% (95% prediction interval, with the original's validation error at 6,000 images), −0.40 points from the original's 91.50%.",
    );
    expect(levelSentence(checkLevel(ROW, []))).toBe("No full-protocol run of cnn-32-64-3-64 yet.");
  });

  it("answers for all ranked rows, plainly when no row has a verdict", () => {
    const checks: LevelCheck[] = [
      checkLevel(ROW, THREE),
      checkLevel({ ...ROW, valAccuracy: 0.93, rank: 2 }, THREE),
      checkLevel({ ...ROW, valAccuracy: 0.92, rank: 3 }, THREE),
      checkLevel({ ...ROW, rowId: "resnet-3x64", rank: 1 }, THREE),
      checkLevel({ ...ROW, rowId: "cnn-64-128-3-32", rank: 3 }, [record("cnn-64-128-3-32", 1, 0.91)]),
    ];
    const tally = tallyLevels(checks);
    expect(tally).toEqual({ ranked: 5, reproduced: 4, withInterval: 3, within: 1, below: 1, above: 0, inconclusive: 1 });
    expect(levelAnswer(tally)).toBe(
      "4 of the original's 5 ranked configurations have a full-protocol run here. Of the 3 configurations run with 3 or more seeds, the original's validation accuracy is inside the 95% prediction interval for one new run for 1; above that interval for 1 (our runs are lower); inconclusive for 1 (the interval is too wide, or the verdict depends on the original's unstated validation size).",
    );
    expect(levelAnswer(tallyLevels(checks.slice(3)))).toBe(
      "1 of the original's 2 ranked configurations has a full-protocol run here; none has the 3 or more seeds a verdict needs, so whether the original's accuracies hold cannot be said yet.",
    );
  });
});

import { describe, expect, it } from "vitest";
import {
  ABLATION_VERDICT_LABELS,
  LEVEL_VERDICT_LABELS,
  RANKING_OUTCOME_SENTENCES,
  RANKING_VERDICT_LABELS,
} from "../../../src/lib/study/outcome-words.ts";

describe("outcome words", () => {
  it("words every level verdict, and keeps 'consistent' for an interval that contains the original's number", () => {
    expect(Object.keys(LEVEL_VERDICT_LABELS).sort()).toEqual(["above", "below", "inconclusive", "not-reproduced", "one-run", "too-few-seeds", "within"]);
    expect(LEVEL_VERDICT_LABELS.within).toBe("Consistent: the original's number is inside the interval for one new run");
    expect(LEVEL_VERDICT_LABELS.below).toBe("Lower here: a new run of ours would be expected below the original's number");
    expect(LEVEL_VERDICT_LABELS.above).toBe("Higher here: a new run of ours would be expected above the original's number");
    expect(LEVEL_VERDICT_LABELS.inconclusive).toBe("Inconclusive: the interval is too wide, or depends on the original's validation size");
    expect(LEVEL_VERDICT_LABELS["too-few-seeds"]).toBe("Two runs: too few seeds for a verdict");
    expect(LEVEL_VERDICT_LABELS["one-run"]).toBe("One run: no interval yet");
    expect(LEVEL_VERDICT_LABELS["not-reproduced"]).toBe("Unknown yet");
  });

  it("words every ranking and ablation verdict, naming both criteria where it claims a difference", () => {
    expect(RANKING_VERDICT_LABELS).toEqual({
      holds: "holds",
      reversed: "is reversed",
      unresolved: "is not resolved",
      "too-few-runs": "cannot be tested yet (too few runs)",
    });
    for (const v of ["holds", "reversed"] as const) {
      expect(RANKING_OUTCOME_SENTENCES[v]).toMatch(/two-level bootstrap interval is (above|below) zero and the pooled test is significant after Holm's correction/);
      expect(ABLATION_VERDICT_LABELS[v]).toMatch(/two-level bootstrap (above|below) zero, pooled test significant after Holm/);
    }
    expect(RANKING_OUTCOME_SENTENCES.unresolved).toBe(
      "These runs do not resolve the order: the difference is within the noise of seeds and test images, or not significant after Holm's correction.",
    );
    expect(ABLATION_VERDICT_LABELS.unresolved).toBe("not resolved: the two-level bootstrap includes zero or the pooled test is not significant after Holm");
    expect(ABLATION_VERDICT_LABELS["too-few-runs"]).toBe("too few paired seeds for a verdict");
  });
});

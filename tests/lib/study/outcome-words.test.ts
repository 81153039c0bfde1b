import { describe, expect, it } from "vitest";
import {
  ABLATION_VERDICT_LABELS,
  FAMILY_OUTCOME_LABELS,
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
    expect(RANKING_OUTCOME_SENTENCES).toEqual({
      holds:
        "The order holds in these runs: the difference is above zero by every criterion (two-level bootstrap, t-interval across seeds, pooled test after Holm's correction).",
      reversed:
        "The order is reversed in these runs: the difference is below zero by every criterion (two-level bootstrap, t-interval across seeds, pooled test after Holm's correction).",
      unresolved:
        "These runs do not resolve the order: by at least one criterion (two-level bootstrap, t-interval across seeds, pooled test after Holm's correction) the difference is within the noise of seeds and test images.",
    });
    expect(ABLATION_VERDICT_LABELS.holds).toBe(
      "higher than its base row by every criterion (two-level bootstrap, t-interval across seeds, pooled test after Holm's correction)",
    );
    expect(ABLATION_VERDICT_LABELS.unresolved).toBe(
      "not resolved: by at least one criterion (two-level bootstrap, t-interval across seeds, pooled test after Holm's correction) the difference is within the noise",
    );
    expect(ABLATION_VERDICT_LABELS["too-few-runs"]).toBe("too few paired seeds for a verdict");
    expect(FAMILY_OUTCOME_LABELS).toEqual({
      holds: "first row higher",
      reversed: "first row lower",
      unresolved: "not resolved",
      "too-few-runs": "too few paired seeds",
    });
  });
});

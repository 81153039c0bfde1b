import { describe, expect, it } from "vitest";
import type { AblationResult } from "../../../src/lib/study/ablations.ts";
import type { PairedComparison, RankingComparison, SeedStudy } from "../../../src/lib/study/seed-summary.ts";
import { applyTestFamily } from "../../../src/lib/study/test-family.ts";

/** A comparison with a two-level bootstrap interval above zero and pooled p `p`. */
function comparison(p: number): PairedComparison {
  return {
    testImages: 10,
    pairs: [],
    difference: { n: 3, mean: 0.01, sd: 0.001, ci95: [0.008, 0.012] },
    bootstrap: { estimate: 0.01, ci95: [0.002, 0.018], resamples: 10_000 },
    pooled: { onlyFirst: 10, onlySecond: 2, chiSquare: 5.33, p },
    welch: { difference: 0.01, standardError: 0.001, df: 4, t: 10, p: 0.001, ci95: [0.007, 0.013] },
    holm: null,
    verdict: "holds",
  };
}

function ranking(higher: string, lower: string, p: number): RankingComparison {
  return {
    higher: { rowId: higher, rank: 1, valAccuracy: 0.92, fullRuns: 3 },
    lower: { rowId: lower, rank: 2, valAccuracy: 0.91, fullRuns: 3 },
    ...comparison(p),
  };
}

describe("applyTestFamily", () => {
  it("Holm-corrects every ranking and ablation test together and re-derives each verdict", () => {
    // Raw p 0.01, 0.04, 0.03 (all "holds" alone): Holm gives 0.03, 0.06, 0.06, so only the first holds.
    const study: SeedStudy = {
      summaries: [],
      singleRunRows: 0,
      rankings: [ranking("a", "b", 0.01), ranking("b", "c", 0.04)].map((c) => ({
        comparison: c,
        sentence: "",
        parts: { claim: "", finding: "", reproduced: true },
      })),
    };
    const ablation = { ablation: { id: "a-b32", baseRowId: "a" }, comparison: comparison(0.03) } as unknown as AblationResult;
    const tooFew = {
      ablation: { id: "c-b32", baseRowId: "c" },
      comparison: { ...comparison(0.5), pooled: null, bootstrap: null, verdict: "too-few-runs" },
    } as unknown as AblationResult;
    const { studies, ablations, family } = applyTestFamily([{ label: "CNN", study }], [ablation, tooFew]);
    expect(family.map((f) => [f.name, f.p, Number(f.adjustedP.toFixed(10)), f.verdict])).toEqual([
      ["CNN #1 a vs #2 b", 0.01, 0.03, "holds"],
      ["CNN #1 b vs #2 c", 0.04, 0.06, "unresolved"],
      ["ablation a-b32 vs a", 0.03, 0.06, "unresolved"],
    ]);
    expect(studies[0].study.rankings.map((r) => r.comparison.verdict)).toEqual(["holds", "unresolved"]);
    expect(studies[0].study.rankings[1].comparison.holm).toEqual({ adjustedP: 0.06, familySize: 3 });
    expect(studies[0].study.rankings[1].sentence).toMatch(
      /Holm-adjusted over the site's 3 tests p = 0\.060\. .*These runs do not resolve the order: by at least one criterion/,
    );
    expect(ablations.map((a) => a.comparison.verdict)).toEqual(["unresolved", "too-few-runs"]);
    // The inputs are left as they were.
    expect(study.rankings[1].comparison.verdict).toBe("holds");
  });
});

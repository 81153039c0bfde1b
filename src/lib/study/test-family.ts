/**
 * The family of hypothesis tests the site reports, and Holm's correction over it. The family is
 * every pooled McNemar test the site prints: the original's ranking (each ranked row against the
 * next one down, CNNs and ResNets) and each ablation row against its base row, wherever both have
 * MIN_VERDICT_SEEDS or more paired full-length seeds. The level checks of the Overview are
 * prediction intervals, not tests, and are not in it. Pure: comparisons in, the same comparisons
 * with `holm` and the verdict set out.
 */
import type { AblationResult } from "./ablations.ts";
import { pairedVerdict, rankingParts, rankingSentence, type PairedComparison, type SeedStudy } from "./seed-summary.ts";
import { holmAdjust } from "./statistics.ts";

/** What the family is, in words, for the pages. */
export const TEST_FAMILY_DESCRIPTION =
  "every pooled McNemar test the site reports: the original's ranking (each ranked configuration against the next one down, CNNs and ResNets) and each ablation row against its base row, wherever the two have 3 or more paired seeds";

/** One test of the family. */
export interface FamilyMember {
  /** e.g. "CNN #1 cnn-32-64-3-64 vs #2 cnn-64-128-3-64" or "ablation cnn-32-64-3-64-b32 vs cnn-32-64-3-64". */
  name: string;
  p: number;
  adjustedP: number;
  verdict: PairedComparison["verdict"];
}

/**
 * Apply Holm's correction over the family made of `studies`' rankings and `ablations`, and set each
 * comparison's `holm` and verdict.
 * @returns copies of the inputs, and the family's members in the order ranking, then ablations
 */
export function applyTestFamily<S extends { label: string; study: SeedStudy }>(
  studies: readonly S[],
  ablations: readonly AblationResult[],
): { studies: S[]; ablations: AblationResult[]; family: FamilyMember[] } {
  const members: { name: string; comparison: PairedComparison }[] = [];
  for (const { label, study } of studies)
    for (const { comparison: c } of study.rankings)
      if (c.pooled) members.push({ name: `${label} #${c.higher.rank} ${c.higher.rowId} vs #${c.lower.rank} ${c.lower.rowId}`, comparison: c });
  for (const a of ablations) if (a.comparison.pooled) members.push({ name: `ablation ${a.ablation.id} vs ${a.ablation.baseRowId}`, comparison: a.comparison });
  const adjusted = holmAdjust(members, (m) => m.comparison.pooled!.p);
  const holmOf = new Map<PairedComparison, number>(adjusted.map((a) => [a.test.comparison, a.adjustedP]));
  const settle = <C extends PairedComparison>(c: C): C => {
    const adjustedP = holmOf.get(c);
    if (adjustedP === undefined) return c;
    const withHolm = { ...c, holm: { adjustedP, familySize: members.length } };
    return { ...withHolm, verdict: pairedVerdict(withHolm) };
  };
  const outStudies = studies.map((s) => ({
    ...s,
    study: {
      ...s.study,
      rankings: s.study.rankings.map(({ comparison }) => {
        const settled = settle(comparison);
        return { comparison: settled, sentence: rankingSentence(settled), parts: rankingParts(settled) };
      }),
    },
  }));
  const outAblations = ablations.map((a) => ({ ...a, comparison: settle(a.comparison) }));
  const family = adjusted.map((a) => ({ name: a.test.name, p: a.p, adjustedP: a.adjustedP, verdict: settle(a.test.comparison).verdict }));
  return { studies: outStudies, ablations: outAblations, family };
}

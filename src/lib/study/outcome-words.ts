/**
 * Every outcome the site's statistics can reach, and the words the site uses for each, in one
 * place: the level check of the original's number against this site's runs (study-answer.ts), the
 * ranking test of two of the original's rows and the ablation test of a row against its base row
 * (seed-summary.ts, ablations.ts). Pages print only these words, so a rule and its wording cannot
 * drift apart; tests/lib/study/outcome-words.test.ts pins them.
 */

/**
 * How a ranked row's reported accuracy compares with this site's runs of it (95% prediction
 * interval for one new run, widened by the original's validation sampling error):
 * - not-reproduced: no full-protocol run yet;
 * - one-run: a single run, so no interval;
 * - too-few-seeds: 2 seeds, fewer than the MIN_VERDICT_SEEDS a verdict needs;
 * - inconclusive: the interval is too wide to say, or the verdict changes over the plausible
 *   range of the original's validation size;
 * - within: the original's number lies inside the interval at every plausible validation size;
 * - below / above: the interval lies wholly below / above the original's number at every size.
 */
export type LevelVerdict = "not-reproduced" | "one-run" | "too-few-seeds" | "inconclusive" | "within" | "below" | "above";

/** The verdict of a level check in a few words, for a table cell. */
export const LEVEL_VERDICT_LABELS: Readonly<Record<LevelVerdict, string>> = {
  "not-reproduced": "Unknown yet",
  "one-run": "One run: no interval yet",
  "too-few-seeds": "Two runs: too few seeds for a verdict",
  inconclusive: "Inconclusive: the interval is too wide, or depends on the original's validation size",
  within: "Consistent: the original's number is inside the interval for one new run",
  below: "Lower here: a new run of ours would be expected below the original's number",
  above: "Higher here: a new run of ours would be expected above the original's number",
};

/**
 * Whether two configurations' test accuracies differ in this site's paired runs:
 * - holds: the first is better by all three criteria (two-level bootstrap interval above 0,
 *   t-interval of the per-seed differences above 0, Holm-adjusted pooled McNemar p below 0.05);
 * - reversed: the first is worse by all three;
 * - unresolved: otherwise;
 * - too-few-runs: fewer than MIN_VERDICT_SEEDS paired seeds.
 */
export type RankingVerdict = "holds" | "reversed" | "unresolved" | "too-few-runs";

/** The ranking verdict as the Overview's list words it ("<#1> above <#2>: holds"). */
export const RANKING_VERDICT_LABELS: Readonly<Record<RankingVerdict, string>> = {
  holds: "holds",
  reversed: "is reversed",
  unresolved: "is not resolved",
  "too-few-runs": "cannot be tested yet (too few runs)",
};

/** The three criteria, named once for every sentence that cites them. */
const CRITERIA = "two-level bootstrap, t-interval across seeds, pooled test after Holm's correction";

/** The closing sentence of a ranking test on a tuning page. */
export const RANKING_OUTCOME_SENTENCES: Readonly<Record<Exclude<RankingVerdict, "too-few-runs">, string>> = {
  holds: `The order holds in these runs: the difference is above zero by every criterion (${CRITERIA}).`,
  reversed: `The order is reversed in these runs: the difference is below zero by every criterion (${CRITERIA}).`,
  unresolved: `These runs do not resolve the order: by at least one criterion (${CRITERIA}) the difference is within the noise of seeds and test images.`,
};

/** An ablation's verdict against its base row (verdict "holds": the ablation is better), for its table cell. */
export const ABLATION_VERDICT_LABELS: Readonly<Record<RankingVerdict, string>> = {
  holds: `higher than its base row by every criterion (${CRITERIA})`,
  reversed: `lower than its base row by every criterion (${CRITERIA})`,
  unresolved: `not resolved: by at least one criterion (${CRITERIA}) the difference is within the noise`,
  "too-few-runs": "too few paired seeds for a verdict",
};

/** A test of the family (Methodology's table of tests): "first" is the row named first in the test's name. */
export const FAMILY_OUTCOME_LABELS: Readonly<Record<RankingVerdict, string>> = {
  holds: "first row higher",
  reversed: "first row lower",
  unresolved: "not resolved",
  "too-few-runs": "too few paired seeds",
};

/**
 * The study's question answered in one place: does the original's result hold? For each row the
 * original ranked, its reported validation accuracy set against this site's full-protocol runs of
 * that row across seeds; with the ranking checks of seed-summary.ts beside it. Pure: records in,
 * verdicts and sentences out.
 */
import { formatPercent, formatPlural } from "../format.ts";
import { fullRunsBySeed, formatPoints, MIN_SEED_RUNS, type RankedRow } from "./seed-summary.ts";
import type { RunRecord } from "./schema.ts";
import { summarise, type SampleSummary } from "./statistics.ts";

/**
 * How a ranked row's reported accuracy compares with this site's runs of it:
 * - not-reproduced: no full-protocol run yet;
 * - one-run: a single run, so no interval (the difference is shown, no verdict);
 * - within: the original's number lies inside the 95% t-interval of this site's mean;
 * - below / above: this site's interval lies wholly below / above the original's number.
 */
export type LevelVerdict = "not-reproduced" | "one-run" | "within" | "below" | "above";

/** One ranked row of the original, checked against this site's full-protocol runs. */
export interface LevelCheck extends RankedRow {
  /** Best-epoch validation accuracy over this site's full-protocol seeds; null without runs. */
  ours: SampleSummary | null;
  /** Seeds of those runs, ascending. */
  seeds: number[];
  /** ours.mean minus the original's accuracy (fraction); null without runs. */
  difference: number | null;
  verdict: LevelVerdict;
}

/**
 * Check a ranked row's reported validation accuracy against this site's full-protocol runs: the
 * validation accuracy of the kept (best) epoch, as the original reports the best of its epochs too.
 * @param row the row as the original ranked it
 * @param runs every published run record (only this row's full-protocol ones count, one per seed)
 */
export function checkLevel(row: RankedRow, runs: readonly RunRecord[]): LevelCheck {
  const bySeed = fullRunsBySeed(runs, row.rowId);
  const values = [...bySeed.values()].map((r) => r.metrics.validation.accuracy);
  const base = { rowId: row.rowId, rank: row.rank, valAccuracy: row.valAccuracy, seeds: [...bySeed.keys()] };
  if (values.length === 0) return { ...base, ours: null, difference: null, verdict: "not-reproduced" };
  const ours = summarise(values);
  const difference = ours.mean - row.valAccuracy;
  if (ours.ci95 === null || values.length < MIN_SEED_RUNS) return { ...base, ours, difference, verdict: "one-run" };
  const [low, high] = ours.ci95;
  const verdict: LevelVerdict = row.valAccuracy < low ? "above" : row.valAccuracy > high ? "below" : "within";
  return { ...base, ours, difference, verdict };
}

/** The verdict of a level check in a few words, for a table cell. */
export const LEVEL_VERDICT_LABELS: Readonly<Record<LevelVerdict, string>> = {
  "not-reproduced": "Unknown yet",
  "one-run": "One run: no interval yet",
  within: "Consistent: the original's number is inside our interval",
  below: "Lower here: our interval is below the original's number",
  above: "Higher here: our interval is above the original's number",
};

/**
 * This site's side of a level check in two parts, for a cell that styles the number: `value`
 * "91.18%", `detail` "mean over 3 seeds (95% interval 90.29% to 92.07%), −0.83 points from the
 * original's 92.01%". Null without runs.
 */
export function levelParts(c: LevelCheck): { value: string; detail: string } | null {
  if (!c.ours || c.difference === null) return null;
  const from = `${formatPoints(c.difference)} points from the original's ${formatPercent(c.valAccuracy)}`;
  const value = formatPercent(c.ours.mean);
  if (!c.ours.ci95) return { value, detail: `in one run (seed ${c.seeds[0]}), ${from}` };
  const [low, high] = c.ours.ci95;
  return { value, detail: `mean over ${formatPlural(c.seeds.length, "seed")} (95% interval ${formatPercent(low)} to ${formatPercent(high)}), ${from}` };
}

/** This site's side of a level check in a sentence (see {@link levelParts}). */
export function levelSentence(c: LevelCheck): string {
  const parts = levelParts(c);
  return parts ? `${parts.value} ${parts.detail}.` : `No full-protocol run of ${c.rowId} yet.`;
}

/** Counts of the level checks, for the one-line answer. */
export interface LevelTally {
  ranked: number;
  reproduced: number;
  /** Rows with an interval (MIN_SEED_RUNS or more seeds). */
  withInterval: number;
  within: number;
  below: number;
  above: number;
}

/** Tally level checks by verdict. */
export function tallyLevels(checks: readonly LevelCheck[]): LevelTally {
  const count = (v: LevelVerdict) => checks.filter((c) => c.verdict === v).length;
  return {
    ranked: checks.length,
    reproduced: checks.filter((c) => c.verdict !== "not-reproduced").length,
    withInterval: count("within") + count("below") + count("above"),
    within: count("within"),
    below: count("below"),
    above: count("above"),
  };
}

/** The answer on accuracy levels in one or two sentences, saying plainly what is not yet known. */
export function levelAnswer(t: LevelTally): string {
  const reproduced = `${t.reproduced} of the original's ${t.ranked} ranked configurations ${t.reproduced === 1 ? "has" : "have"} a full-protocol run here`;
  if (t.withInterval === 0)
    return `${reproduced}; none has the ${MIN_SEED_RUNS} or more seeds an interval needs, so whether the original's accuracies hold cannot be said yet.`;
  const parts = [
    // Each part names the interval, so that any one of them reads alone.
    t.within > 0 && `inside this site's 95% interval for ${t.within}`,
    t.below > 0 && `above this site's 95% interval for ${t.below} (our runs are lower)`,
    t.above > 0 && `below this site's 95% interval for ${t.above} (our runs are higher)`,
  ].filter(Boolean);
  return `${reproduced}. Of the ${formatPlural(t.withInterval, "configuration")} run with ${MIN_SEED_RUNS} or more seeds, the original's validation accuracy is ${parts.join(", ")}.`;
}

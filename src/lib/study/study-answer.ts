/**
 * The study's question answered in one place: does the original's result hold? For each row the
 * original ranked, its reported validation accuracy (one number, one run as far as the write-up
 * says) set against a 95% prediction interval for one new run of that row from this site's
 * full-protocol runs across seeds, widened by the original's own sampling error on its validation
 * images; with the ranking checks of seed-summary.ts beside it. Pure: records in, verdicts and
 * sentences out. The formulas are documented on the Methodology page ("How the answer is computed").
 */
import { formatCount, formatPercent, formatPlural, formatPoints, formatPointsValue } from "../format.ts";
import { LEVEL_VERDICT_LABELS, type LevelVerdict } from "./outcome-words.ts";
import { fullRunsBySeed, MIN_VERDICT_SEEDS, type RankedRow } from "./seed-summary.ts";
import type { RunRecord } from "./schema.ts";
import { binomialVariance, predictionInterval, summarise, type PredictionInterval, type SampleSummary } from "./statistics.ts";

export { LEVEL_VERDICT_LABELS, type LevelVerdict };

export { MIN_VERDICT_SEEDS };

/**
 * Validation images this site assumes the original evaluated on: the write-up does not say. 6,000
 * is this site's own split (10% of the 60,000 training images).
 */
export const ASSUMED_VALIDATION_IMAGES = 6_000;

/**
 * The plausible range of the original's validation size over which a verdict must not change:
 * 5% (3,000), 10% (6,000) and 20% (12,000, Keras's `validation_split=0.2`) of the 60,000 training images.
 */
export const VALIDATION_IMAGES_RANGE: readonly number[] = [3_000, 6_000, 12_000];

/**
 * The widest prediction interval (half-width, as a fraction: 1 percentage point) from which the
 * site calls an original's number "consistent": a wider interval would accept as consistent
 * numbers more than 2 points apart, so it says nothing about whether the original holds.
 */
export const MAX_CONCLUSIVE_HALF_WIDTH = 0.01;

/** Where the original's number lies against a prediction interval. */
export type IntervalLocation = "within" | "below" | "above";

/** The prediction interval at one assumed validation size of the original. */
export interface SensitivityPoint {
  validationImages: number;
  prediction: PredictionInterval;
  /** within: inside; below: our interval is below the original's number; above: above it. */
  location: IntervalLocation;
}

/** One ranked row of the original, checked against this site's full-protocol runs. */
export interface LevelCheck extends RankedRow {
  /** Best-epoch validation accuracy over this site's full-protocol seeds; null without runs. */
  ours: SampleSummary | null;
  /** Seeds of those runs, ascending. */
  seeds: number[];
  /** ours.mean minus the original's accuracy (fraction); null without runs. */
  difference: number | null;
  /** The 95% prediction interval for one new run at ASSUMED_VALIDATION_IMAGES; null below 2 seeds. */
  prediction: PredictionInterval | null;
  /** The interval at each size of VALIDATION_IMAGES_RANGE; empty below 2 seeds. */
  sensitivity: SensitivityPoint[];
  verdict: LevelVerdict;
}

/** Where `value` lies against `interval`. */
function locate(value: number, [low, high]: [number, number]): IntervalLocation {
  return value < low ? "above" : value > high ? "below" : "within";
}

/**
 * Check a ranked row's reported validation accuracy against this site's full-protocol runs (the
 * validation accuracy of the kept, best epoch, as the original reports the best too): the 95%
 * prediction interval for one new run, mean ± √((t(0.975, n−1)·s·√(1+1/n))² + (1.96·√(p(1−p)/m))²),
 * p the original's accuracy and m its validation size, at each m of VALIDATION_IMAGES_RANGE.
 * @param row the row as the original ranked it
 * @param runs every published run record (only this row's full-protocol ones count, one per seed)
 */
export function checkLevel(row: RankedRow, runs: readonly RunRecord[]): LevelCheck {
  const bySeed = fullRunsBySeed(runs, row.rowId);
  const values = [...bySeed.values()].map((r) => r.metrics.validation.accuracy);
  const base = { rowId: row.rowId, rank: row.rank, valAccuracy: row.valAccuracy, seeds: [...bySeed.keys()] };
  if (values.length === 0) return { ...base, ours: null, difference: null, prediction: null, sensitivity: [], verdict: "not-reproduced" };
  const ours = summarise(values);
  const difference = ours.mean - row.valAccuracy;
  if (values.length < 2) return { ...base, ours, difference, prediction: null, sensitivity: [], verdict: "one-run" };
  const at = (m: number) => predictionInterval(values, binomialVariance(row.valAccuracy, m));
  const prediction = at(ASSUMED_VALIDATION_IMAGES);
  const sensitivity = VALIDATION_IMAGES_RANGE.map((validationImages): SensitivityPoint => {
    const p = at(validationImages);
    return { validationImages, prediction: p, location: locate(row.valAccuracy, p.interval) };
  });
  return { ...base, ours, difference, prediction, sensitivity, verdict: levelVerdict(values.length, prediction, sensitivity) };
}

/** The verdict from the interval at the assumed size and the locations over the plausible range. */
function levelVerdict(n: number, prediction: PredictionInterval, sensitivity: readonly SensitivityPoint[]): LevelVerdict {
  if (n < MIN_VERDICT_SEEDS) return "too-few-seeds";
  const locations = new Set(sensitivity.map((s) => s.location));
  if (locations.size > 1) return "inconclusive";
  const [location] = locations;
  if (location === "within" && prediction.halfWidth > MAX_CONCLUSIVE_HALF_WIDTH) return "inconclusive";
  return location;
}

/** Why an "inconclusive" check is inconclusive, in a clause; null for any other verdict. */
export function inconclusiveReason(c: LevelCheck): string | null {
  if (c.verdict !== "inconclusive" || !c.prediction) return null;
  const changes = new Set(c.sensitivity.map((s) => s.location)).size > 1;
  if (changes) {
    const parts = c.sensitivity.map((s) => `${s.location === "within" ? "inside" : "outside"} at ${formatCount(s.validationImages)}`);
    return `the verdict depends on the original's validation size, which its write-up does not give (${parts.join(", ")} validation images)`;
  }
  return `the interval is ±${formatPointsValue(c.prediction.halfWidth)} points, wider than the ±${formatPointsValue(MAX_CONCLUSIVE_HALF_WIDTH, 0)} point from which the site calls a number consistent`;
}

/**
 * This site's side of a level check in two parts, for a cell that styles the number: `value`
 * "91.18%", `detail` "mean over 3 seeds; one new run: 89.27% to 93.09% (95% prediction interval
 * with the original's validation error at 6,000 images), −0.83 points from the original's 92.01%".
 * Null without runs.
 */
export function levelParts(c: LevelCheck): { value: string; detail: string } | null {
  if (!c.ours || c.difference === null) return null;
  const from = `${formatPoints(c.difference)} points from the original's ${formatPercent(c.valAccuracy)}`;
  const value = formatPercent(c.ours.mean);
  if (!c.prediction) return { value, detail: `in 1 run (seed ${c.seeds[0]}), ${from}` };
  const [low, high] = c.prediction.interval;
  return {
    value,
    detail:
      `mean over ${formatPlural(c.seeds.length, "seed")}; one new run: ${formatPercent(low)} to ${formatPercent(high)} ` +
      `(95% prediction interval, with the original's validation error at ${formatCount(ASSUMED_VALIDATION_IMAGES)} images), ${from}`,
  };
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
  /** Rows with MIN_VERDICT_SEEDS or more seeds (a verdict, inconclusive included). */
  withInterval: number;
  within: number;
  below: number;
  above: number;
  inconclusive: number;
}

/** Tally level checks by verdict. */
export function tallyLevels(checks: readonly LevelCheck[]): LevelTally {
  const count = (v: LevelVerdict) => checks.filter((c) => c.verdict === v).length;
  return {
    ranked: checks.length,
    reproduced: checks.filter((c) => c.verdict !== "not-reproduced").length,
    withInterval: count("within") + count("below") + count("above") + count("inconclusive"),
    within: count("within"),
    below: count("below"),
    above: count("above"),
    inconclusive: count("inconclusive"),
  };
}

/** The answer on accuracy levels in one or two sentences, saying plainly what is not yet known. */
export function levelAnswer(t: LevelTally): string {
  const reproduced = `${t.reproduced} of the original's ${t.ranked} ranked configurations ${t.reproduced === 1 ? "has" : "have"} a full-protocol run here`;
  if (t.withInterval === 0)
    return `${reproduced}; none has the ${MIN_VERDICT_SEEDS} or more seeds a verdict needs, so whether the original's accuracies hold cannot be said yet.`;
  const parts = [
    // Each part names the interval, so that any one of them reads alone.
    t.within > 0 && `inside the 95% prediction interval for one new run for ${t.within}`,
    t.below > 0 && `above that interval for ${t.below} (our runs are lower)`,
    t.above > 0 && `below that interval for ${t.above} (our runs are higher)`,
    t.inconclusive > 0 && `inconclusive for ${t.inconclusive} (the interval is too wide, or the verdict depends on the original's unstated validation size)`,
  ].filter(Boolean);
  return `${reproduced}. Of the ${formatPlural(t.withInterval, "configuration")} run with ${MIN_VERDICT_SEEDS} or more seeds, the original's validation accuracy is ${parts.join("; ")}.`;
}

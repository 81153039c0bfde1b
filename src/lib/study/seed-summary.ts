/**
 * What several full-protocol runs of a row (one per seed) say: the spread of its accuracy across
 * seeds, and whether the original study's ranking of two rows holds when both are run with the
 * same seeds and compared image by image on the test set. Pure: records and labels in, numbers
 * and sentences out; the pages render only what this finds in the data.
 */
import { decodePredictions } from "./predictions.ts";
import type { RunRecord } from "./schema.ts";
import {
  correctness,
  mcnemarTest,
  pooledMcNemar,
  summarise,
  twoLevelBootstrap,
  welchTest,
  type BootstrapInterval,
  type McNemarResult,
  type PooledMcNemarResult,
  type SampleSummary,
  type WelchResult,
} from "./statistics.ts";
import { RANKING_OUTCOME_SENTENCES, type RankingVerdict } from "./outcome-words.ts";
import { formatCount, formatP, formatPercent, formatPoints, formatPointsValue } from "../format.ts";

export type { RankingVerdict };

/** Runs (seeds) a row needs before its spread across seeds is shown. */
export const MIN_SEED_RUNS = 2;

/** Seeds (paired seeds, for a comparison) before the site states a verdict: with two, t(0.975, 1) = 12.7. */
export const MIN_VERDICT_SEEDS = 3;

/** Resamples of the two-level bootstrap. */
export const BOOTSTRAP_RESAMPLES = 10_000;

/** Significance level of the family of tests, after Holm's correction. */
export const FAMILY_ALPHA = 0.05;

/**
 * The full-protocol runs of a row, one per seed: the latest finished when a seed has several.
 * @returns seed -> run, seeds ascending
 */
export function fullRunsBySeed(runs: readonly RunRecord[], rowId: string): Map<number, RunRecord> {
  const bySeed = new Map<number, RunRecord>();
  for (const run of runs) {
    if (run.rowId !== rowId || run.protocol.name !== "full") continue;
    const current = bySeed.get(run.protocol.seed);
    if (!current || run.finishedAt > current.finishedAt) bySeed.set(run.protocol.seed, run);
  }
  return new Map([...bySeed].sort((a, b) => a[0] - b[0]));
}

/** A number of a row's full-protocol runs across seeds: the seed mean with n, and its 95% t-interval. */
export interface SeedValue {
  /** The mean over seeds (the one run's value when n = 1). */
  value: number;
  n: number;
  /** Seeds, ascending. */
  seeds: number[];
  /** 95% t-interval of the mean; null for one run. */
  ci95: [number, number] | null;
}

/**
 * A number of a row's full-protocol runs (one per seed; see `fullRunsBySeed`) as the site sets it
 * beside the original's: the seed mean with n and its interval. Null without runs.
 * @param pick the number of one run, e.g. its best-epoch validation accuracy
 */
export function fullSeedValue(runs: readonly RunRecord[], rowId: string, pick: (run: RunRecord) => number): SeedValue | null {
  const bySeed = fullRunsBySeed(runs, rowId);
  if (bySeed.size === 0) return null;
  const s = summarise([...bySeed.values()].map(pick));
  return { value: s.mean, n: s.n, seeds: [...bySeed.keys()], ci95: s.ci95 };
}

/**
 * The note under a seed value: "mean of 3 seeds, 95% CI 90.29% to 92.07%" (the interval of the
 * mean) or "1 run (seed 1)".
 */
export function seedValueNote(v: SeedValue): string {
  if (v.n === 1 || !v.ci95) return `1 run (seed ${v.seeds[0]})`;
  return `mean of ${v.n} seeds, 95% CI ${formatPercent(v.ci95[0])} to ${formatPercent(v.ci95[1])}`;
}

/** Validation accuracy after the last epoch (the record's metrics are of the kept, best epoch). */
export function lastEpochValAccuracy(run: RunRecord): number | undefined {
  return run.epochs[run.epochs.length - 1]?.valAccuracy;
}

/** A row's full-protocol runs across seeds. */
export interface RowSeedSummary {
  rowId: string;
  /** Seeds of its full-protocol runs, ascending. */
  seeds: number[];
  /** Validation accuracy of the kept (best) epoch; null without runs. */
  bestEpochValidation: SampleSummary | null;
  /** Validation accuracy after the last epoch; null without runs (or without per-epoch validation). */
  lastEpochValidation: SampleSummary | null;
  /** Test accuracy of the kept epoch's weights; null without runs. */
  test: SampleSummary | null;
}

/** n, mean ± sd and 95% t-intervals of a row's full-protocol accuracies (fractions). */
export function summariseRowRuns(rowId: string, runs: readonly RunRecord[]): RowSeedSummary {
  return summariseSeedRuns(rowId, [...fullRunsBySeed(runs, rowId).values()]);
}

/**
 * n, mean ± sd and 95% t-intervals of the accuracies of a row's runs, one per seed (any protocol:
 * the caller has chosen runs that are alike, e.g. an ablation's full-length runs).
 */
export function summariseSeedRuns(rowId: string, bySeed: readonly RunRecord[]): RowSeedSummary {
  const of = (values: (number | undefined)[]) => {
    const present = values.filter((v): v is number => v !== undefined);
    return present.length === bySeed.length && present.length > 0 ? summarise(present) : null;
  };
  return {
    rowId,
    seeds: bySeed.map((r) => r.protocol.seed),
    bestEpochValidation: of(bySeed.map((r) => r.metrics.validation.accuracy)),
    lastEpochValidation: of(bySeed.map(lastEpochValAccuracy)),
    test: of(bySeed.map((r) => r.metrics.test.accuracy)),
  };
}

/** One seed's pair of runs, compared on the same test images. */
export interface SeedPair {
  seed: number;
  /** Test accuracy of the row the original ranked higher. */
  higherAccuracy: number;
  lowerAccuracy: number;
  /** onlyFirst: images only the higher-ranked row's model gets right. */
  mcnemar: McNemarResult;
}

/** The original's order of two rows, tested on this site's paired full-protocol runs. */
export interface RankingComparison {
  /** The row the original ranked higher, with its rank and reported validation accuracy. */
  higher: { rowId: string; rank: number; valAccuracy: number; fullRuns: number };
  lower: { rowId: string; rank: number; valAccuracy: number; fullRuns: number };
  /** Per seed run for both rows with test predictions on the same test images, seeds ascending. */
  pairs: SeedPair[];
  /** Test images each pair was compared on (0 without pairs). */
  testImages: number;
  /** Paired differences of test accuracy (higher minus lower) across seeds; null below MIN_VERDICT_SEEDS pairs. */
  difference: SampleSummary | null;
  /**
   * Two-level bootstrap (seeds, then test images within each) of the mean per-image difference in
   * correctness (higher minus lower), BOOTSTRAP_RESAMPLES resamples; null below MIN_VERDICT_SEEDS pairs.
   */
  bootstrap: BootstrapInterval | null;
  /** McNemar's test on the discordant counts pooled over the paired seeds (stratified McNemar / CMH); null below MIN_VERDICT_SEEDS pairs. */
  pooled: PooledMcNemarResult | null;
  /** Welch's unpaired comparison of the two rows' per-seed test accuracies; null below MIN_VERDICT_SEEDS pairs. */
  welch: WelchResult | null;
  /**
   * The pooled test's p after Holm's correction over the site's family of tests (see
   * test-family.ts), with the family's size; null until the family is known (then the raw p decides).
   */
  holm: { adjustedP: number; familySize: number } | null;
  /**
   * holds: two-level bootstrap interval above 0 and (Holm-adjusted) pooled p below FAMILY_ALPHA;
   * reversed: interval below 0 and p below FAMILY_ALPHA; unresolved: otherwise; too-few-runs:
   * fewer than MIN_VERDICT_SEEDS paired seeds.
   */
  verdict: RankingVerdict;
}

/** A row as the original ranked it. */
export interface RankedRow {
  rowId: string;
  rank: number;
  valAccuracy: number;
}

/**
 * Seeds with a full-protocol run of both rows that kept its test predictions, on the same test
 * images (same split seed and test count).
 */
export function pairedSeeds(runs: readonly RunRecord[], a: string, b: string): number[] {
  return pairedSeedsOf(fullRunsBySeed(runs, a), fullRunsBySeed(runs, b));
}

/** Seeds of `first` whose run and `second`'s run of the same seed both kept test predictions of the same test images. */
export function pairedSeedsOf(first: ReadonlyMap<number, RunRecord>, second: ReadonlyMap<number, RunRecord>): number[] {
  return [...first.keys()].filter((seed) => {
    const x = first.get(seed)!;
    const y = second.get(seed);
    return (
      y !== undefined &&
      x.testPredictions !== undefined &&
      y.testPredictions !== undefined &&
      x.protocol.splitSeed === y.protocol.splitSeed &&
      x.metrics.test.images === y.metrics.test.images
    );
  });
}

/** Two sets of runs compared seed by seed on the same test images (see `comparePairedRuns`). */
export type PairedComparison = Pick<RankingComparison, "pairs" | "testImages" | "difference" | "bootstrap" | "pooled" | "welch" | "holm" | "verdict">;

/**
 * The verdict of a paired comparison: a difference is called only when all three criteria agree:
 * the two-level bootstrap interval excludes zero, the 95% t-interval of the per-seed differences
 * excludes zero on the same side, and the pooled test's p (Holm-adjusted when the family is known)
 * is below FAMILY_ALPHA. The t-interval is kept because with a handful of seeds the bootstrap's
 * seed level has few distinct draws (10 for 3 seeds) and understates seed-to-seed variance, and the
 * pooled test has no seed-to-seed variance at all; t(0.975, S − 1) accounts for both.
 */
export function pairedVerdict(c: Pick<PairedComparison, "bootstrap" | "pooled" | "holm" | "difference">): RankingVerdict {
  if (!c.bootstrap || !c.pooled || !c.difference?.ci95) return "too-few-runs";
  const p = c.holm?.adjustedP ?? c.pooled.p;
  const [low, high] = c.bootstrap.ci95;
  const [tLow, tHigh] = c.difference.ci95;
  return low > 0 && tLow > 0 && p < FAMILY_ALPHA ? "holds" : high < 0 && tHigh < 0 && p < FAMILY_ALPHA ? "reversed" : "unresolved";
}

/**
 * Compare two sets of runs, one per seed, on the test images: per paired seed, McNemar's discordant
 * counts; across seeds, the 95% t-interval of the paired accuracy difference (first minus second),
 * a two-level bootstrap (seeds, then images) of the mean per-image difference, one McNemar test on
 * the counts pooled over seeds and Welch's unpaired comparison of the per-seed accuracies. The
 * verdict (see `pairedVerdict`) uses the raw pooled p until `applyHolm` sets the family's.
 * @param testLabels labels of the test images in the split's order; needed only when some seed is paired
 * @throws Error when paired predictions do not match the labels' length
 */
export function comparePairedRuns(
  first: ReadonlyMap<number, RunRecord>,
  second: ReadonlyMap<number, RunRecord>,
  testLabels: Uint8Array | null,
): PairedComparison {
  const seeds = pairedSeedsOf(first, second);
  const testImages = seeds.length > 0 ? (testLabels?.length ?? 0) : 0;
  if (seeds.length > 0 && !testLabels) throw new Error("test labels are needed to compare runs image by image");
  const perSeed: Int8Array[] = [];
  const pairs = seeds.map((seed): SeedPair => {
    const [h, l] = [first.get(seed)!, second.get(seed)!];
    const labels = testLabels!;
    const decode = (run: RunRecord) => {
      try {
        return decodePredictions(run.testPredictions!, labels.length);
      } catch (error) {
        throw new Error(`run ${run.runId}: testPredictions ${(error as Error).message}`, { cause: error });
      }
    };
    const ch = correctness(decode(h), labels);
    const cl = correctness(decode(l), labels);
    perSeed.push(Int8Array.from(ch, (v, i) => v - cl[i]));
    let [rightH, rightL] = [0, 0];
    for (let i = 0; i < ch.length; i++) {
      rightH += ch[i];
      rightL += cl[i];
    }
    return { seed, higherAccuracy: rightH / ch.length, lowerAccuracy: rightL / cl.length, mcnemar: mcnemarTest(ch, cl) };
  });
  if (pairs.length < MIN_VERDICT_SEEDS)
    return { testImages, pairs, difference: null, bootstrap: null, pooled: null, welch: null, holm: null, verdict: "too-few-runs" };
  const difference = summarise(pairs.map((p) => p.higherAccuracy - p.lowerAccuracy));
  const bootstrap = twoLevelBootstrap(perSeed, { resamples: BOOTSTRAP_RESAMPLES, seed: 1 });
  const pooled = pooledMcNemar(pairs.map((p) => p.mcnemar));
  const welch = welchTest(
    pairs.map((p) => p.higherAccuracy),
    pairs.map((p) => p.lowerAccuracy),
  );
  const partial = { testImages, pairs, difference, bootstrap, pooled, welch, holm: null };
  return { ...partial, verdict: pairedVerdict(partial) };
}

/**
 * Test whether the original's order of two rows holds in this site's full-protocol runs (see
 * `comparePairedRuns`, with the higher-ranked row first).
 * @param higher the row the original ranked higher
 * @param lower the row it ranked lower
 * @param runs every published run record
 * @param testLabels labels of the test images the runs were evaluated on, in the split's order
 *   (all 10,000 in file order under the full protocol); needed only when there are paired seeds
 * @throws Error when paired predictions do not match the labels' length
 */
export function compareRankedRows(higher: RankedRow, lower: RankedRow, runs: readonly RunRecord[], testLabels: Uint8Array | null): RankingComparison {
  const runsH = fullRunsBySeed(runs, higher.rowId);
  const runsL = fullRunsBySeed(runs, lower.rowId);
  return {
    higher: { ...higher, fullRuns: runsH.size },
    lower: { ...lower, fullRuns: runsL.size },
    ...comparePairedRuns(runsH, runsL, testLabels),
  };
}

/**
 * One or two plain sentences about a ranking comparison, saying plainly when there are too few runs.
 */
export function rankingSentence(c: RankingComparison): string {
  const { claim, finding } = rankingParts(c);
  return `${claim} ${finding}`;
}

/**
 * The ranking sentence in two parts, so a page can label each with where its numbers come from:
 * `claim` quotes the original study, `finding` reports this site's runs (`reproduced` is false
 * when it only says there are too few).
 */
export function rankingParts(c: RankingComparison): { claim: string; finding: string; reproduced: boolean } {
  const { higher: h, lower: l } = c;
  const claim =
    `The original study ranked ${h.rowId} (#${h.rank}, ${formatPercent(h.valAccuracy)} validation accuracy) above ` +
    `${l.rowId} (#${l.rank}, ${formatPercent(l.valAccuracy)}).`;
  if (c.verdict === "too-few-runs" || !c.difference || !c.bootstrap || !c.pooled || !c.welch) {
    const runs = (n: number) => `${n} full-protocol run${n === 1 ? "" : "s"}`;
    const finding =
      `This site has too few runs to say whether that order holds: it needs full-protocol runs of both ` +
      `rows with at least ${MIN_VERDICT_SEEDS} common seeds, and has ${runs(h.fullRuns)} of ${h.rowId}, ` +
      `${runs(l.fullRuns)} of ${l.rowId}${c.pairs.length > 0 ? ` (${c.pairs.length} paired seed${c.pairs.length === 1 ? "" : "s"})` : ""}.`;
    return { claim, finding, reproduced: false };
  }
  const finding = `${comparisonFinding(c, h.rowId, l.rowId)} ${RANKING_OUTCOME_SENTENCES[c.verdict]}`;
  return { claim, finding, reproduced: true };
}

/**
 * The numbers of a paired comparison of `first` minus `second` in a sentence: mean paired
 * difference, two-level bootstrap interval, pooled McNemar (raw and Holm-adjusted p) and Welch.
 */
export function comparisonFinding(c: PairedComparison, first: string, second: string): string {
  const [b0, b1] = c.bootstrap!.ci95;
  const w = c.welch!;
  const pooled = c.pooled!;
  const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${formatP(p)}`);
  const holm = c.holm ? `; Holm-adjusted over the site's ${c.holm.familySize} tests ${pText(c.holm.adjustedP)}` : "";
  return (
    `Over ${c.pairs.length} seeds run for both, ${first}'s test accuracy minus ${second}'s is ` +
    `${formatPoints(c.difference!.mean)} points on average (two-level bootstrap over seeds and the ` +
    `${formatCount(c.testImages)} test images, ${formatCount(c.bootstrap!.resamples)} resamples: 95% interval ` +
    `${formatPoints(b0)} to ${formatPoints(b1)}; t-interval across the seeds ${formatPoints(c.difference!.ci95![0])} to ` +
    `${formatPoints(c.difference!.ci95![1])}). McNemar's test pooled over the seeds ` +
    `(${formatCount(pooled.onlyFirst)} images right only by ${first}, ${formatCount(pooled.onlySecond)} only by ${second}): ` +
    `${pText(pooled.p)}${holm}. Unpaired (Welch) on the per-seed accuracies: ${formatPoints(w.difference)} points, ` +
    `95% interval ${formatPoints(w.ci95[0])} to ${formatPoints(w.ci95[1])}, ${pText(w.p)}.`
  );
}

/**
 * A sample of accuracies as the site prints it: "91.22% ± 0.33 (95% CI 90.40% to 92.04%)", the sd
 * in percentage points; "91.22% (one run)" for a single value.
 */
export function formatSampleSummary(s: SampleSummary): string {
  if (s.sd === null || s.ci95 === null) return `${formatPercent(s.mean)} (one run)`;
  return `${formatPercent(s.mean)} ± ${formatPointsValue(s.sd)} (95% CI ${formatPercent(s.ci95[0])} to ${formatPercent(s.ci95[1])})`;
}

/** What the tuning page of a family shows about seeds. */
export interface SeedStudy {
  /** Rows with at least MIN_SEED_RUNS full-protocol runs, in the table's order. */
  summaries: RowSeedSummary[];
  /** Rows with exactly one full-protocol run. */
  singleRunRows: number;
  /** The original's ranked rows, each against the next one down, with the sentence to print in its two parts. */
  rankings: { comparison: RankingComparison; sentence: string; parts: ReturnType<typeof rankingParts> }[];
}

/**
 * The seed study of a family's table.
 * @param rowIds the table's rows in display order
 * @param ranked the original's ranked rows of this family
 * @param runs every published run record
 * @param loadTestLabels called only when some pair of runs must be compared image by image
 */
export function buildSeedStudy(
  rowIds: readonly string[],
  ranked: readonly RankedRow[],
  runs: readonly RunRecord[],
  loadTestLabels: () => Uint8Array,
): SeedStudy {
  const all = rowIds.map((id) => summariseRowRuns(id, runs));
  const order = [...ranked].sort((a, b) => a.rank - b.rank);
  const needLabels = order.slice(1).some((row, i) => pairedSeeds(runs, order[i].rowId, row.rowId).length > 0);
  const labels = needLabels ? loadTestLabels() : null;
  return {
    summaries: all.filter((s) => s.seeds.length >= MIN_SEED_RUNS),
    singleRunRows: all.filter((s) => s.seeds.length === 1).length,
    rankings: order.slice(1).map((row, i) => {
      const comparison = compareRankedRows(order[i], row, runs, labels);
      return { comparison, sentence: rankingSentence(comparison), parts: rankingParts(comparison) };
    }),
  };
}

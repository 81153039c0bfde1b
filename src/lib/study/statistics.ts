/**
 * Small, exact statistics for comparing runs: mean, sample standard deviation, the 95% Student-t
 * interval of a mean, McNemar's exact test and a seeded paired bootstrap on per-image correctness.
 * Pure functions over plain arrays; no tfjs, no DOM.
 */
import { createRng } from "../data/random.ts";

/**
 * Arithmetic mean.
 * @throws Error on an empty list
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error("mean of no values");
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Sample standard deviation (denominator n - 1).
 * @returns null for fewer than two values, where it is undefined
 */
export function sampleStandardDeviation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (values.length - 1));
}

/** Two-sided 95% quantiles t(0.975, df) for df = 1..30 (standard tables, 9 significant digits). */
const T975 = [
  12.7062047, 4.30265273, 3.18244631, 2.77644511, 2.57058184, 2.44691185, 2.36462425, 2.30600414, 2.26215716, 2.22813885,
  2.20098516, 2.17881283, 2.16036866, 2.14478669, 2.13144955, 2.1199053, 2.10981558, 2.10092204, 2.09302405, 2.08596345,
  2.07961384, 2.07387307, 2.06865761, 2.06389856, 2.05953855, 2.05552944, 2.05183052, 2.04840714, 2.04522964, 2.04227246,
];

/**
 * The 97.5th percentile of Student's t distribution with `df` degrees of freedom (the multiplier
 * of a two-sided 95% interval): exact table values for df <= 30, a Cornish-Fisher expansion
 * (error below 1e-5) above.
 * @param df positive integer degrees of freedom
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1];
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** n, mean, sample standard deviation and 95% t-interval of the mean of a sample. */
export interface SampleSummary {
  n: number;
  mean: number;
  /** null when n < 2. */
  sd: number | null;
  /** [low, high] 95% t-interval of the mean, mean ± t(0.975, n-1)·sd/√n; null when n < 2. */
  ci95: [number, number] | null;
}

/**
 * Summarise a sample: mean, sd and the 95% t-interval of its mean.
 * @throws Error on an empty sample
 */
export function summarise(values: readonly number[]): SampleSummary {
  const m = mean(values);
  const sd = sampleStandardDeviation(values);
  if (sd === null) return { n: values.length, mean: m, sd: null, ci95: null };
  const half = (tQuantile975(values.length - 1) * sd) / Math.sqrt(values.length);
  return { n: values.length, mean: m, sd, ci95: [m - half, m + half] };
}

/** Result of McNemar's exact test on two classifiers' correctness over the same images. */
export interface McNemarResult {
  /** Images the first classifier gets right and the second wrong. */
  onlyFirst: number;
  /** Images the second classifier gets right and the first wrong. */
  onlySecond: number;
  /** Two-sided exact p-value: min(1, 2·P(X <= min(b, c))) for X ~ Binomial(b + c, 1/2); 1 when b + c = 0. */
  p: number;
}

/**
 * The two-sided exact binomial p-value of McNemar's test from its discordant counts.
 * @param onlyFirst b: right by the first classifier only
 * @param onlySecond c: right by the second classifier only
 */
export function mcnemarExactP(onlyFirst: number, onlySecond: number): number {
  for (const [name, v] of [["onlyFirst", onlyFirst], ["onlySecond", onlySecond]] as const)
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  const n = onlyFirst + onlySecond;
  if (n === 0) return 1;
  const k = Math.min(onlyFirst, onlySecond);
  // P(X <= k) in log space: C(n, i) / 2^n overflows doubles for n in the thousands.
  let logTerm = -n * Math.LN2; // log(C(n, 0) / 2^n)
  let logSum = logTerm;
  for (let i = 0; i < k; i++) {
    logTerm += Math.log(n - i) - Math.log(i + 1);
    const hi = Math.max(logSum, logTerm);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logTerm - hi));
  }
  return Math.min(1, 2 * Math.exp(logSum));
}

/**
 * Per-image correctness of predictions: 1 where predicted[i] === labels[i], else 0.
 * @throws Error when the lengths differ
 */
export function correctness(predicted: ArrayLike<number>, labels: ArrayLike<number>): Uint8Array {
  if (predicted.length !== labels.length)
    throw new Error(`predictions (${predicted.length}) and labels (${labels.length}) differ in length`);
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = predicted[i] === labels[i] ? 1 : 0;
  return out;
}

/**
 * McNemar's exact test of two classifiers on the same images.
 * @param first per-image correctness (0/1) of the first classifier
 * @param second per-image correctness (0/1) of the second, same images in the same order
 */
export function mcnemarTest(first: ArrayLike<number>, second: ArrayLike<number>): McNemarResult {
  if (first.length !== second.length) throw new Error(`correctness vectors differ in length (${first.length} vs ${second.length})`);
  let onlyFirst = 0;
  let onlySecond = 0;
  for (let i = 0; i < first.length; i++) {
    if (first[i] && !second[i]) onlyFirst++;
    else if (!first[i] && second[i]) onlySecond++;
  }
  return { onlyFirst, onlySecond, p: mcnemarExactP(onlyFirst, onlySecond) };
}

/** A percentile bootstrap interval. */
export interface BootstrapInterval {
  /** The statistic on the original sample. */
  estimate: number;
  /** [2.5th, 97.5th] percentiles of the resampled statistic. */
  ci95: [number, number];
  resamples: number;
}

/**
 * Paired bootstrap of a mean of per-image differences: resample the images with replacement
 * (seeded), take the mean of `differences` over each resample, report the 2.5th and 97.5th
 * percentiles. For two classifiers, differences[i] = correct_A[i] - correct_B[i] (or that averaged
 * over seeds) and the estimate is the accuracy difference.
 * @param differences one value per image
 * @param options resamples (default 2,000), seed (default 1)
 */
export function pairedBootstrap(
  differences: ArrayLike<number>,
  options: { resamples?: number; seed?: number } = {},
): BootstrapInterval {
  const n = differences.length;
  if (n === 0) throw new Error("bootstrap of no values");
  const resamples = options.resamples ?? 2000;
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  const rng = createRng(options.seed ?? 1);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[Math.floor(rng() * n)];
    stats[r] = sum / n;
  }
  stats.sort();
  return { estimate: mean(Array.from(differences)), ci95: [percentile(stats, 0.025), percentile(stats, 0.975)], resamples };
}

/** Linear-interpolated percentile of sorted values (q in [0, 1]). */
function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

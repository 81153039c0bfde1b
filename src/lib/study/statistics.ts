/**
 * Small, exact statistics for comparing runs: mean, median, sample standard deviation, the 95% Student-t
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
 * The middle value, or the mean of the two middle ones for an even count.
 * @throws Error on an empty list
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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
  12.7062047, 4.30265273, 3.18244631, 2.77644511, 2.57058184, 2.44691185, 2.36462425, 2.30600414, 2.26215716, 2.22813885, 2.20098516, 2.17881283, 2.16036866,
  2.14478669, 2.13144955, 2.1199053, 2.10981558, 2.10092204, 2.09302405, 2.08596345, 2.07961384, 2.07387307, 2.06865761, 2.06389856, 2.05953855, 2.05552944,
  2.05183052, 2.04840714, 2.04522964, 2.04227246,
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
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
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
  for (const [name, v] of [
    ["onlyFirst", onlyFirst],
    ["onlySecond", onlySecond],
  ] as const)
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
  if (predicted.length !== labels.length) throw new Error(`predictions (${predicted.length}) and labels (${labels.length}) differ in length`);
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

/** Linear-interpolated percentile of sorted values (q in [0, 1]). */
function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

// ---------------------------------------------------------------------------------------------
// Distributions: Student's t with real degrees of freedom, the normal tail, chi-square(1).
// ---------------------------------------------------------------------------------------------

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-13). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularised incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b), x in [0, 1], a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * P(T <= t) for Student's t with `df` degrees of freedom (any real df > 0; Infinity gives the normal).
 */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be positive, got ${df}`);
  if (df === Infinity) return 1 - normalUpperTail(t);
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/**
 * The q-quantile of Student's t with `df` degrees of freedom (real df > 0, Infinity for the
 * normal), by bisection on {@link tCdf} to 1e-12.
 * @param q in (0, 1)
 */
export function tQuantile(q: number, df: number): number {
  if (!(q > 0 && q < 1)) throw new Error(`quantile must be in (0, 1), got ${q}`);
  if (q === 0.5) return 0;
  if (q < 0.5) return -tQuantile(1 - q, df);
  let [lo, hi] = [0, 1];
  while (tCdf(hi, df) < q) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(Z > z) for a standard normal Z (complementary error function, Numerical Recipes' erfc; relative error < 1.2e-7). */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** P(X > x) for X ~ chi-square with 1 degree of freedom: P(|Z| > √x). */
export function chiSquare1UpperTail(x: number): number {
  if (x <= 0) return 1;
  return 2 * normalUpperTail(Math.sqrt(x));
}

// ---------------------------------------------------------------------------------------------
// The original's one number against this site's runs: a prediction interval for one new run.
// ---------------------------------------------------------------------------------------------

/** Variance of an accuracy measured on `images` independent images when the true accuracy is `p`: p(1 − p)/images. */
export function binomialVariance(p: number, images: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`accuracy must be in [0, 1], got ${p}`);
  if (!(images > 0)) throw new Error(`images must be positive, got ${images}`);
  return images === Infinity ? 0 : (p * (1 - p)) / images;
}

/** The 97.5th percentile of the standard normal. */
export const Z975 = 1.959963984540054;

/** A 95% prediction interval for one new run. */
export interface PredictionInterval {
  n: number;
  mean: number;
  sd: number;
  /** s²(1 + 1/n): the variance of one new run minus the mean of n runs, seeds only. */
  seedVariance: number;
  /** Extra variance of the new run's number (e.g. its own validation images' binomial error). */
  extraVariance: number;
  /** Degrees of freedom of the seeds' multiplier: n − 1. */
  df: number;
  /** √((t(0.975, df)·√seedVariance)² + (z·√extraVariance)²). */
  halfWidth: number;
  /** [mean − halfWidth, mean + halfWidth]. */
  interval: [number, number];
}

/**
 * The 95% prediction interval for one new run from n runs of the same configuration, with an extra
 * known variance on the new run's number: mean ± √((t(0.975, n − 1)·s·√(1 + 1/n))² + (z·√extra)²),
 * z = 1.959964. Without extra variance this is the textbook mean ± t(0.975, n − 1)·s·√(1 + 1/n).
 * Each part keeps its own 95% multiplier (t for the variance estimated from n runs, z for the known
 * binomial one) and the two half-widths add in quadrature: never narrower than either part alone.
 * (Welch–Satterthwaite on the summed variances could come out narrower than the seeds' part alone,
 * because the extra term raises the degrees of freedom.)
 * @param values one accuracy per seed (fractions); at least two
 * @param extraVariance variance the new run's number has that these runs do not share (default 0)
 * @throws Error for fewer than two values
 */
export function predictionInterval(values: readonly number[], extraVariance = 0): PredictionInterval {
  const n = values.length;
  const sd = sampleStandardDeviation(values);
  if (sd === null) throw new Error("a prediction interval needs at least two runs");
  if (!(extraVariance >= 0)) throw new Error(`extra variance must be non-negative, got ${extraVariance}`);
  const m = mean(values);
  const seedVariance = sd * sd * (1 + 1 / n);
  const df = n - 1;
  const seedHalf = tQuantile975(df) * Math.sqrt(seedVariance);
  const extraHalf = Z975 * Math.sqrt(extraVariance);
  const halfWidth = Math.sqrt(seedHalf * seedHalf + extraHalf * extraHalf);
  return { n, mean: m, sd, seedVariance, extraVariance, df, halfWidth, interval: [m - halfWidth, m + halfWidth] };
}

// ---------------------------------------------------------------------------------------------
// Two classifiers across seeds: two-level bootstrap, pooled (stratified) McNemar / CMH, Welch, Holm.
// ---------------------------------------------------------------------------------------------

/**
 * Two-level (hierarchical) bootstrap of a mean of per-image differences over seeds: each resample
 * draws S seeds with replacement, then, within each drawn seed, that seed's N images with
 * replacement, and averages the per-image differences over all S·N draws. Seed-to-seed variance
 * (different trained models) and image-to-image variance both enter the interval.
 * @param perSeed one array per seed of per-image differences, e.g. correct_A[i] − correct_B[i]
 * @param options resamples (default 10,000), seed of the generator (default 1)
 * @returns estimate: the mean over seeds of each seed's mean; ci95: 2.5th and 97.5th percentiles
 */
export function twoLevelBootstrap(perSeed: readonly ArrayLike<number>[], options: { resamples?: number; seed?: number } = {}): BootstrapInterval {
  const seeds = perSeed.length;
  if (seeds === 0 || perSeed.some((s) => s.length === 0)) throw new Error("bootstrap of no values");
  const resamples = options.resamples ?? 10_000;
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  const rng = createRng(options.seed ?? 1);
  const samplers = perSeed.map((values) => resampledMeanSampler(values, rng));
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let s = 0; s < seeds; s++) total += samplers[Math.floor(rng() * seeds)]();
    stats[r] = total / seeds;
  }
  stats.sort();
  const estimate = mean(perSeed.map((s) => mean(Array.from(s))));
  return { estimate, ci95: [percentile(stats, 0.025), percentile(stats, 0.975)], resamples };
}

/**
 * A sampler of the mean of n draws with replacement from `values` (n = values.length). Values with
 * few distinct levels (per-image differences of correctness are −1, 0 or 1) are drawn as
 * multinomial counts of those levels, level by level as conditional binomials: the same
 * distribution as drawing n images one by one, at a cost of tens of steps instead of n.
 */
function resampledMeanSampler(values: ArrayLike<number>, rng: () => number): () => number {
  const n = values.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n && counts.size <= 16; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  if (counts.size > 16)
    return () => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += values[Math.floor(rng() * n)];
      return sum / n;
    };
  const levels = [...counts].sort((a, b) => a[0] - b[0]);
  return () => {
    let [left, probabilityLeft, sum] = [n, 1, 0];
    for (let j = 0; j < levels.length; j++) {
      const [value, count] = levels[j];
      const p = count / n;
      const k = j === levels.length - 1 ? left : sampleBinomial(left, Math.min(1, p / probabilityLeft), rng);
      sum += value * k;
      left -= k;
      probabilityLeft -= p;
      if (left === 0) break;
    }
    return sum / n;
  };
}

/**
 * One draw of Binomial(trials, p) by inversion, enumerating outcomes outward from the mode
 * (mode, mode − 1, mode + 1, ...): exact for any fixed order, and about 2·σ steps on average.
 */
export function sampleBinomial(trials: number, p: number, rng: () => number): number {
  if (trials === 0 || p <= 0) return 0;
  if (p >= 1) return trials;
  const mode = Math.min(trials, Math.floor((trials + 1) * p));
  const logPmf = (k: number) => logGamma(trials + 1) - logGamma(k + 1) - logGamma(trials - k + 1) + k * Math.log(p) + (trials - k) * Math.log(1 - p);
  const ratio = p / (1 - p);
  const pMode = Math.exp(logPmf(mode));
  let u = rng() - pMode;
  if (u < 0) return mode;
  let [down, up, pDown, pUp] = [mode, mode, pMode, pMode];
  while (down > 0 || up < trials) {
    if (down > 0) {
      pDown *= down / ((trials - down + 1) * ratio);
      down--;
      u -= pDown;
      if (u < 0) return down;
    }
    if (up < trials) {
      pUp *= ((trials - up) / (up + 1)) * ratio;
      up++;
      u -= pUp;
      if (u < 0) return up;
    }
  }
  return mode; // u beyond the rounding of a total probability of 1
}

/** One 2×2 table [[a, b], [c, d]] (rows: group, columns: outcome). */
export type Table2x2 = readonly [readonly [number, number], readonly [number, number]];

/** Result of the Cochran–Mantel–Haenszel test. */
export interface CmhResult {
  /** Σ a_k over strata. */
  observed: number;
  /** Σ E[a_k] = Σ (a+b)(a+c)/n_k. */
  expected: number;
  /** Σ Var[a_k] = Σ (a+b)(c+d)(a+c)(b+d) / (n_k²(n_k − 1)). */
  variance: number;
  /** (|observed − expected| − correction)² / variance. */
  chiSquare: number;
  /** Two-sided p from chi-square with 1 df. */
  p: number;
}

/**
 * The Cochran–Mantel–Haenszel test of conditional independence over K 2×2 tables (strata), with
 * or without Yates's continuity correction of 0.5 (R's `mantelhaen.test` uses it by default).
 * Strata with fewer than two observations carry no information and are skipped.
 */
export function cochranMantelHaenszel(tables: readonly Table2x2[], options: { correct?: boolean } = {}): CmhResult {
  let [observed, expected, variance] = [0, 0, 0];
  for (const [[a, b], [c, d]] of tables) {
    const n = a + b + c + d;
    if (n < 2) continue;
    observed += a;
    expected += ((a + b) * (a + c)) / n;
    variance += ((a + b) * (c + d) * (a + c) * (b + d)) / (n * n * (n - 1));
  }
  const correction = options.correct === false ? 0 : 0.5;
  const deviation = Math.max(0, Math.abs(observed - expected) - correction);
  const chiSquare = variance > 0 ? (deviation * deviation) / variance : 0;
  return { observed, expected, variance, chiSquare, p: variance > 0 ? chiSquare1UpperTail(chiSquare) : 1 };
}

/** The pooled McNemar test of two classifiers over several seeds. */
export interface PooledMcNemarResult {
  /** Σ over seeds of images only the first classifier gets right. */
  onlyFirst: number;
  /** Σ over seeds of images only the second gets right. */
  onlySecond: number;
  /** (b − c)²/(b + c) over the pooled counts: the CMH statistic with each (seed, image) pair as its own stratum. */
  chiSquare: number;
  /** Two-sided exact binomial p of the pooled discordant counts (as McNemar's exact test). */
  p: number;
}

/**
 * Stratified McNemar across seeds: seeds are strata and, within a seed, each test image is a
 * matched pair. The Cochran–Mantel–Haenszel test with every matched pair as its own stratum reduces
 * to McNemar's statistic on the discordant counts summed over seeds, (Σb − Σc)²/(Σb + Σc); its
 * p-value here is the exact binomial one. One p-value for all seeds together, instead of one per seed.
 * @param perSeed each seed's discordant counts
 */
export function pooledMcNemar(perSeed: readonly { onlyFirst: number; onlySecond: number }[]): PooledMcNemarResult {
  let [b, c] = [0, 0];
  for (const s of perSeed) {
    b += s.onlyFirst;
    c += s.onlySecond;
  }
  return { onlyFirst: b, onlySecond: c, chiSquare: b + c > 0 ? ((b - c) * (b - c)) / (b + c) : 0, p: mcnemarExactP(b, c) };
}

/** Welch's unequal-variance t comparison of two independent samples. */
export interface WelchResult {
  /** mean(first) − mean(second). */
  difference: number;
  /** √(s₁²/n₁ + s₂²/n₂). */
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  t: number;
  /** Two-sided p. */
  p: number;
  /** 95% interval of the difference, difference ± t(0.975, df)·standardError. */
  ci95: [number, number];
}

/**
 * Welch's t-test and 95% interval for the difference of two means, ignoring any pairing (the
 * unpaired view: e.g. two configurations' per-seed accuracies, whose seeds share a batch order but
 * not initial weights).
 * @throws Error when a sample has fewer than two values
 */
export function welchTest(first: readonly number[], second: readonly number[]): WelchResult {
  const [s1, s2] = [sampleStandardDeviation(first), sampleStandardDeviation(second)];
  if (s1 === null || s2 === null) throw new Error("Welch's test needs at least two values in each sample");
  const [v1, v2] = [(s1 * s1) / first.length, (s2 * s2) / second.length];
  const difference = mean(first) - mean(second);
  const standardError = Math.sqrt(v1 + v2);
  if (standardError === 0) {
    const p = difference === 0 ? 1 : 0;
    return { difference, standardError, df: Infinity, t: difference === 0 ? 0 : Math.sign(difference) * Infinity, p, ci95: [difference, difference] };
  }
  const df = ((v1 + v2) * (v1 + v2)) / ((v1 * v1) / (first.length - 1) + (v2 * v2) / (second.length - 1));
  const t = difference / standardError;
  const p = Math.min(1, 2 * (1 - tCdf(Math.abs(t), df)));
  const half = tQuantile(0.975, df) * standardError;
  return { difference, standardError, df, t, p, ci95: [difference - half, difference + half] };
}

/** One test of a family, with its Holm-adjusted p-value. */
export interface HolmAdjusted<T> {
  test: T;
  p: number;
  /** Holm's step-down adjusted p: max over j <= rank of (m − j + 1)·p_(j), capped at 1. */
  adjustedP: number;
}

/**
 * Holm's step-down correction of a family of m tests: sort p ascending, multiply the i-th smallest
 * (1-based) by m − i + 1, take the running maximum, cap at 1. Controls the chance of any false
 * rejection in the family at the chosen level. Returns the tests in their given order.
 */
export function holmAdjust<T>(tests: readonly T[], pOf: (test: T) => number): HolmAdjusted<T>[] {
  const m = tests.length;
  const order = tests.map((test, i) => ({ test, i, p: pOf(test) })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ i, p }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return tests.map((test, i) => ({ test, p: pOf(test), adjustedP: adjusted[i] }));
}

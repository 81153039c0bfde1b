/**
 * Every number, duration and date format of the site: pages, components, client scripts and Node
 * scripts print through these, so that a number reads the same wherever it is printed. Pure
 * TypeScript, no Intl (the first Intl call costs the main thread tens of milliseconds, and the
 * Rerun panel formats numbers while the reader watches) except {@link formatDateTime}.
 */

/**
 * A fraction as a percentage with two decimals, like the original study prints them.
 * @param fraction in [0, 1], e.g. 0.9201
 * @param digits decimals (default 2; class shares and Grad-CAM probabilities use 1)
 * @returns e.g. "92.01%"
 */
export function formatPercent(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) throw new Error(`formatPercent: expected a finite fraction, got ${fraction}`);
  return formatAsPercent(fraction * 100, digits);
}

/**
 * A number already in percent (a chart's value) with the percent sign, as {@link formatPercent} prints a fraction.
 * @param percent e.g. 92.01
 * @param digits decimals (default 2)
 * @returns e.g. "92.01%"
 */
export function formatAsPercent(percent: number, digits = 2): string {
  return `${percent.toFixed(digits)}%`;
}

/**
 * A signed difference of fractions in percentage points, with a true minus sign; a difference
 * that rounds to zero reads "+0.00".
 * @param fraction e.g. 0.0021 or -0.0005
 * @returns e.g. "+0.21" or "−0.05"
 */
export function formatPoints(fraction: number): string {
  const v = fraction * 100;
  const text = Math.abs(v).toFixed(2);
  return `${v < 0 && text !== "0.00" ? "−" : "+"}${text}`;
}

/**
 * A fraction (a spread, a half-width, a standard error) in percentage points, unsigned, without unit.
 * @param fraction e.g. 0.0033
 * @param digits decimals (default 2)
 * @returns e.g. "0.33"
 */
export function formatPointsValue(fraction: number, digits = 2): string {
  return (fraction * 100).toFixed(digits);
}

/**
 * A p-value as the site prints it: two significant digits, or "< 0.001".
 * @param p in [0, 1]
 * @returns e.g. "0.031" or "< 0.001"
 */
export function formatP(p: number): string {
  return p < 0.001 ? "< 0.001" : p.toPrecision(2).replace(/e.*$/, "");
}

/**
 * A statistic (a quantile, a proportion in a formula) with a fixed number of decimals.
 * @param value e.g. 1.959964
 * @param digits decimals
 * @returns e.g. "1.96" for 2 digits
 */
export function formatDecimal(value: number, digits: number): string {
  return value.toFixed(digits);
}

/**
 * A time in whole milliseconds.
 * @param milliseconds e.g. 41.7
 * @returns e.g. "42 ms"
 */
export function formatMilliseconds(milliseconds: number): string {
  return `${milliseconds.toFixed(0)} ms`;
}

/**
 * A loss with four decimals, like the original study prints them.
 * @param loss cross-entropy, e.g. 0.1954
 * @param digits decimals (default 4; the panel's live line uses 3)
 */
export function formatLoss(loss: number, digits = 4): string {
  if (!Number.isFinite(loss)) throw new Error(`formatLoss: expected a finite loss, got ${loss}`);
  return loss.toFixed(digits);
}

/**
 * A count rounded to an integer, with comma thousands separators.
 * @param count e.g. 54000 or 1234.6
 * @returns e.g. "54,000" or "1,235"
 */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) throw new Error(`formatCount: expected a finite number, got ${count}`);
  return String(Math.round(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A duration as "42 s", "3 min 5 s" or "1 h 2 min" (rounded to the second, or to the minute from
 * an hour on; negative durations count as 0).
 * @param seconds e.g. 185
 * @returns e.g. "3 min 5 s"
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new Error(`formatDuration: expected a finite number of seconds, got ${seconds}`);
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * An estimated time left: {@link formatDuration}, or "--" while there is no estimate yet.
 * @param seconds seconds left, or null/undefined/non-finite when unknown
 */
export function formatEta(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined || !Number.isFinite(seconds) ? "--" : formatDuration(seconds);
}

/**
 * A rough duration, rounded so that it does not promise more than an estimate can.
 * @param seconds >= 0
 * @returns e.g. "about 5 s" (at least 5 s, in steps of 5), "about 12 min", "about 1.5 h"
 * @throws on a negative or non-finite duration
 */
export function describeEstimate(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`describeEstimate: expected a duration in seconds, got ${seconds}`);
  if (seconds < 57.5) return `about ${Math.max(5, Math.round(seconds / 5) * 5)} s`;
  if (seconds < 90 * 60) return `about ${Math.max(1, Math.round(seconds / 60))} min`;
  return `about ${Math.round(seconds / 1800) / 2} h`;
}

/**
 * A date and time in the reader's locale, medium date and short time (Intl: call it when a row is
 * drawn, not while a run is training).
 * @param date an ISO 8601 string or milliseconds since the epoch
 * @returns e.g. "7 Dec 2026, 06:05" (locale-dependent)
 */
export function formatDateTime(date: string | number): string {
  return new Date(date).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * A protocol's size in a few words.
 * @param protocol its training images per epoch and its epochs
 * @returns e.g. "5,400 training images, 3 epochs"
 */
export function describeProtocolSize(protocol: { trainImages: number; epochs: number }): string {
  return `${formatCount(protocol.trainImages)} training images, ${formatPlural(protocol.epochs, "epoch")}`;
}

/**
 * A byte count in decimal megabytes with one decimal.
 * @param bytes e.g. 26_421_880
 * @returns e.g. "26.4 MB"
 */
export function formatMB(bytes: number): string {
  if (!Number.isFinite(bytes)) throw new Error(`formatMB: expected a finite byte count, got ${bytes}`);
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * A count and a noun, plural unless the count is 1: plural(3, "epoch") -> "3 epochs".
 * @param count printed with {@link formatCount}
 * @param noun singular form; the plural adds "s"
 */
export function formatPlural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`;
}

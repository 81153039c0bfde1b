/**
 * Number formats shared by the pages, components, client scripts (the rerun panel) and Node
 * scripts, so that a number reads the same wherever it is printed. Pure TypeScript, no Intl:
 * the first Intl call costs the main thread tens of milliseconds, and the panel formats numbers
 * while the reader watches.
 */

/**
 * A fraction as a percentage with two decimals, like the original study prints them.
 * @param fraction in [0, 1], e.g. 0.9201
 * @returns e.g. "92.01%"
 */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) throw new Error(`formatPercent: expected a finite fraction, got ${fraction}`);
  return `${(fraction * 100).toFixed(2)}%`;
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

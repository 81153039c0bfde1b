/**
 * What the rerun panel shows before a run, without any DOM: after Rerun (or "Rerun all") the
 * reader picks a preset and backend and presses Start. This module words that choice: the heading,
 * the Start button, and each preset's rough time, estimated from the best speed known for the rows.
 */
import { BACKEND_LABELS } from "../../lib/backends/names.ts";
import { describeEstimate, estimateRunSeconds } from "../../lib/study/preset-text.ts";
import type { RerunPageData } from "../../lib/study/rerun-reference.ts";
import { PRESET_NAMES, type PresetName } from "../../lib/study/preset-names.ts";
import type { ChoiceView } from "./panel-view.ts";

/** A row's training speed and where it was measured. */
export interface RowSpeed {
  imagesPerSecond: number;
  /** "yours": this tab's latest finished run of the row; "ours": the site's published record. */
  source: "yours" | "ours";
  /** Backend and runtime of our record ("ours" only). */
  backend?: string;
  runtime?: string;
}

/**
 * The speed a row's estimates start from: this tab's latest run of it, else our published record
 * of it (quick preferred, then full, smoke, the row's best), else null.
 * @param measured images/s of this tab's finished runs, by row id
 */
export function speedOf(rowId: string, data: RerunPageData, measured: ReadonlyMap<string, number>): RowSpeed | null {
  const mine = measured.get(rowId);
  if (mine !== undefined && mine > 0) return { imagesPerSecond: mine, source: "yours" };
  const row = data.rows[rowId];
  const records = [row?.byPreset?.quick, row?.byPreset?.full, row?.byPreset?.smoke, row?.reproduced];
  const ours = records.find((r) => r?.imagesPerSecond !== undefined && r.imagesPerSecond > 0);
  return ours ? { imagesPerSecond: ours.imagesPerSecond!, source: "ours", backend: ours.backend, runtime: ours.runtime } : null;
}

function backendName(backend: string | undefined): string {
  return backend && backend in BACKEND_LABELS ? BACKEND_LABELS[backend as keyof typeof BACKEND_LABELS] : (backend ?? "an unknown backend");
}

/**
 * The panel's choice for `rows` (one row, or a table's "Rerun all"): heading, Start label, and
 * each preset's total time over the rows, or none when a row's speed is unknown.
 * @param rows row ids, in the order they would train (at least one)
 */
export function describeChoice(rows: readonly string[], data: RerunPageData, measured: ReadonlyMap<string, number>): ChoiceView {
  if (rows.length === 0) throw new Error("describeChoice: no rows");
  const speeds = rows.map((id) => speedOf(id, data, measured));
  const known = speeds.every((s) => s !== null);
  const estimates: Partial<Record<PresetName, string>> = {};
  if (known) {
    for (const name of PRESET_NAMES) {
      estimates[name] = describeEstimate(speeds.reduce((sum, s) => sum + estimateRunSeconds(data.presets[name], s!.imagesPerSecond), 0));
    }
  }
  const single = rows.length === 1;
  const first = speeds[0];
  const base = !known
    ? `No time estimate: this site has no run of ${single ? "this row" : "every one of these rows"} to measure its speed by.`
    : single && first?.source === "yours"
      ? "Times: at the speed of your last run of this row in this tab."
      : speeds.some((s) => s?.source === "yours")
        ? "Times: at the speed of your runs in this tab where there are some, else of this site's own runs."
        : `Times: at the speed of this site's own ${single ? "run" : "runs"} (${backendName(first?.backend)}${first?.runtime === "node" ? " in Node" : ""}); a GPU backend is often faster.`;
  return {
    title: single ? `Rerun ${rows[0]}` : `Rerun ${rows.length} rows in turn`,
    subtitle: single ? (data.rows[rows[0]]?.description ?? rows[0]) : `${rows[0]} … ${rows[rows.length - 1]}, one at a time`,
    estimates,
    note: `${base} The first run also downloads the dataset (about 31 MB).`,
    startLabel: single ? "Start" : `Start ${rows.length} runs`,
    rowId: single ? rows[0] : undefined,
  };
}

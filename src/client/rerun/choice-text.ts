/**
 * What the rerun panel shows before a run, without any DOM: after Rerun (or "Rerun all") the
 * reader picks a preset and backend and presses Start. This module words that choice: the heading,
 * the Start button, and each preset's rough time, estimated from the best evidence known for the rows.
 */
import { BACKEND_LABELS } from "../../lib/backends/names.ts";
import { describeEstimate } from "../../lib/format.ts";
import { estimateRunSeconds, presetLabel } from "../../lib/study/preset-text.ts";
import { presetEvidence, type SpeedEvidence } from "../../lib/study/run-estimate.ts";
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

/** "1 thread", "7 threads". */
const threadsText = (n: number) => `${n} thread${n === 1 ? "" : "s"}`;

/** "Full", "Full and Quick", "Full, Quick and Smoke". */
function listPresets(names: readonly PresetName[]): string {
  const labels = names.map((n) => presetLabel(n));
  return labels.length < 2 ? labels.join("") : `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/**
 * Where the presets' estimates come from, one clause per record: "Full, Quick and Smoke from its
 * Full run (WebAssembly in Node, 2 threads)".
 */
function evidenceText(evidence: ReadonlyMap<PresetName, SpeedEvidence>): string {
  const groups = new Map<string, PresetName[]>();
  for (const [preset, e] of evidence) {
    const where = `${backendName(e.backend)}${e.runtime === "node" ? " in Node" : e.runtime === "browser" ? " in a browser" : ""}`;
    const threads = e.recordThreads !== undefined ? `, ${threadsText(e.recordThreads)}` : "";
    const key = `its ${presetLabel(e.protocol)} run (${where}${threads}${e.basis === "epoch speed" ? ", epoch speed" : ""})`;
    groups.set(key, [...(groups.get(key) ?? []), preset]);
  }
  return [...groups].map(([source, presets]) => `${listPresets(presets)} from ${source}`).join("; ");
}

/** Options of {@link describeChoice}. */
export interface ChoiceOptions {
  /**
   * wasm threads the reader's worker will run (thread-count.ts's wasmThreadCount for this page):
   * our records' speeds are scaled from their threads to these. Undefined: not scaled.
   */
  threads?: number;
}

/**
 * The panel's choice for `rows` (one row, or a table's "Rerun all"): heading, Start label, and
 * each preset's total time over the rows, or none when a row's speed is unknown. A preset's time
 * for a row comes from this tab's run of the row when there is one, else from our record of that
 * preset (its training time), else our record of the row that trained the most images, scaled to
 * `options.threads` (run-estimate.ts); the note says which.
 * @param rows row ids, in the order they would train (at least one)
 */
export function describeChoice(rows: readonly string[], data: RerunPageData, measured: ReadonlyMap<string, number>, options: ChoiceOptions = {}): ChoiceView {
  if (rows.length === 0) throw new Error("describeChoice: no rows");
  const speeds = rows.map((id) => speedOf(id, data, measured));
  const known = speeds.every((s) => s !== null);
  const estimates: Partial<Record<PresetName, string>> = {};
  const evidence = new Map<PresetName, SpeedEvidence>();
  if (known) {
    for (const name of PRESET_NAMES) {
      let seconds = 0;
      rows.forEach((id, i) => {
        const mine = speeds[i]!.source === "yours" ? speeds[i]!.imagesPerSecond : undefined;
        const ours = mine === undefined ? presetEvidence(data.rows[id], name, options.threads) : null;
        if (ours && i === 0) evidence.set(name, ours);
        seconds += estimateRunSeconds(data.presets[name], mine ?? ours?.imagesPerSecond ?? speeds[i]!.imagesPerSecond);
      });
      estimates[name] = describeEstimate(seconds);
    }
  }
  const single = rows.length === 1;
  const first = speeds[0];
  const scaled = [...evidence.values()].some((e) => e.scaledToThreads !== undefined)
    ? `, scaled to the ${threadsText(options.threads!)} WebAssembly gets in this page`
    : "";
  const base = !known
    ? `No time estimate: this site has no run of ${single ? "this row" : "every one of these rows"} to measure its speed by.`
    : single && first?.source === "yours"
      ? "Times: at the speed of your last run of this row in this tab."
      : speeds.some((s) => s?.source === "yours")
        ? "Times: at the speed of your runs in this tab where there are some, else of this site's own runs."
        : single
          ? `Times: from the training time of this site's own runs of this row: ${evidenceText(evidence)}${scaled}; a GPU backend is often faster.`
          : `Times: from this site's own runs of each row, by their training time (${backendName(first?.backend)}${first?.runtime === "node" ? " in Node" : ""})${scaled}; a GPU backend is often faster.`;
  return {
    title: single ? `Rerun ${rows[0]}` : `Rerun ${rows.length} rows in turn`,
    subtitle: single ? (data.rows[rows[0]]?.description ?? rows[0]) : `${rows[0]} … ${rows[rows.length - 1]}, one at a time`,
    estimates,
    note: `${base} The first run also downloads the dataset (about 31 MB); once training starts, the time left is measured.`,
    startLabel: single ? "Start" : `Start ${rows.length} runs`,
    rowId: single ? rows[0] : undefined,
  };
}

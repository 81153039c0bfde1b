/**
 * The page's side of a reader's reruns: persistence is src/lib/storage/reruns-db.ts (IndexedDB,
 * shared with the Grad-CAM worker), re-exported here for the panel and "Your reruns"; this module
 * adds what needs the DOM: downloads and the event that tells the page a run was kept or deleted.
 */
import type { RunRecord } from "../lib/study/schema.ts";
import type { StoredModel } from "../lib/storage/reruns-db.ts";

export {
  RERUNS_DB_NAME as DB_NAME,
  RERUNS_STORE_NAMES as STORE_NAMES,
  deleteRerun,
  getRerunCurve,
  getRerunModel,
  listRerunModelIds,
  listReruns,
  openRerunsDb as openRerunDatabase,
  saveRerun,
  type StoredCurve,
  type StoredModel,
} from "../lib/storage/reruns-db.ts";

/**
 * Event dispatched on `document` when the stored reruns change (one stored or deleted); detail:
 * { runId }. The string keeps its first name, which pages may listen for.
 */
export const RERUNS_CHANGED_EVENT = "rerun:saved";
/** @deprecated the former name of {@link RERUNS_CHANGED_EVENT}. */
export const RERUN_SAVED_EVENT = RERUNS_CHANGED_EVENT;

/** Name of the file a run exports to: `<runId>.json`, like the files under public/data/runs/. */
export function exportFileName(record: RunRecord): string {
  return `${record.runId.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

/** Offer `data` as a download named `name`. */
export function downloadBlob(data: Blob, name: string): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Download one run as `<runId>.json`, in the schema of public/data/runs/. */
export function downloadRunJson(record: RunRecord): void {
  downloadBlob(new Blob([`${JSON.stringify(record, null, 2)}\n`], { type: "application/json" }), exportFileName(record));
}

/** Download a kept model as two files, model.json and weights.bin, in the tfjs layers format. */
export function downloadModel(model: StoredModel): void {
  const base = model.runId.replace(/[^A-Za-z0-9._-]/g, "_");
  const weightsName = `${base}.weights.bin`;
  const json = structuredClone(model.modelJson) as { weightsManifest?: { paths: string[] }[] };
  for (const group of json.weightsManifest ?? []) group.paths = [weightsName];
  downloadBlob(new Blob([JSON.stringify(json)], { type: "application/json" }), `${base}.model.json`);
  downloadBlob(new Blob([model.weights], { type: "application/octet-stream" }), weightsName);
}

/**
 * A reader's reruns, kept in the browser's IndexedDB so they survive a reload:
 * database "fashion-mnist-live", object stores
 *   runs   key runId -> RunRecord (the schema of public/data/runs/, so an export can be published as is)
 *   models key runId -> { runId, rowId, createdAt, modelJson, weights: ArrayBuffer } (tfjs layers format;
 *          the Grad-CAM page reads this store with exactly this shape)
 *   curves key runId -> { runId, batches } (the per-batch training curve, thinned)
 * Other pages may open the database too; whoever opens it first creates whatever stores are missing.
 */
import type { BatchPoint } from "../lib/charts/curve-points.ts";
import type { RunRecord } from "../lib/study/schema.ts";

/** Name of the site's IndexedDB database. */
export const DB_NAME = "fashion-mnist-live";
/** Event dispatched on `document` when a rerun has been stored or deleted; detail: { runId }. */
export const RERUN_SAVED_EVENT = "rerun:saved";
/** Object stores this module needs (all keyed by `runId`). */
export const STORE_NAMES = ["runs", "models", "curves"] as const;

/** A trained model as stored: model.json and its weights (little-endian float32, manifest order). */
export interface StoredModel {
  runId: string;
  rowId: string;
  /** ISO 8601 time the model was stored. */
  createdAt: string;
  modelJson: Record<string, unknown>;
  weights: ArrayBuffer;
}

/** The training curve of a run: one point per batch (thinned to a few hundred). */
export interface StoredCurve {
  runId: string;
  batches: BatchPoint[];
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

function openAt(version?: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") return reject(new Error("this browser has no IndexedDB (private mode?): reruns cannot be kept"));
    const req = version === undefined ? indexedDB.open(DB_NAME) : indexedDB.open(DB_NAME, version);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const name of STORE_NAMES) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: "runId" });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Let another tab (or page script) upgrade the database instead of blocking it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new Error(`could not open IndexedDB database ${DB_NAME}`));
    req.onblocked = () => reject(new Error(`IndexedDB database ${DB_NAME} is held open by another tab; close it and retry`));
  });
}

let opening: Promise<IDBDatabase> | null = null;

/** Open the database, creating missing object stores (with a version bump when it already exists without them). */
export function openRerunDatabase(): Promise<IDBDatabase> {
  opening ??= (async () => {
    const db = await openAt();
    if (STORE_NAMES.every((name) => db.objectStoreNames.contains(name))) return db;
    const next = db.version + 1;
    db.close();
    return openAt(next);
  })().catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

/** Keep a finished run, with its curve and model when given, in one transaction. */
export async function saveRerun(record: RunRecord, curve?: StoredCurve, model?: StoredModel): Promise<void> {
  const db = await openRerunDatabase();
  const tx = db.transaction([...STORE_NAMES], "readwrite");
  tx.objectStore("runs").put(record);
  if (curve) tx.objectStore("curves").put(curve);
  if (model) tx.objectStore("models").put(model);
  await done(tx);
}

/** Every kept run, newest first. */
export async function listReruns(): Promise<RunRecord[]> {
  const db = await openRerunDatabase();
  const runs = (await request(db.transaction("runs").objectStore("runs").getAll())) as RunRecord[];
  return runs.sort((a, b) => (a.finishedAt < b.finishedAt ? 1 : a.finishedAt > b.finishedAt ? -1 : 0));
}

/** A kept model, or undefined. */
export async function getRerunModel(runId: string): Promise<StoredModel | undefined> {
  const db = await openRerunDatabase();
  return (await request(db.transaction("models").objectStore("models").get(runId))) as StoredModel | undefined;
}

/** A kept curve, or undefined. */
export async function getRerunCurve(runId: string): Promise<StoredCurve | undefined> {
  const db = await openRerunDatabase();
  return (await request(db.transaction("curves").objectStore("curves").get(runId))) as StoredCurve | undefined;
}

/** Forget a run, its model and its curve. */
export async function deleteRerun(runId: string): Promise<void> {
  const db = await openRerunDatabase();
  const tx = db.transaction([...STORE_NAMES], "readwrite");
  for (const name of STORE_NAMES) tx.objectStore(name).delete(runId);
  await done(tx);
}

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

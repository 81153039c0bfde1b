/**
 * A reader's reruns, kept in the browser's IndexedDB so that they survive a reload: the one module
 * that reads and writes them, for the page (rerun panel, "Your reruns") and the Grad-CAM worker.
 * Uses only the `indexedDB` global (pages and workers alike; no DOM).
 *
 * Database {@link RERUNS_DB_NAME} ("fashion-mnist-live"), three object stores keyed by run id:
 *   runs    RunRecord (the schema of public/data/runs/, so an export can be published as is)
 *   models  StoredModel: model.json and its weights (tfjs layers format)
 *   curves  StoredCurve: the per-batch training curve, thinned
 * These are the names the site has always used, so runs kept by earlier versions are read as they
 * are. The schema only ever gains stores: opening creates whatever store is missing, bumping the
 * database version when it already exists without it (e.g. created by an older page).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from "idb";
import type { BatchPoint } from "../charts/curve-points.ts";
import type { ModelFiles } from "../model/model-io.ts";
import type { RunRecord } from "../study/schema.ts";

/** Name of the site's IndexedDB database. */
export const RERUNS_DB_NAME = "fashion-mnist-live";

/** Object stores of the database, all keyed by `runId`. */
export const RERUNS_STORE_NAMES = ["runs", "models", "curves"] as const;

/** A trained model as stored: model.json and its weights (little-endian float32, manifest order). */
export interface StoredModel {
  runId: string;
  /** Tuning-table row, e.g. `cnn-32-64-3-64`. */
  rowId: string;
  /** ISO 8601 time the model was stored. */
  createdAt: string;
  /** tfjs `model.json` (modelTopology, weightsManifest, ...). */
  modelJson: Record<string, unknown>;
  /** All weights, concatenated in weightsManifest order. */
  weights: ArrayBuffer;
}

/** The training curve of a run: one point per batch (thinned to a few hundred). */
export interface StoredCurve {
  runId: string;
  batches: BatchPoint[];
}

/** What a model picker needs to know of a stored model (no weights). */
export interface StoredModelInfo {
  runId: string;
  rowId: string;
  /** ISO 8601 time the run finished (the model's own time when no run record is kept); "" when unknown. */
  createdAt: string;
  /** The run's protocol name ("full", "quick", "smoke" or "custom"), when its run record is kept. */
  protocol?: string;
  /** The run's test accuracy in [0, 1], when its run record is kept. */
  testAccuracy?: number;
}

/** A stored model checked and ready to load with `modelFromFiles`, with its run record if kept. */
export interface LoadedStoredModel extends StoredModelInfo {
  files: ModelFiles;
  /** The run record stored with it, unvalidated (check it with runRecordSchema); undefined if none. */
  record?: unknown;
}

/** The database's typed schema (idb). */
export interface RerunsSchema extends DBSchema {
  runs: { key: string; value: RunRecord };
  models: { key: string; value: StoredModel };
  curves: { key: string; value: StoredCurve };
}

/** An open connection to the reruns database. */
export type RerunsDb = IDBPDatabase<RerunsSchema>;

const missingStores = (db: { objectStoreNames: DOMStringList }) => RERUNS_STORE_NAMES.filter((name) => !db.objectStoreNames.contains(name));

let opening: Promise<RerunsDb> | null = null;

function openAt(version: number | undefined): Promise<RerunsDb> {
  return openDB<RerunsSchema>(RERUNS_DB_NAME, version, {
    upgrade(db) {
      for (const name of missingStores(db)) db.createObjectStore(name, { keyPath: "runId" });
    },
    // Another tab (or the Grad-CAM worker) wants a newer version: step aside instead of blocking it.
    blocking() {
      forget();
    },
    terminated() {
      forget();
    },
  });
}

/** Closes the cached connection, if any, so that the next call opens a fresh one. */
function forget(): void {
  const current = opening;
  opening = null;
  void current?.then((db) => db.close()).catch(() => undefined);
}

/**
 * Opens the database (one shared connection per page or worker), creating missing object stores.
 * @throws when this browser has no IndexedDB (private mode in some browsers) or refuses to open it
 */
export function openRerunsDb(): Promise<RerunsDb> {
  opening ??= (async () => {
    if (typeof indexedDB === "undefined") throw new Error("this browser has no IndexedDB (private mode?): reruns cannot be kept");
    const db = await openAt(undefined);
    if (missingStores(db).length === 0) return db;
    const next = db.version + 1;
    db.close();
    return openAt(next);
  })().catch((error: unknown) => {
    opening = null;
    throw error instanceof Error && !error.message.includes(RERUNS_DB_NAME)
      ? new Error(`could not open the IndexedDB database ${RERUNS_DB_NAME}: ${error.message}`, { cause: error })
      : error;
  });
  return opening;
}

/** Closes the shared connection (tests, or before deleting the database). */
export function closeRerunsDb(): void {
  forget();
}

/**
 * Keeps a finished run, with its curve and model when given, in one transaction (all or nothing).
 * Each replaces any entry with the same run id.
 */
export async function saveRerun(record: RunRecord, curve?: StoredCurve, model?: StoredModel): Promise<void> {
  await writeAll((tx, issue) => {
    issue(tx.objectStore("runs").put(record));
    if (curve) issue(tx.objectStore("curves").put(curve));
    if (model) issue(tx.objectStore("models").put(model));
  });
}

type WriteTransaction = IDBPTransaction<RerunsSchema, typeof RERUNS_STORE_NAMES, "readwrite">;

/**
 * Runs `writes` in one readwrite transaction over every store and waits for it to commit; each
 * request goes through `issue`. A write that throws at once (a value without a run id, one that
 * cannot be cloned) aborts the transaction: IndexedDB would otherwise commit the writes before it.
 */
async function writeAll(writes: (tx: WriteTransaction, issue: (request: Promise<unknown>) => void) => void): Promise<void> {
  const db = await openRerunsDb();
  const tx = db.transaction(RERUNS_STORE_NAMES, "readwrite");
  const requests: Promise<unknown>[] = [tx.done];
  try {
    writes(tx, (request) => void requests.push(request));
  } catch (error) {
    tx.abort();
    await Promise.allSettled(requests);
    throw error;
  }
  await Promise.all(requests);
}

const newestFirst = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/** Every kept run record, newest first (by finishedAt). */
export async function listReruns(): Promise<RunRecord[]> {
  const runs = await (await openRerunsDb()).getAll("runs");
  return runs.sort((a, b) => newestFirst(a.finishedAt, b.finishedAt));
}

/** A kept run record, or undefined. */
export async function getRerun(runId: string): Promise<RunRecord | undefined> {
  return (await openRerunsDb()).get("runs", runId);
}

/** A kept model exactly as stored, or undefined. */
export async function getRerunModel(runId: string): Promise<StoredModel | undefined> {
  return (await openRerunsDb()).get("models", runId);
}

/** The run ids that have a kept model (its keys only: no weights are read). */
export async function listRerunModelIds(): Promise<Set<string>> {
  return new Set(await (await openRerunsDb()).getAllKeys("models"));
}

/** A kept curve, or undefined. */
export async function getRerunCurve(runId: string): Promise<StoredCurve | undefined> {
  return (await openRerunsDb()).get("curves", runId);
}

/** Forgets a run, its model and its curve, in one transaction. */
export async function deleteRerun(runId: string): Promise<void> {
  await writeAll((tx, issue) => RERUNS_STORE_NAMES.forEach((name) => issue(tx.objectStore(name).delete(runId))));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isoTime(value: unknown): string {
  const time = value instanceof Date ? value : typeof value === "string" || typeof value === "number" ? new Date(value) : null;
  return time && !Number.isNaN(time.getTime()) ? time.toISOString() : "";
}

/**
 * Checks one value of the `models` store, however it was written (this module, an earlier version
 * of the site, or by hand): weights may be an ArrayBuffer or a typed-array view, model.json an
 * object or its JSON text, the time a string, number or Date.
 * @returns the model with its weights as bytes and an ISO time ("" when unknown), or null when the
 *   value is not a usable model (missing run id, row id, topology or weights)
 */
export function parseStoredModel(value: unknown): LoadedStoredModel | null {
  if (!isObject(value)) return null;
  const { runId, rowId, createdAt, weights } = value;
  let { modelJson } = value;
  if (typeof runId !== "string" || runId === "" || typeof rowId !== "string" || rowId === "") return null;
  if (typeof modelJson === "string") {
    try {
      modelJson = JSON.parse(modelJson);
    } catch {
      return null;
    }
  }
  if (!isObject(modelJson) || !isObject(modelJson.modelTopology) || !Array.isArray(modelJson.weightsManifest)) return null;
  let bytes: Uint8Array;
  if (weights instanceof ArrayBuffer) bytes = new Uint8Array(weights);
  else if (ArrayBuffer.isView(weights)) bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  else return null;
  return { runId, rowId, createdAt: isoTime(createdAt), files: { modelJson, weights: bytes } };
}

/**
 * The kept models, newest first, without their weights: for a model picker. Reads the run
 * records and the models' keys, and a model's own value only when its run record is missing, so
 * listing does not load every model's weights.
 */
export async function listStoredModels(): Promise<StoredModelInfo[]> {
  const db = await openRerunsDb();
  const tx = db.transaction(["models", "runs"], "readonly");
  const [keys, runs] = await Promise.all([tx.objectStore("models").getAllKeys(), tx.objectStore("runs").getAll()]);
  const runOf = new Map(runs.filter(isObject).map((r) => [r.runId, r] as const));
  const infos: StoredModelInfo[] = [];
  for (const runId of keys) {
    const run = runOf.get(runId);
    if (run && typeof run.rowId === "string" && run.rowId !== "") {
      infos.push({ runId, rowId: run.rowId, createdAt: isoTime(run.finishedAt), ...recordFacts(run) });
      continue;
    }
    const parsed = parseStoredModel(await tx.objectStore("models").get(runId));
    if (parsed) infos.push({ runId: parsed.runId, rowId: parsed.rowId, createdAt: parsed.createdAt });
  }
  await tx.done;
  return infos.sort((a, b) => newestFirst(a.createdAt, b.createdAt) || a.runId.localeCompare(b.runId));
}

/** The protocol name and test accuracy of a stored run record, each only when it has a usable one. */
function recordFacts(run: Record<string, unknown>): Pick<StoredModelInfo, "protocol" | "testAccuracy"> {
  const facts: Pick<StoredModelInfo, "protocol" | "testAccuracy"> = {};
  const protocol = isObject(run.protocol) ? run.protocol.name : undefined;
  if (typeof protocol === "string" && protocol !== "") facts.protocol = protocol;
  const test = isObject(run.metrics) && isObject(run.metrics.test) ? run.metrics.test.accuracy : undefined;
  if (typeof test === "number" && test >= 0 && test <= 1) facts.testAccuracy = test;
  return facts;
}

/**
 * One kept model, checked (see {@link parseStoredModel}) and with its run record when one is kept.
 * @returns undefined when there is no such model, or its stored value is not a usable model
 */
export async function readStoredModel(runId: string): Promise<LoadedStoredModel | undefined> {
  const db = await openRerunsDb();
  const tx = db.transaction(["models", "runs"], "readonly");
  const [value, record] = await Promise.all([tx.objectStore("models").get(runId), tx.objectStore("runs").get(runId), tx.done]);
  const parsed = parseStoredModel(value);
  if (!parsed) return undefined;
  return record === undefined ? parsed : { ...parsed, record };
}

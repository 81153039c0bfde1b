/**
 * Reading the models a reader trained in the browser: the rerun tool stores each finished run's
 * model in IndexedDB database `fashion-mnist-live`, object store `models`, keyed by run id, as
 * `{ runId, rowId, createdAt, modelJson, weights: ArrayBuffer }`, and the run's record (schema of
 * public/data/runs/) in object store `runs` under the same key. This side only reads, and
 * defensively: a missing database or store, or a malformed entry, means no model (never an error),
 * and a database that does not exist yet is not created by looking for it.
 */
import type { ModelFiles } from "./model/model-io.ts";

/** IndexedDB database the reader's reruns live in. */
export const READER_DB_NAME = "fashion-mnist-live";
/** Object store of the reader's trained models (key: run id). */
export const READER_MODEL_STORE = "models";
/** Object store of the reader's run records (key: run id). */
export const READER_RUN_STORE = "runs";

/** A reader-trained model, as found in IndexedDB. */
export interface StoredModel {
  runId: string;
  /** Tuning-table row, e.g. `cnn-32-64-3-64`. */
  rowId: string;
  /** ISO 8601 time the run finished (or was stored). */
  createdAt: string;
  files: ModelFiles;
  /** The run record stored with it, unvalidated (check it with runRecordSchema); undefined if none. */
  record?: unknown;
}

/** What a model picker needs to know of a stored model (no weights, no record). */
export type StoredModelInfo = Omit<StoredModel, "files" | "record">;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks one value of the `models` store.
 * @returns the model with its weights as bytes, or null when the value is not a usable model
 *   (missing run id, row id, topology or weights)
 */
export function parseStoredModel(value: unknown): StoredModel | null {
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
  const time = createdAt instanceof Date ? createdAt : typeof createdAt === "string" || typeof createdAt === "number" ? new Date(createdAt) : null;
  return {
    runId,
    rowId,
    createdAt: time && !Number.isNaN(time.getTime()) ? time.toISOString() : "",
    files: { modelJson, weights: bytes },
  };
}

/** Opens the database only if it already exists; null otherwise or on any failure. */
async function openExisting(idb: IDBFactory): Promise<IDBDatabase | null> {
  if (typeof idb.databases === "function") {
    try {
      const known = await idb.databases();
      if (!known.some((d) => d.name === READER_DB_NAME)) return null;
    } catch {
      // Fall through to open(), which also refuses to create it.
    }
  }
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = idb.open(READER_DB_NAME);
    } catch {
      resolve(null);
      return;
    }
    // An upgrade on a version-less open means the database did not exist: abort so that looking
    // does not create an empty version-1 database the rerun tool would then have to upgrade.
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
}

/**
 * All usable models in the reader's store, newest first.
 * @param idb the IndexedDB factory (`indexedDB` in a page or worker); null/undefined: none
 * @returns [] when IndexedDB, the database or the store is missing or unreadable
 */
export async function readStoredModels(idb: IDBFactory | null | undefined): Promise<StoredModel[]> {
  if (!idb) return [];
  const db = await openExisting(idb);
  if (!db) return [];
  try {
    if (!db.objectStoreNames.contains(READER_MODEL_STORE)) return [];
    const getAll = (store: string) =>
      new Promise<unknown[]>((resolve) => {
        if (!db.objectStoreNames.contains(store)) return resolve([]);
        try {
          const request = db.transaction(store, "readonly").objectStore(store).getAll();
          request.onsuccess = () => resolve(Array.isArray(request.result) ? request.result : []);
          request.onerror = () => resolve([]);
        } catch {
          resolve([]);
        }
      });
    const [values, records] = await Promise.all([getAll(READER_MODEL_STORE), getAll(READER_RUN_STORE)]);
    const recordOf = new Map(records.filter(isObject).map((r) => [r.runId, r] as const));
    return values
      .map(parseStoredModel)
      .filter((m): m is StoredModel => m !== null)
      .map((m) => (recordOf.has(m.runId) ? { ...m, record: recordOf.get(m.runId) } : m))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.runId.localeCompare(b.runId));
  } finally {
    db.close();
  }
}

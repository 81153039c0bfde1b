import { readFileSync } from "node:fs";
import { join } from "node:path";
// The IDB* globals idb needs (IDBRequest, IDBCursor, ...); each test gets its own empty factory below.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  closeRerunsDb,
  deleteRerun,
  getRerun,
  getRerunCurve,
  getRerunModel,
  listRerunModelIds,
  listReruns,
  listStoredModels,
  openRerunsDb,
  parseStoredModel,
  readStoredModel,
  RERUNS_DB_NAME,
  saveRerun,
  type StoredModel,
} from "../../../src/lib/storage/reruns-db.ts";
import { runRecordSchema, type RunRecord } from "../../../src/lib/study/schema.ts";
import { configFromRowId } from "../../../src/lib/study/study.ts";

const FIXTURE = runRecordSchema.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/runs/cnn-64-128-5-128.smoke.fixture-24.json"), "utf8")),
);
const modelJson = { format: "layers-model", modelTopology: { class_name: "Sequential" }, weightsManifest: [{ paths: ["weights.bin"], weights: [] }] };

/** A run record of `rowId` finished at `finishedAt`, with run id `<rowId>.smoke.<n>`. */
function run(rowId: string, finishedAt: string, n: number): RunRecord {
  return { ...FIXTURE, rowId, config: configFromRowId(rowId), runId: `${rowId}.smoke.${n}`, source: "reader", finishedAt };
}

/** A stored model of `record` whose weights are the float32 values `values`. */
function modelOf(record: RunRecord, values: number[]): StoredModel {
  return { runId: record.runId, rowId: record.rowId, createdAt: record.finishedAt, modelJson, weights: new Float32Array(values).buffer };
}

/** Runs `body` on a raw IndexedDB connection, outside the module (what other code may have written). */
function rawOpen(version: number | undefined, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? indexedDB.open(RERUNS_DB_NAME) : indexedDB.open(RERUNS_DB_NAME, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function rawPut(db: IDBDatabase, store: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, "readwrite");
    tx.objectStore(store).put(value);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

beforeEach(() => {
  // A fresh, empty IndexedDB for every test.
  Object.defineProperty(globalThis, "indexedDB", { value: new IDBFactory(), configurable: true, writable: true });
});
afterEach(() => closeRerunsDb());

describe("reruns-db", () => {
  it("keeps a run with its curve and model, and gives each back as stored", async () => {
    const record = run("cnn-32-64-3-64", "2026-11-24T10:00:00.000Z", 1);
    const curve = { runId: record.runId, batches: [{ x: 0.5, loss: 2.3, accuracy: 0.1 }] };
    await saveRerun(record, curve, modelOf(record, [1, 2, 3]));
    expect(await getRerun(record.runId)).toEqual(record);
    expect(await getRerunCurve(record.runId)).toEqual(curve);
    const model = (await getRerunModel(record.runId))!;
    expect(model).toMatchObject({ runId: record.runId, rowId: "cnn-32-64-3-64", createdAt: record.finishedAt, modelJson });
    expect(Array.from(new Float32Array(model.weights))).toEqual([1, 2, 3]);
    expect(await getRerunModel("nothing")).toBeUndefined();
  });

  it("lists the run ids that have a kept model, and only those", async () => {
    const withModel = run("cnn-32-64-3-64", "2026-12-04T10:00:00.000Z", 1);
    const without = run("cnn-32-64-3-32", "2026-12-04T11:00:00.000Z", 2);
    await saveRerun(withModel, undefined, modelOf(withModel, [1, 2]));
    await saveRerun(without);
    expect(await listRerunModelIds()).toEqual(new Set([withModel.runId]));
    await deleteRerun(withModel.runId);
    expect(await listRerunModelIds()).toEqual(new Set());
  });

  it("lists runs newest first", async () => {
    const old = run("cnn-32-64-3-64", "2026-11-20T10:00:00.000Z", 1);
    const mid = run("resnet-2x32", "2026-11-22T10:00:00.000Z", 2);
    const recent = run("cnn-32-64-3-128", "2026-11-24T10:00:00.000Z", 3);
    for (const r of [mid, recent, old]) await saveRerun(r);
    expect((await listReruns()).map((r) => r.runId)).toEqual([recent.runId, mid.runId, old.runId]);
  });

  it("saves all or nothing: a model that cannot be stored leaves no run behind", async () => {
    const record = run("cnn-32-64-3-64", "2026-11-24T10:00:00.000Z", 1);
    const broken = { ...modelOf(record, [1]), runId: undefined } as unknown as StoredModel;
    await expect(saveRerun(record, undefined, broken)).rejects.toThrow();
    expect(await listReruns()).toEqual([]);
  });

  it("deletes a run's record, model and curve together", async () => {
    const keep = run("cnn-32-64-3-64", "2026-11-24T10:00:00.000Z", 1);
    const drop = run("resnet-2x32", "2026-11-24T11:00:00.000Z", 2);
    for (const r of [keep, drop]) await saveRerun(r, { runId: r.runId, batches: [] }, modelOf(r, [1]));
    await deleteRerun(drop.runId);
    expect((await listReruns()).map((r) => r.runId)).toEqual([keep.runId]);
    expect(await getRerunModel(drop.runId)).toBeUndefined();
    expect(await getRerunCurve(drop.runId)).toBeUndefined();
    expect(await getRerunModel(keep.runId)).toBeDefined();
  });

  it("lists stored models newest first without their weights, skipping unusable entries", async () => {
    const a = run("cnn-32-64-3-64", "2026-11-20T10:00:00.000Z", 1);
    const b = run("resnet-2x32", "2026-11-24T10:00:00.000Z", 2);
    await saveRerun(a, undefined, modelOf(a, [1]));
    await saveRerun(b, undefined, modelOf(b, [2]));
    await saveRerun(run("cnn-32-64-3-32", "2026-11-25T10:00:00.000Z", 3)); // a run without a model
    const db = await openRerunsDb();
    // A model without its run record (e.g. written by hand) and one that is not a model at all.
    await db.put("models", { runId: "loose", rowId: "resnet-1x4", createdAt: "2026-11-22T10:00:00Z", modelJson, weights: new ArrayBuffer(4) });
    await db.put("models", { runId: "junk", rowId: "x", createdAt: "", modelJson: { weightsManifest: [] }, weights: new ArrayBuffer(4) });
    // With its run record, a model is listed with the run's protocol and test accuracy (for its label).
    const facts = { protocol: FIXTURE.protocol.name, testAccuracy: FIXTURE.metrics.test.accuracy };
    expect(facts.protocol).toBe("smoke");
    expect(await listStoredModels()).toEqual([
      { runId: b.runId, rowId: "resnet-2x32", createdAt: "2026-11-24T10:00:00.000Z", ...facts },
      { runId: "loose", rowId: "resnet-1x4", createdAt: "2026-11-22T10:00:00.000Z" },
      { runId: a.runId, rowId: "cnn-32-64-3-64", createdAt: "2026-11-20T10:00:00.000Z", ...facts },
    ]);
  });

  it("reads one model as files ready for modelFromFiles, with its run record", async () => {
    const record = run("cnn-32-64-3-64", "2026-11-24T10:00:00.000Z", 1);
    await saveRerun(record, undefined, modelOf(record, [0.5, -1]));
    const loaded = (await readStoredModel(record.runId))!;
    expect(loaded.files.modelJson).toEqual(modelJson);
    expect(loaded.files.weights).toBeInstanceOf(Uint8Array);
    expect(Array.from(new Float32Array(loaded.files.weights.slice().buffer))).toEqual([0.5, -1]);
    expect(runRecordSchema.parse(loaded.record)).toEqual(record);
    expect(await readStoredModel("missing")).toBeUndefined();
  });

  it("reads what the previous version of the site wrote by hand (same names, version 1)", async () => {
    const db = await rawOpen(1, (d) => {
      for (const name of ["runs", "models", "curves"]) d.createObjectStore(name, { keyPath: "runId" });
    });
    const bytes = new Uint8Array([9, 9, 1, 2, 3, 4]);
    await rawPut(db, "models", { runId: "old-run", rowId: "resnet-2x32", createdAt: 0, modelJson: JSON.stringify(modelJson), weights: bytes.subarray(2) });
    db.close();
    expect(await listStoredModels()).toEqual([{ runId: "old-run", rowId: "resnet-2x32", createdAt: "1970-01-01T00:00:00.000Z" }]);
    const loaded = (await readStoredModel("old-run"))!;
    expect(Array.from(loaded.files.weights)).toEqual([1, 2, 3, 4]);
    expect(loaded.record).toBeUndefined();
    expect((await openRerunsDb()).version).toBe(1);
  });

  it("adds missing stores to an existing database, keeping what it holds", async () => {
    const record = run("cnn-32-64-3-64", "2026-11-24T10:00:00.000Z", 1);
    const db = await rawOpen(3, (d) => d.createObjectStore("runs", { keyPath: "runId" }));
    await rawPut(db, "runs", record);
    db.close();
    const opened = await openRerunsDb();
    expect(opened.version).toBe(4);
    expect([...opened.objectStoreNames].sort()).toEqual(["curves", "models", "runs"]);
    expect(await listReruns()).toEqual([record]);
    await saveRerun(record, undefined, modelOf(record, [1]));
    expect(await listStoredModels()).toHaveLength(1);
  });

  it("steps aside when another connection upgrades the database, and reopens on the next call", async () => {
    const record = run("cnn-32-64-3-64", "2026-11-24T10:00:00.000Z", 1);
    await saveRerun(record);
    const before = await openRerunsDb();
    const other = await rawOpen(before.version + 1, (d) => d.createObjectStore("extra", { keyPath: "id" }));
    other.close();
    const after = await openRerunsDb();
    expect(after).not.toBe(before);
    expect(after.version).toBe(before.version + 1);
    expect(await listReruns()).toEqual([record]);
  });

  it("says plainly when there is no IndexedDB", async () => {
    delete (globalThis as { indexedDB?: unknown }).indexedDB;
    await expect(listReruns()).rejects.toThrow(/no IndexedDB \(private mode\?\): reruns cannot be kept/);
  });
});

describe("parseStoredModel", () => {
  it("reads the stored shape, with weights as bytes and an ISO time", () => {
    const weights = new Float32Array([1, 2]).buffer;
    const m = parseStoredModel({ runId: "r1", rowId: "cnn-32-64-3-64", createdAt: "2026-11-24T10:00:00Z", modelJson, weights });
    expect(m?.runId).toBe("r1");
    expect(m?.rowId).toBe("cnn-32-64-3-64");
    expect(m?.createdAt).toBe("2026-11-24T10:00:00.000Z");
    expect(m?.files.weights).toBeInstanceOf(Uint8Array);
    expect(m?.files.weights.byteLength).toBe(8);
  });

  it("accepts a typed-array view, a numeric time and model.json as a string", () => {
    const bytes = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2);
    const m = parseStoredModel({ runId: "r2", rowId: "resnet-3x64", createdAt: 0, modelJson: JSON.stringify(modelJson), weights: bytes });
    expect(Array.from(m!.files.weights)).toEqual([2, 3, 4, 5]);
    expect(m!.createdAt).toBe("1970-01-01T00:00:00.000Z");
    expect(m!.files.modelJson.weightsManifest).toEqual(modelJson.weightsManifest);
  });

  it("returns null for values that are not usable models", () => {
    const weights = new ArrayBuffer(4);
    expect(parseStoredModel(null)).toBeNull();
    expect(parseStoredModel({ rowId: "x", modelJson, weights })).toBeNull();
    expect(parseStoredModel({ runId: "r", rowId: "x", modelJson, weights: [1, 2] })).toBeNull();
    expect(parseStoredModel({ runId: "r", rowId: "x", modelJson: { weightsManifest: [] }, weights })).toBeNull();
    expect(parseStoredModel({ runId: "r", rowId: "x", modelJson: "{not json", weights })).toBeNull();
  });
});

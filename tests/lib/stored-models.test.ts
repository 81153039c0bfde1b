import { describe, expect, it } from "vitest";
import { parseStoredModel, readStoredModels } from "../../src/lib/stored-models.ts";

const modelJson = { modelTopology: { class_name: "Sequential" }, weightsManifest: [{ paths: ["weights.bin"], weights: [] }] };

describe("parseStoredModel", () => {
  it("reads the rerun tool's shape, with weights as bytes and an ISO time", () => {
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

describe("readStoredModels", () => {
  it("finds no models where there is no IndexedDB", async () => {
    expect(await readStoredModels(undefined)).toEqual([]);
  });

  it("does not create the database when it does not exist", async () => {
    const opened: string[] = [];
    const idb = {
      databases: async () => [{ name: "something-else", version: 1 }],
      open: (name: string) => {
        opened.push(name);
        throw new Error("must not be called");
      },
    } as unknown as IDBFactory;
    expect(await readStoredModels(idb)).toEqual([]);
    expect(opened).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { cnnGrid, configFromRowId, ORIGINAL_STUDY, PROTOCOL_PRESETS, resnetGrid, rowId } from "../../../src/lib/study/study.ts";
import { runRecordSchema } from "../../../src/lib/study/schema.ts";

describe("study", () => {
  it("has grids that are supersets of the published rows", () => {
    const cnnIds = cnnGrid().map(rowId);
    const resIds = resnetGrid().map(rowId);
    expect(cnnIds).toHaveLength(24);
    expect(resIds).toHaveLength(8);
    for (const row of ORIGINAL_STUDY.cnnTuning) expect(cnnIds).toContain(row.id);
    for (const row of ORIGINAL_STUDY.resnetTuning) expect(resIds).toContain(row.id);
  });
  it("gives every published row the id of its config", () => {
    for (const row of [...ORIGINAL_STUDY.cnnTuning, ...ORIGINAL_STUDY.resnetTuning]) expect(rowId(row.config)).toBe(row.id);
  });
  it("round-trips row ids and rejects malformed ones", () => {
    for (const c of [...cnnGrid(), ...resnetGrid()]) expect(configFromRowId(rowId(c))).toEqual(c);
    expect(() => configFromRowId("cnn-32-64")).toThrow(/Unknown row id/);
  });
  it("quotes the original numbers verbatim", () => {
    expect(ORIGINAL_STUDY.cnnTuning[0].valAccuracy).toBe(0.9201);
    expect(ORIGINAL_STUDY.bestModel.test).toEqual({ loss: 0.1954, accuracy: 0.9295, precision: 0.9308, recall: 0.9295, f1: 0.9298 });
  });
  it("keeps the smoke preset within 1,024 images and one epoch", () => {
    expect(PROTOCOL_PRESETS.smoke.trainImages).toBeLessThanOrEqual(1024);
    expect(PROTOCOL_PRESETS.smoke.epochs).toBe(1);
  });
  it("rejects a run record with a missing field", () => {
    const r = runRecordSchema.safeParse({ schemaVersion: 1, runId: "x" });
    expect(r.success).toBe(false);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LoadedRun } from "../../../src/lib/study/runs.ts";
import type { RunRecord } from "../../../src/lib/study/schema.ts";
import { buildTuningRows, hyperparameterValue } from "../../../src/lib/study/tuning-rows.ts";

const fixture = (name: string): LoadedRun => ({
  file: name,
  run: JSON.parse(readFileSync(new URL(`../../fixtures/runs/${name}`, import.meta.url), "utf8")) as RunRecord,
});

describe("buildTuningRows", () => {
  it("lists every grid configuration once, the original's ranks first", () => {
    const rows = buildTuningRows("cnn", []);
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.id)).size).toBe(24);
    expect(rows.slice(0, 3).map((r) => r.original?.rank)).toEqual([1, 2, 3]);
    expect(rows.slice(3).every((r) => !r.original && !r.reproduced)).toBe(true);
  });
  it("sets only a full-protocol run as reproduced, and a preliminary run apart", () => {
    const full = fixture("resnet-3x64.full.fixture-20.json");
    const quick = fixture("resnet-3x64.quick.fixture-21.json");
    const other = fixture("resnet-2x32.quick.fixture-22.json");
    const rows = buildTuningRows("resnet", [quick, other, full]);
    const best = rows.find((r) => r.id === "resnet-3x64")!;
    expect(best.reproduced).toMatchObject({ rank: 1, file: full.file });
    expect(best.preliminary).toBe(quick);
    const preliminary = rows.find((r) => r.id === "resnet-2x32")!;
    expect(preliminary.reproduced).toBeUndefined();
    expect(preliminary.preliminary).toBe(other);
  });
  it("puts unranked rows with a full-protocol run first, then rows with only a preliminary run, then the rest", () => {
    const cnnFull = fixture("cnn-32-64-3-64.full.fixture-23.json");
    const smoke = fixture("cnn-64-128-5-128.smoke.fixture-24.json");
    const a = fixture("resnet-2x32.quick.fixture-22.json");
    const rows = buildTuningRows("resnet", [a]);
    expect(rows.map((r) => r.id).slice(0, 4)).toEqual(["resnet-3x64", "resnet-4x64", "resnet-5x64", "resnet-2x32"]);
    expect(rows[3]).toMatchObject({ preliminary: a });
    const fullOff = { file: "x.json", run: { ...cnnFull.run, rowId: "cnn-32-64-5-32", config: { ...cnnFull.run.config, kernel: 5, dense: 32 } } };
    const smokeOff = { ...smoke, run: { ...smoke.run, metrics: { ...smoke.run.metrics, validation: { ...smoke.run.metrics.validation, accuracy: 0.999 } } } };
    const cnnRows = buildTuningRows("cnn", [smokeOff, fullOff]);
    expect(cnnRows.map((r) => r.id).slice(3, 5)).toEqual(["cnn-32-64-5-32", "cnn-64-128-5-128"]);
    expect(cnnRows[4].reproduced).toBeUndefined();
  });
  it("rejects a run of a configuration outside the grid", () => {
    const a = fixture("resnet-2x32.quick.fixture-22.json");
    const off = { ...a, run: { ...a.run, rowId: "resnet-9x16", config: { family: "resnet" as const, blocks: 9, filters: 16 } } };
    expect(() => buildTuningRows("resnet", [off])).toThrow(/not in the resnet grid/);
  });
  it("leaves ablation rows (-b<N>, -nopool) out of the table instead of refusing them", () => {
    const cnn = fixture("cnn-32-64-3-64.full.fixture-23.json");
    const res = fixture("resnet-3x64.full.fixture-20.json");
    const b32 = { ...cnn, file: "cnn-32-64-3-64-b32.custom.json", run: { ...cnn.run, rowId: "cnn-32-64-3-64-b32" } };
    const nopool = {
      ...res,
      file: "resnet-3x64-nopool.full.json",
      run: { ...res.run, rowId: "resnet-3x64-nopool", config: { family: "resnet" as const, blocks: 3, filters: 64, stemPool: false } },
    };
    const cnnRows = buildTuningRows("cnn", [b32]);
    expect(cnnRows).toHaveLength(24);
    expect(cnnRows.every((r) => !r.reproduced && !r.preliminary)).toBe(true);
    const resnetRows = buildTuningRows("resnet", [nopool]);
    expect(resnetRows.map((r) => r.id)).not.toContain("resnet-3x64-nopool");
    expect(resnetRows.find((r) => r.id === "resnet-3x64")!.reproduced).toBeUndefined();
  });
  it("reads hyper-parameters by key and rejects unknown keys", () => {
    const config = { family: "cnn" as const, conv1: 32, conv2: 64, kernel: 3, dense: 64 };
    expect(hyperparameterValue(config, "kernel")).toBe(3);
    expect(() => hyperparameterValue(config, "blocks")).toThrow(/no hyper-parameter "blocks"/);
  });
});

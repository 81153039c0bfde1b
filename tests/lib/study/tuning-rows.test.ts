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
    const rows = buildTuningRows("cnn", new Map());
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.id)).size).toBe(24);
    expect(rows.slice(0, 3).map((r) => r.original?.rank)).toEqual([1, 2, 3]);
    expect(rows.slice(3).every((r) => !r.original && !r.reproduced)).toBe(true);
  });
  it("puts reproduced unranked rows before unreproduced ones, best first", () => {
    const a = fixture("resnet-2x32.quick.fixture-22.json");
    const rows = buildTuningRows("resnet", new Map([[a.run.rowId, a]]));
    expect(rows.map((r) => r.id).slice(0, 4)).toEqual(["resnet-3x64", "resnet-4x64", "resnet-5x64", "resnet-2x32"]);
    expect(rows[3].reproduced).toMatchObject({ rank: 1, file: a.file });
  });
  it("rejects a run of a configuration outside the grid", () => {
    const a = fixture("resnet-2x32.quick.fixture-22.json");
    const off = { ...a, run: { ...a.run, rowId: "resnet-9x16", config: { family: "resnet" as const, blocks: 9, filters: 16 } } };
    expect(() => buildTuningRows("resnet", new Map([["resnet-9x16", off]]))).toThrow(/not in the resnet grid/);
  });
  it("reads hyper-parameters by key and rejects unknown keys", () => {
    const config = { family: "cnn" as const, conv1: 32, conv2: 64, kernel: 3, dense: 64 };
    expect(hyperparameterValue(config, "kernel")).toBe(3);
    expect(() => hyperparameterValue(config, "blocks")).toThrow(/no hyper-parameter "blocks"/);
  });
});

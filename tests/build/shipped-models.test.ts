import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findShippedModels } from "../../src/build/shipped-models.ts";
import type { LoadedRun } from "../../src/lib/study/runs.ts";
import type { RunRecord } from "../../src/lib/study/schema.ts";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/runs/resnet-2x32.quick.fixture-22.json", import.meta.url), "utf8")) as RunRecord;
const runWith = (file: string, modelPath: string | undefined, finishedAt: string): LoadedRun => ({
  file,
  run: { ...fixture, modelPath, finishedAt },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "models-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function publish(rowId: string): void {
  mkdirSync(join(dir, rowId), { recursive: true });
  writeFileSync(join(dir, rowId, "model.json"), "{}");
}

describe("findShippedModels", () => {
  it("lists only the models whose weights exist", () => {
    publish("resnet-3x64");
    expect(findShippedModels([], dir).map((m) => [m.rowId, m.label, m.modelPath])).toEqual([
      ["resnet-3x64", "Pretrained ResNet (resnet-3x64)", "data/models/resnet-3x64/model.json"],
    ]);
  });

  it("ships every ranked row of the original whose weights exist, CNNs first in rank order, and nothing else", () => {
    for (const id of ["resnet-4x64", "cnn-64-128-3-32", "cnn-32-64-3-64", "cnn-64-64-3-64"]) publish(id);
    expect(findShippedModels([], dir).map((m) => m.rowId)).toEqual(["cnn-32-64-3-64", "cnn-64-128-3-32", "resnet-4x64"]);
  });

  it("links the newest run record that names the weights, and none when no record does", () => {
    publish("cnn-32-64-3-64");
    publish("resnet-3x64");
    const runs = [
      runWith("cnn-old.json", "models/cnn-32-64-3-64/model.json", "2026-01-01T00:00:00Z"),
      runWith("cnn-new.json", "models/cnn-32-64-3-64/model.json", "2026-02-01T00:00:00Z"),
      runWith("resnet-unsaved.json", undefined, "2026-03-01T00:00:00Z"),
    ];
    expect(findShippedModels(runs, dir).map((m) => [m.rowId, m.runPath])).toEqual([
      ["cnn-32-64-3-64", "data/runs/cnn-new.json"],
      ["resnet-3x64", null],
    ]);
  });
});

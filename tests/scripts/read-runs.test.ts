import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";

let dir: string;
const fixture = new URL("../fixtures/runs/resnet-2x32.quick.fixture-22.json", import.meta.url);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "runs-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("readRuns", () => {
  it("treats a missing folder as no runs", () => {
    expect(readRuns(join(dir, "missing"))).toEqual([]);
  });
  it("loads every JSON file with its bare file name", () => {
    copyFileSync(fixture, join(dir, "b.json"));
    writeFileSync(join(dir, "notes.txt"), "ignored");
    expect(readRuns(dir).map((r) => [r.file, r.run.rowId])).toEqual([["b.json", "resnet-2x32"]]);
  });
  it("fails with the file's path and the field", () => {
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ schemaVersion: 1, runId: "x" }));
    expect(() => readRuns(dir)).toThrow(/Invalid run record .*bad\.json:\n\s+rowId: /);
  });
  it("fails with the file's path on malformed JSON", () => {
    writeFileSync(join(dir, "broken.json"), "{");
    expect(() => readRuns(dir)).toThrow(/Invalid run record .*broken\.json: not valid JSON/);
  });
});

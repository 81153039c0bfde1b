import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordNameProblem } from "../../scripts/lib/record-checks.ts";
import type { RunRecord } from "../../src/lib/study/schema.ts";

const root = mkdtempSync(join(tmpdir(), "validate-records-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fixturePath = new URL("../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url);
const fixture = JSON.parse(readFileSync(fixturePath, "utf8")) as RunRecord;

function validate(...args: string[]) {
  return spawnSync(process.execPath, ["scripts/validate-records.ts", ...args], { encoding: "utf8", timeout: 60_000 });
}

/** A folder `runs/` of the given records (name -> record or raw text), with `models/` beside it. */
function folder(name: string, records: Record<string, RunRecord | string>): string {
  const data = join(root, name);
  mkdirSync(join(data, "runs"), { recursive: true });
  for (const [file, value] of Object.entries(records)) writeFileSync(join(data, "runs", file), typeof value === "string" ? value : JSON.stringify(value));
  return data;
}

describe("validate-records", () => {
  it("names records for their row, preset and seed as reproduce does", () => {
    expect(recordNameProblem("cnn-32-64-3-64.full.json", fixture)).toBeNull();
    const seed2 = { ...fixture, protocol: { ...fixture.protocol, seed: 2 } };
    expect(recordNameProblem("cnn-32-64-3-64.full.seed-2.json", seed2)).toBeNull();
    expect(recordNameProblem("cnn-32-64-3-64.full.json", seed2)).toMatch(/expected cnn-32-64-3-64\.full\.seed-2\.json/);
    expect(recordNameProblem("cnn-32-64-3-32.full.json", fixture)).toMatch(/does not fit row cnn-32-64-3-64/);
    const b32 = { ...fixture, rowId: "cnn-32-64-3-64-b32", protocol: { ...fixture.protocol, name: "custom" as const, batchSize: 32 } };
    expect(recordNameProblem("cnn-32-64-3-64-b32.full.json", b32)).toBeNull();
    expect(recordNameProblem("cnn-32-64-3-64-b32.quick.json", fixture)).toMatch(/expected cnn-32-64-3-64\.full\.json/);
  });

  it("passes every published record", () => {
    const run = validate();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^(\d+) of \1 run record\(s\) valid$/m);
  });

  it("passes a good record with its weights, and fails a schema error, a wrong name or missing weights, naming each", () => {
    const withModel = { ...fixture, modelPath: "models/cnn-32-64-3-64/model.json" };
    const good = folder("good", { "cnn-32-64-3-64.full.json": withModel });
    mkdirSync(join(good, "models", "cnn-32-64-3-64"), { recursive: true });
    writeFileSync(join(good, "models", "cnn-32-64-3-64", "model.json"), "{}");
    writeFileSync(join(good, "models", "cnn-32-64-3-64", "weights.bin"), "");
    const ok = validate(join(good, "runs"), "--data-root", good);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/1 of 1 run record\(s\) valid/);

    const bad = folder("bad", {
      "cnn-32-64-3-64.full.json": withModel, // no weights in this folder
      "cnn-32-64-3-64.full.seed-2.json": fixture, // seed 1 under seed 2's name
      "cnn-32-64-3-64.quick.json": { ...fixture, metrics: { ...fixture.metrics, test: { ...fixture.metrics.test, accuracy: 1.5 } } },
      "broken.json": "{",
    });
    const run = validate(join(bad, "runs"), "--data-root", bad);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/0 of 4 run record\(s\) valid/);
    expect(run.stderr).toMatch(/INVALID .*cnn-32-64-3-64\.full\.json\n {2}modelPath models\/cnn-32-64-3-64\/model\.json: .* does not exist/);
    expect(run.stderr).toMatch(/INVALID .*seed-2\.json\n {2}file name .* \(expected cnn-32-64-3-64\.full\.json\)/);
    expect(run.stderr).toMatch(/INVALID .*quick\.json\n {2}Invalid run record .*\n\s+metrics\.test\.accuracy: Too big/);
    expect(run.stderr).toMatch(/INVALID .*broken\.json\n {2}Invalid run record .*not valid JSON/);
  });

  it("takes single files, and refuses a path that does not exist", () => {
    const one = join(root, "one");
    mkdirSync(one);
    copyFileSync(fixturePath, join(one, "cnn-32-64-3-64.full.json"));
    expect(validate(join(one, "cnn-32-64-3-64.full.json")).status).toBe(0);
    const missing = validate(join(root, "nothing-here"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nothing-here does not exist/);
  });
});

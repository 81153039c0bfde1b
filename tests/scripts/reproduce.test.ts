import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runRecordSchema } from "../../src/lib/study/schema.ts";
import { makeFakeFiles, makeServed } from "../helpers/fake-fashion-mnist.ts";

const root = mkdtempSync(join(tmpdir(), "reproduce-"));
const dataDir = join(root, "data");
const outDir = join(root, "runs");

function prepareFakeData(): void {
  const { manifest, served } = makeServed(makeFakeFiles(200, 50, 3));
  spawnSync("mkdir", ["-p", dataDir]);
  for (const [name, bytes] of served) writeFileSync(join(dataDir, name), bytes);
  writeFileSync(join(dataDir, "manifest.json"), JSON.stringify(manifest));
}

function reproduce(...args: string[]) {
  return spawnSync(process.execPath, ["scripts/reproduce.ts", ...args, "--data", dataDir, "--out", outDir], {
    encoding: "utf8",
    timeout: 120_000,
  });
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("npm run reproduce", () => {
  prepareFakeData();

  it("trains a row and writes a valid run record", () => {
    const run = reproduce("cnn-4-8-3-16", "--preset", "smoke");
    expect(run.stderr).not.toMatch(/reproduce:/);
    expect(run.status).toBe(0);
    const files = readdirSync(outDir);
    expect(files).toEqual(["cnn-4-8-3-16.smoke.json"]);
    const record = runRecordSchema.parse(JSON.parse(readFileSync(join(outDir, files[0]), "utf8")));
    expect(record.rowId).toBe("cnn-4-8-3-16");
    expect(record.source).toBe("pipeline");
    expect(record.environment.backend).toBe("wasm");
    expect(record.epochs).toHaveLength(1);
    expect(record.metrics.test.images).toBe(50);
    // Stratified: the same number of validation images from each of the 10 classes, the rest trains.
    expect(record.protocol.validationImages % 10).toBe(0);
    expect(record.metrics.train!.images + record.protocol.validationImages).toBe(200);
  });

  it("names a capped protocol custom", () => {
    const run = reproduce("resnet-1x4", "--preset", "quick", "--epochs", "1", "--no-train-metrics");
    expect(run.status).toBe(0);
    const record = runRecordSchema.parse(JSON.parse(readFileSync(join(outDir, "resnet-1x4.custom.json"), "utf8")));
    expect(record.protocol).toMatchObject({ name: "custom", epochs: 1 });
    expect(record.metrics.train).toBeUndefined();
  });

  it("rejects an unknown row id or option with a clear message", () => {
    const bad = reproduce("cnn-32");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Unknown row id "cnn-32"/);
    const badFlag = reproduce("cnn-4-8-3-16", "--epoch", "2");
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--epoch'/);
    expect(badFlag.stderr).toMatch(/Usage: npm run reproduce/);
  });

  it("says to run npm run data when the data is missing", () => {
    const run = spawnSync(process.execPath, ["scripts/reproduce.ts", "cnn-4-8-3-16", "--data", join(root, "none"), "--out", outDir], {
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/npm run data/);
  });
});

/**
 * The `runs` content collection of src/content.config.ts, through Astro's own content sync (what
 * `astro build` runs first) on a folder named by SITE_RUNS_DIR: valid records sync; a record with an
 * invalid field or invalid JSON stops it, naming the file and the field.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const FIXTURES = join(ROOT, "tests/fixtures/runs");
const root = mkdtempSync(join(tmpdir(), "runs-collection-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder of its own for one test (so the tests pass in any order), holding copies of these fixtures. */
function folderWith(...fixtures: string[]): string {
  const dir = mkdtempSync(join(root, "runs-"));
  for (const file of fixtures) copyFileSync(join(FIXTURES, file), join(dir, file));
  return dir;
}

function sync(dir: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["node_modules/astro/bin/astro.mjs", "sync"], {
    cwd: ROOT,
    env: { ...process.env, SITE_RUNS_DIR: dir, ASTRO_TELEMETRY_DISABLED: "1", NO_COLOR: "1", FORCE_COLOR: "0" },
    encoding: "utf8",
    timeout: 110_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe("the runs collection", () => {
  it("syncs a folder of valid run records", () => {
    const dir = folderWith("resnet-3x64.full.fixture-20.json", "resnet-2x32.quick.fixture-22.json");
    const { status, output } = sync(dir);
    expect(output).not.toMatch(/error/i);
    expect(status).toBe(0);
  });

  it("stops on a record with an invalid field, naming the file and the field", () => {
    const dir = folderWith("resnet-3x64.full.fixture-20.json");
    expect(sync(dir).status).toBe(0);
    const record = JSON.parse(readFileSync(join(FIXTURES, "resnet-3x64.full.fixture-20.json"), "utf8"));
    record.metrics.test.accuracy = 1.5;
    // Same file name as the record synced just before: the collection must read it again.
    writeFileSync(join(dir, "resnet-3x64.full.fixture-20.json"), JSON.stringify(record));
    const { status, output } = sync(dir);
    expect(status).not.toBe(0);
    expect(output).toMatch(/runs → resnet-3x64\.full\.fixture-20\.json data does not match collection schema/);
    expect(output).toMatch(/metrics\.test\.accuracy: Too big/);
  }, 240_000); // two syncs, each allowed 110 s

  it("stops on a file that is not JSON, naming it", () => {
    const dir = folderWith("resnet-3x64.full.fixture-20.json");
    writeFileSync(join(dir, "broken.json"), "{");
    const { status, output } = sync(dir);
    expect(status).not.toBe(0);
    expect(output).toMatch(/broken\.json failed to parse/);
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildPlan,
  childArguments,
  existingRecord,
  expandRowIds,
  forwardedOptions,
  modelFolderName,
  parseSeedList,
  planRuns,
  protocolDifference,
  recordFileName,
  rowProtocol,
} from "../../scripts/lib/reproduce-plan.ts";
import { createEstimator } from "../../scripts/lib/run-estimate.ts";
import { PROTOCOL_PRESETS } from "../../src/lib/study/study.ts";

const root = mkdtempSync(join(tmpdir(), "reproduce-plan-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("reproduce plan", () => {
  it("expands all, all-cnn and all-resnet without repeats", () => {
    expect(expandRowIds(["all"])).toHaveLength(32);
    expect(expandRowIds(["all-cnn", "cnn-32-64-3-64"])).toHaveLength(24);
    expect(expandRowIds(["resnet-3x64", "all-resnet"])[0]).toBe("resnet-3x64");
    expect(() => expandRowIds(["cnn-1"])).toThrow(/Unknown row id/);
  });

  it("expands ablation rows: all-ablations, -b<N> and -nopool ids, in canonical form", () => {
    expect(expandRowIds(["all-ablations"])).toEqual([
      "cnn-32-64-3-64-b32",
      "cnn-64-128-3-64-b32",
      "cnn-64-128-3-32-b32",
      "resnet-3x64-b32",
      "resnet-4x64-b32",
      "resnet-5x64-b32",
      "resnet-3x64-nopool",
    ]);
    expect(expandRowIds(["resnet-3x64-nopool", "cnn-32-64-3-64-b32"])).toEqual(["resnet-3x64-nopool", "cnn-32-64-3-64-b32"]);
    expect(() => expandRowIds(["cnn-32-64-3-64-nopool"])).toThrow(/Unknown row id/);
  });

  it("trains a -b<N> row at batch N under a custom protocol named for its preset's file, other rows as asked", () => {
    const full = PROTOCOL_PRESETS.full;
    expect(rowProtocol("cnn-32-64-3-64", full)).toBe(full);
    expect(rowProtocol("resnet-3x64-nopool", full)).toBe(full);
    expect(rowProtocol("cnn-32-64-3-64-b32", full)).toEqual({ ...full, batchSize: 32, name: "custom" });
    expect(rowProtocol("cnn-32-64-3-64-b64", full)).toBe(full);
    const [one, two] = planRuns(["cnn-32-64-3-64-b32"], [1, 2], full, "/out", "/ck");
    expect(one.protocol).toEqual({ ...full, batchSize: 32, name: "custom", seed: 1 });
    expect(one.recordPath).toBe("/out/cnn-32-64-3-64-b32.custom.json");
    expect(two.recordPath).toBe("/out/cnn-32-64-3-64-b32.custom.seed-2.json");
    expect(two.checkpointPath).toBe("/ck/cnn-32-64-3-64-b32.custom.seed-2");
    expect(planRuns(["cnn-32-64-3-64-b32"], [1], PROTOCOL_PRESETS.quick, "/out", "/ck")[0].recordPath).toBe("/out/cnn-32-64-3-64-b32.custom.json");
  });

  it("parses seed lists and rejects bad ones by name", () => {
    expect(parseSeedList("1,2,3")).toEqual([1, 2, 3]);
    expect(parseSeedList(" 7 , 0")).toEqual([7, 0]);
    expect(() => parseSeedList("1,,2")).toThrow(/--seeds takes non-negative integers/);
    expect(() => parseSeedList("1.5")).toThrow(/non-negative integers/);
    expect(() => parseSeedList("-1", "--seed")).toThrow(/^--seed takes/);
    expect(() => parseSeedList("2,2")).toThrow(/seed 2 twice/);
  });

  it("names records and model folders by seed, leaving the default seed's names as they were", () => {
    expect(recordFileName("cnn-32-64-3-64", "full", 1)).toBe("cnn-32-64-3-64.full.json");
    expect(recordFileName("cnn-32-64-3-64", "full", 2)).toBe("cnn-32-64-3-64.full.seed-2.json");
    expect(modelFolderName("resnet-3x64", 1)).toBe("resnet-3x64");
    expect(modelFolderName("resnet-3x64", 3)).toBe("resnet-3x64.seed-3");
  });

  it("plans one task per row and seed, with the seed in its protocol", () => {
    const tasks = planRuns(["cnn-32-64-3-64", "resnet-3x64"], [1, 2], PROTOCOL_PRESETS.full, "/runs", "/ckpt");
    expect(tasks.map((t) => t.label)).toEqual(["cnn-32-64-3-64 seed 1", "cnn-32-64-3-64 seed 2", "resnet-3x64 seed 1", "resnet-3x64 seed 2"]);
    expect(tasks[1]).toMatchObject({
      seed: 2,
      protocol: { name: "full", seed: 2 },
      recordPath: "/runs/cnn-32-64-3-64.full.seed-2.json",
      checkpointPath: "/ckpt/cnn-32-64-3-64.full.seed-2",
    });
    expect(planRuns(["resnet-3x64"], [1], PROTOCOL_PRESETS.quick, "/r", "/c")[0].label).toBe("resnet-3x64");
  });

  it("tells a recorded protocol from the requested one, allowing smaller image counts", () => {
    const full = PROTOCOL_PRESETS.full;
    expect(protocolDifference({ ...full, trainImages: 170 }, full)).toBeNull();
    expect(protocolDifference({ ...full, epochs: 3 }, full)).toBe("epochs 3 (asked 10)");
  });

  it("finds an existing record, one of another protocol, or an invalid file", () => {
    const [task] = planRuns(["cnn-32-64-3-64"], [1], PROTOCOL_PRESETS.full, root, join(root, "ckpt"));
    expect(existingRecord(task).kind).toBe("none");
    const fixture = new URL("../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url);
    writeFileSync(task.recordPath, readFixture(fixture));
    expect(existingRecord(task).kind).toBe("same");
    const [seed2] = planRuns(["cnn-32-64-3-64"], [2], PROTOCOL_PRESETS.full, root, join(root, "ckpt"));
    writeFileSync(seed2.recordPath, readFixture(fixture));
    expect(existingRecord(seed2)).toMatchObject({ kind: "different", difference: "seed 1 (asked 2)" });
    writeFileSync(task.recordPath, "{");
    expect(existingRecord(task).kind).toBe("invalid");
  });

  it("passes a child every option but the row ids, seeds and jobs", () => {
    const argv = ["all", "--seeds", "1,2", "--preset=quick", "--jobs", "3", "--out", "/o", "--save-model", "cnn-32-64-3-64", "--epochs", "2"];
    const forwarded = forwardedOptions(argv, ["seeds", "preset", "jobs", "out", "epochs"], ["seeds", "jobs"]);
    expect(forwarded).toEqual(["--preset=quick", "--out", "/o", "--save-model", "--epochs", "2"]);
    const [task] = planRuns(["resnet-2x32"], [2], PROTOCOL_PRESETS.quick, "/r", "/c");
    expect(childArguments(task, forwarded)).toEqual(["resnet-2x32", "--seeds", "2", "--jobs", "1", ...forwarded]);
  });
});

describe("reproduce --plan", () => {
  const fixture = readFixture(new URL("../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url));
  const fixturesDir = new URL("../fixtures/runs/", import.meta.url).pathname;
  const estimate = createEstimator([], { backend: "wasm", wasmThreads: 1, evaluateTrain: true });

  it("lists the runs whose record is missing, counts those that exist, and skips a record of another protocol", () => {
    const out = mkdtempSync(join(root, "plan-"));
    const tasks = planRuns(["cnn-32-64-3-64", "resnet-3x64-b32"], [1, 2], PROTOCOL_PRESETS.full, out, join(out, "ck"));
    writeFileSync(join(out, "cnn-32-64-3-64.full.json"), fixture); // seed 1: done
    writeFileSync(join(out, "cnn-32-64-3-64.full.seed-2.json"), fixture); // seed 1's record under seed 2's name
    const options = { preset: "full", protocol: PROTOCOL_PRESETS.full, seeds: [1, 2], force: false, forwarded: ["--save-model"], estimate };
    const plan = buildPlan(tasks, options);
    expect(plan).toMatchObject({ preset: "full", protocol: "full", seeds: [1, 2], planned: 4, existing: 1, unestimated: 0 });
    expect(plan.runs.map((r) => [r.row, r.seed, r.preset, r.record])).toEqual([
      ["resnet-3x64-b32", 1, "full", "resnet-3x64-b32.custom.json"],
      ["resnet-3x64-b32", 2, "full", "resnet-3x64-b32.custom.seed-2.json"],
    ]);
    expect(plan.runs[1].args).toEqual(["resnet-3x64-b32", "--seeds", "2", "--save-model"]);
    expect(plan.skipped).toEqual([
      {
        row: "cnn-32-64-3-64",
        seed: 2,
        record: "cnn-32-64-3-64.full.seed-2.json",
        reason: "exists with another protocol (seed 1 (asked 2)); --force replaces it",
      },
    ]);
    expect(plan.estimatedMinutes).toBeCloseTo(plan.runs[0].estimate.minutes! + plan.runs[1].estimate.minutes!, 5);

    const forced = buildPlan(tasks, { ...options, force: true });
    expect(forced.runs).toHaveLength(4);
    expect(forced).toMatchObject({ existing: 1, skipped: [] });

    writeFileSync(join(out, "resnet-3x64-b32.custom.json"), "{");
    expect(() => buildPlan(tasks, options)).toThrow(/resnet-3x64-b32\.custom\.json: .*JSON[\s\S]*--force to overwrite/);
    expect(buildPlan(tasks, { ...options, force: true }).runs).toHaveLength(4);
  });

  /** `npm run reproduce -- ARGS --plan` with records in `out`, the published records read from the test fixtures. */
  function planCommand(out: string, ...args: string[]) {
    const run = spawnSync(process.execPath, ["scripts/reproduce.ts", ...args, "--plan", "--out", out, "--checkpoints", join(out, "ck")], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, SITE_RUNS_DIR: fixturesDir },
    });
    return { ...run, plan: run.status === 0 ? JSON.parse(run.stdout) : undefined };
  }

  it("prints only the plan as JSON, writes nothing, and leaves out runs recorded in --out", () => {
    const out = join(root, "plan-cli");
    mkdirSync(out);
    writeFileSync(join(out, "cnn-32-64-3-64.full.json"), fixture);
    const { status, stderr, plan } = planCommand(out, "cnn-32-64-3-64", "resnet-3x64", "--seeds", "1,2", "--wasm-threads", "64", "--save-model");
    expect(stderr).not.toMatch(/reproduce:/);
    expect(status).toBe(0);
    expect(readdirSync(out)).toEqual(["cnn-32-64-3-64.full.json"]); // no checkpoint folder, no record
    expect(plan).toMatchObject({ planned: 4, existing: 1, skipped: [] });
    expect(plan.runs.map((r: { row: string; seed: number }) => `${r.row}:${r.seed}`)).toEqual(["cnn-32-64-3-64:2", "resnet-3x64:1", "resnet-3x64:2"]);
    // A plan is for other machines: 64 threads are planned on this one, and passed on to each run.
    expect(plan.runs[1].args).toEqual(["resnet-3x64", "--seeds", "1", "--wasm-threads", "64", "--save-model", "--out", out, "--checkpoints", join(out, "ck")]);
    expect(plan.runs[1].estimate).toMatchObject({ backend: "wasm", wasmThreads: 64 });
    // The timing comes from the published records (here the fixtures) as well as --out's.
    expect(plan.runs[0].estimate.basis).toMatch(/^the fastest of 2 record\(s\) of cnn-32-64-3-64: /);
    expect(plan.runs[1].estimate.basis).toMatch(/^the fastest of 2 record\(s\) of resnet-3x64: resnet-3x64\.(full|quick)\.fixture-2[01]\.json/);
    expect(existsSync(join(out, "ck"))).toBe(false);
  });

  it("expands all-ablations, honours --preset and --force, and names the backend of the estimate", () => {
    const out = join(root, "plan-cli-2");
    mkdirSync(out);
    const quick = planCommand(out, "all-ablations", "--preset", "quick", "--backend", "webgpu").plan;
    expect(quick.runs).toHaveLength(7);
    expect(quick).toMatchObject({ preset: "quick", protocol: "quick", seeds: [1] });
    expect(quick.runs[0]).toMatchObject({ row: "cnn-32-64-3-64-b32", record: "cnn-32-64-3-64-b32.custom.json", preset: "quick" });
    expect(quick.runs[0].args).toEqual([
      "cnn-32-64-3-64-b32",
      "--seeds",
      "1",
      "--preset",
      "quick",
      "--backend",
      "webgpu",
      "--out",
      out,
      "--checkpoints",
      join(out, "ck"),
    ]);
    expect(quick.runs[0].estimate).toMatchObject({ minutes: null, backend: "webgpu" });
    expect(quick.unestimated).toBe(7);
    writeFileSync(join(out, "cnn-32-64-3-64.full.json"), fixture);
    const all = planCommand(out, "all", "--seeds", "1,2,3").plan;
    expect(all).toMatchObject({ planned: 96, existing: 1, unestimated: 0 });
    expect(all.runs).toHaveLength(95);
    expect(planCommand(out, "cnn-32-64-3-64", "--force").plan.runs).toHaveLength(1);
  });

  it("refuses a bad command line as reproduce does", () => {
    const run = planCommand(join(root, "nowhere"), "cnn-1");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Unknown row id "cnn-1"/);
  });
});

function readFixture(url: URL): string {
  return readFileSync(url, "utf8");
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
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
      "cnn-32-64-3-64-b32", "cnn-64-128-3-64-b32", "cnn-64-128-3-32-b32",
      "resnet-3x64-b32", "resnet-4x64-b32", "resnet-5x64-b32", "resnet-3x64-nopool",
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
    expect(planRuns(["cnn-32-64-3-64-b32"], [1], PROTOCOL_PRESETS.quick, "/out", "/ck")[0].recordPath).toBe(
      "/out/cnn-32-64-3-64-b32.custom.json",
    );
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

function readFixture(url: URL): string {
  return readFileSync(url, "utf8");
}

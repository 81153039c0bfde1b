import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildRerunPageData, describeConfig } from "../../../src/lib/study/rerun-reference.ts";
import { ORIGINAL_STUDY, PROTOCOL_PRESETS } from "../../../src/lib/study/study.ts";
import { runRecordSchema, type RunRecord } from "../../../src/lib/study/schema.ts";

const dir = new URL("../../fixtures/runs/", import.meta.url);
const runs: RunRecord[] = readdirSync(dir)
  .sort()
  .map((f) => runRecordSchema.parse(JSON.parse(readFileSync(new URL(f, dir), "utf8"))));

describe("buildRerunPageData", () => {
  const data = buildRerunPageData(ORIGINAL_STUDY, runs);

  it("covers all 32 grid rows with a description, and the three presets", () => {
    expect(Object.keys(data.rows)).toHaveLength(32);
    expect(data.rows["resnet-2x32"].description).toBe("ResNet: 2 residual blocks of 32 filters");
    expect(data.presets).toEqual(PROTOCOL_PRESETS);
  });

  it("carries the original study's validation accuracy, and its test numbers for the best model", () => {
    expect(data.rows["cnn-32-64-3-64"].original).toEqual({ valAccuracy: 0.9201 });
    expect(data.rows["resnet-3x64"].original?.test?.accuracy).toBe(0.9295);
    expect(data.rows["cnn-32-64-3-32"].original).toBeUndefined();
  });

  it("picks our run as the tuning table does: a full-protocol run over a better quick one", () => {
    const reproduced = data.rows["resnet-3x64"].reproduced!;
    expect(reproduced.protocol).toBe("full");
    expect(reproduced.valAccuracy).toBeCloseTo(0.91967, 4);
    expect(data.rows["cnn-32-64-5-32"].reproduced).toBeUndefined();
  });

  it("ignores readers' runs", () => {
    const reader = { ...runs[0], source: "reader" as const, runId: "reader-run", metrics: { ...runs[0].metrics, validation: { ...runs[0].metrics.validation, accuracy: 0.99 } } };
    const withReader = buildRerunPageData(ORIGINAL_STUDY, [...runs, reader]);
    expect(withReader.rows[runs[0].rowId].reproduced?.runId).not.toBe("reader-run");
  });
});

describe("describeConfig", () => {
  it("names the CNN's layers and the ResNet's blocks", () => {
    expect(describeConfig({ family: "cnn", conv1: 32, conv2: 64, kernel: 3, dense: 64 })).toBe("CNN: 32 then 64 filters, 3×3 kernels, 64 dense units");
    expect(describeConfig({ family: "resnet", blocks: 1, filters: 64 })).toBe("ResNet: 1 residual block of 64 filters");
  });
});

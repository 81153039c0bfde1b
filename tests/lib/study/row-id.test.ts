import { describe, expect, it } from "vitest";
import { batchRowId, configFromRowId, isAblationRowId, parseRowId, rowId } from "../../../src/lib/study/row-id.ts";
import { runRecordSchema } from "../../../src/lib/study/schema.ts";
import { readFileSync } from "node:fs";

describe("row ids of ablation rows", () => {
  it("names a ResNet without the stem pool with -nopool, and a pooled one without a suffix", () => {
    expect(rowId({ family: "resnet", blocks: 3, filters: 64, stemPool: false })).toBe("resnet-3x64-nopool");
    expect(rowId({ family: "resnet", blocks: 3, filters: 64, stemPool: true })).toBe("resnet-3x64");
    expect(rowId({ family: "resnet", blocks: 3, filters: 64 })).toBe("resnet-3x64");
  });

  it("parses -nopool and -b<N> back, and leaves ordinary ids without a batch size", () => {
    expect(parseRowId("resnet-3x64-nopool")).toEqual({ config: { family: "resnet", blocks: 3, filters: 64, stemPool: false } });
    expect(parseRowId("cnn-32-64-3-64-b32")).toEqual({
      config: { family: "cnn", conv1: 32, conv2: 64, kernel: 3, dense: 64 },
      batchSize: 32,
    });
    expect(parseRowId("resnet-3x64-nopool-b32").batchSize).toBe(32);
    expect(parseRowId("cnn-32-64-3-64")).toEqual({ config: { family: "cnn", conv1: 32, conv2: 64, kernel: 3, dense: 64 } });
    expect(configFromRowId("cnn-64-128-3-32-b32")).toEqual({ family: "cnn", conv1: 64, conv2: 128, kernel: 3, dense: 32 });
    expect(batchRowId(configFromRowId("resnet-4x64"), 32)).toBe("resnet-4x64-b32");
  });

  it("tells ablation rows from grid rows, and from ids that are not row ids", () => {
    expect(["cnn-32-64-3-64-b32", "resnet-3x64-nopool", "resnet-3x64-b32", "resnet-3x64-nopool-b16"].map(isAblationRowId)).toEqual([true, true, true, true]);
    expect(["cnn-32-64-3-64", "resnet-3x64", "cnn-32-64-3-64-nopool", "mlp-1"].map(isAblationRowId)).toEqual([false, false, false, false]);
  });

  it("rejects -nopool on a CNN, a batch size of 0 and unknown suffixes, naming the grammar", () => {
    expect(() => parseRowId("cnn-32-64-3-64-nopool")).toThrow(/Unknown row id "cnn-32-64-3-64-nopool".*-b<batch size>/);
    expect(() => parseRowId("cnn-32-64-3-64-b0")).toThrow(/batch size after -b must be positive/);
    expect(() => parseRowId("resnet-3x64-b")).toThrow(/Unknown row id/);
  });
});

describe("runRecordSchema's row id check", () => {
  const base = JSON.parse(readFileSync(new URL("../../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url), "utf8"));

  it("accepts <row>-b<N> only when the protocol's batch size is N", () => {
    const at32 = { ...base, rowId: "cnn-32-64-3-64-b32", protocol: { ...base.protocol, name: "custom", batchSize: 32 } };
    expect(runRecordSchema.safeParse(at32).success).toBe(true);
    const mismatch = { ...at32, protocol: { ...at32.protocol, batchSize: 64 } };
    const result = runRecordSchema.safeParse(mismatch);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/"cnn-32-64-3-64-b32" does not match config \(expected "cnn-32-64-3-64"\)/);
  });
});

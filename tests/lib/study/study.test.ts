import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cnnGrid, configFromRowId, ORIGINAL_STUDY, PROTOCOL_PRESETS, resnetGrid, rowId } from "../../../src/lib/study/study.ts";
import { runRecordSchema, type HeadlineMetrics } from "../../../src/lib/study/schema.ts";
import { ORIGINAL_README_PATH } from "../../../src/lib/site.ts";
import { parseMarkdownTables, percentToFraction, type MarkdownTable } from "../../helpers/markdown-tables.ts";

describe("study", () => {
  it("has grids that are supersets of the published rows", () => {
    const cnnIds = cnnGrid().map(rowId);
    const resIds = resnetGrid().map(rowId);
    expect(cnnIds).toHaveLength(24);
    expect(resIds).toHaveLength(8);
    for (const row of ORIGINAL_STUDY.cnnTuning) expect(cnnIds).toContain(row.id);
    for (const row of ORIGINAL_STUDY.resnetTuning) expect(resIds).toContain(row.id);
  });
  it("gives every published row the id of its config", () => {
    for (const row of [...ORIGINAL_STUDY.cnnTuning, ...ORIGINAL_STUDY.resnetTuning]) expect(rowId(row.config)).toBe(row.id);
  });
  it("round-trips row ids and rejects malformed ones", () => {
    for (const c of [...cnnGrid(), ...resnetGrid()]) expect(configFromRowId(rowId(c))).toEqual(c);
    expect(() => configFromRowId("cnn-32-64")).toThrow(/Unknown row id/);
  });
  it("keeps the smoke preset within 1,024 images and one epoch", () => {
    expect(PROTOCOL_PRESETS.smoke.trainImages).toBeLessThanOrEqual(1024);
    expect(PROTOCOL_PRESETS.smoke.epochs).toBe(1);
  });
  it("rejects a run record with a missing field", () => {
    const r = runRecordSchema.safeParse({ schemaVersion: 1, runId: "x" });
    expect(r.success).toBe(false);
  });
});

describe("ORIGINAL_STUDY against the committed README (" + ORIGINAL_README_PATH + ")", () => {
  const readme = readFileSync(new URL(`../../../${ORIGINAL_README_PATH}`, import.meta.url), "utf8");
  const tables = parseMarkdownTables(readme);
  /** The one table under a heading, as objects keyed by column head. */
  const table = (heading: string): Record<string, string>[] => {
    const found = tables.filter((t: MarkdownTable) => t.heading === heading);
    expect(found, `tables under "${heading}"`).toHaveLength(1);
    return found[0].rows.map((row) => Object.fromEntries(found[0].columns.map((c, i) => [c, row[i]])));
  };
  const metricsOf = (heading: string): HeadlineMetrics => {
    const [row] = table(heading);
    return {
      loss: Number(row["Loss"]),
      accuracy: percentToFraction(row["Accuracy"]),
      precision: percentToFraction(row["Precision"]),
      recall: percentToFraction(row["Recall"]),
      f1: percentToFraction(row["F1 Score"]),
    };
  };

  it("cites the committed README as its source", () => {
    expect(ORIGINAL_STUDY.source).toContain(ORIGINAL_README_PATH);
  });
  it("has the CNN tuning table's rows, configurations and accuracies", () => {
    const expected = table("CNN Model Tuning Results").map((r) => {
      const config = {
        family: "cnn" as const,
        conv1: Number(r["Convolution 1 Filters"]),
        conv2: Number(r["Convolution 2 Filters"]),
        kernel: Number(r["Filter Size"]),
        dense: Number(r["Dense Layer"]),
      };
      return { id: rowId(config), rank: Number(r["Rank"]), config, valAccuracy: percentToFraction(r["Validation Accuracy"]) };
    });
    expect(expected).toHaveLength(3);
    expect(ORIGINAL_STUDY.cnnTuning).toEqual(expected);
  });
  it("has the ResNet tuning table's rows, configurations and accuracies", () => {
    const expected = table("ResNet-Inspired Model Tuning Results").map((r) => {
      const config = { family: "resnet" as const, blocks: Number(r["Residual Blocks"]), filters: Number(r["Filters"]) };
      return { id: rowId(config), rank: Number(r["Rank"]), config, valAccuracy: percentToFraction(r["Validation Accuracy"]) };
    });
    expect(expected).toHaveLength(3);
    expect(ORIGINAL_STUDY.resnetTuning).toEqual(expected);
  });
  it("has the best model's configuration and tuning accuracy", () => {
    const [r] = table("Best Model");
    const config = { family: "resnet" as const, blocks: Number(r["Residual Blocks"]), filters: Number(r["Filters"]) };
    const { id, config: actual, valAccuracy } = ORIGINAL_STUDY.bestModel;
    expect({ id, config: actual, valAccuracy }).toEqual({
      id: rowId(config),
      config,
      valAccuracy: percentToFraction(r["Validation Accuracy"]),
    });
  });
  it("has the best model's test, validation and training rows", () => {
    expect(ORIGINAL_STUDY.bestModel.test).toEqual(metricsOf("Test Set"));
    expect(ORIGINAL_STUDY.bestModel.validation).toEqual(metricsOf("Validation Set"));
    expect(ORIGINAL_STUDY.bestModel.train).toEqual(metricsOf("Training Set"));
  });
  it("reads percentages digit by digit and rejects other text", () => {
    expect(percentToFraction("92.01%")).toBe(0.9201);
    expect(percentToFraction("94.40%")).toBe(0.944);
    expect(() => percentToFraction("92.01")).toThrow(/Not a percentage/);
  });
  it("reads pipe tables under their headings and rejects ragged rows", () => {
    const [t] = parseMarkdownTables("## A\n\n| x | y |\n|---|:-:|\n| 1 | 2 |\n");
    expect(t).toEqual({ heading: "A", columns: ["x", "y"], rows: [["1", "2"]] });
    expect(() => parseMarkdownTables("# B\n| x | y |\n|---|---|\n| 1 |\n")).toThrow(/1 cells, expected 2/);
  });
});

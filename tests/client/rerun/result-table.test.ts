import { describe, expect, it } from "vitest";
import { comparisonRows, resultCaption, resultNote } from "../../../src/client/rerun/result-table.ts";
import type { RowReference } from "../../../src/lib/study/rerun-reference.ts";
import type { RunRecord } from "../../../src/lib/study/schema.ts";
import { PROTOCOL_PRESETS } from "../../../src/lib/study/study.ts";

const metrics = (accuracy: number, loss: number, f1: number) => ({ accuracy, loss, f1, precision: accuracy, recall: accuracy, images: 1000 });
const record = (preset: "full" | "smoke") =>
  ({
    runId: `cnn-32-64-3-64.${preset}.x`,
    rowId: "cnn-32-64-3-64",
    protocol: PROTOCOL_PRESETS[preset],
    environment: { runtime: "browser", backend: "wasm" },
    wallTimeSeconds: 185,
    bestEpoch: 1,
    epochs: [{ epoch: 1 }, { epoch: 2 }],
    metrics: { validation: metrics(0.8512, 0.41, 0.85), test: metrics(0.8433, 0.43219, 0.8401) },
  }) as unknown as RunRecord;

const reference: RowReference = {
  rowId: "cnn-32-64-3-64",
  description: "CNN",
  original: { valAccuracy: 0.9201, test: metrics(0.9187, 0.2412, 0.9185) },
  reproduced: { runId: "r", protocol: "full", backend: "wasm", valAccuracy: 0.915, testAccuracy: 0.9102, testLoss: 0.25, testF1: 0.91 },
  byPreset: {
    full: { runId: "r", protocol: "full", backend: "wasm", valAccuracy: 0.915, testAccuracy: 0.9102, testLoss: 0.25, testF1: 0.91 },
    smoke: { runId: "s", protocol: "smoke", backend: "wasm", valAccuracy: 0.6012, testAccuracy: 0.5987, testLoss: 1.1, testF1: 0.59 },
  },
};
const presets = PROTOCOL_PRESETS;

describe("rerun result table", () => {
  it("puts the reader's numbers beside ours of the same preset and the original study's, with data-result on the reader's cells", () => {
    expect(comparisonRows(record("smoke"), reference, presets)).toEqual([
      { label: "Validation accuracy", mine: "85.12%", ours: "60.12%", theirs: "92.01%", result: "val-accuracy" },
      { label: "Test accuracy", mine: "84.33%", ours: "59.87%", theirs: "91.87%", result: "test-accuracy" },
      { label: "Test loss", mine: "0.4322", ours: "1.1000", theirs: "0.2412", result: "test-loss" },
      { label: "Test F1 (weighted)", mine: "84.01%", ours: "59.00%", theirs: "91.85%" },
    ]);
    expect(comparisonRows(record("full"), reference, presets)[0].ours).toBe("91.50%");
  });

  it("says what is missing when the row was never reproduced or published", () => {
    const rows = comparisonRows(record("smoke"), { rowId: "cnn-32-64-3-64", description: "CNN" }, presets);
    expect(rows.map((r) => [r.ours, r.theirs])).toEqual([
      ["no smoke record", "not published"],
      ["—", "—"],
      ["—", "—"],
      ["—", "—"],
    ]);
  });

  it("captions the run with its preset and backend", () => {
    expect(resultCaption(record("smoke"))).toBe(
      "cnn-32-64-3-64: your rerun (Smoke, wasm) beside ours (this site's pipeline, same protocol) and the original study",
    );
  });

  it("notes the protocol compared, the training time in the site's duration format, and the kept epoch", () => {
    expect(resultNote(record("smoke"), reference, presets)).toMatch(
      /^Same protocol as ours \(smoke: .*\): differences .* A smoke run is shorter than the full protocol, so expect lower numbers than the original study's\. Trained in 3 min 5 s; kept epoch 1 of 2\. Saved in this browser \(Your reruns\)\.$/,
    );
    expect(resultNote(record("smoke"), { rowId: "cnn-32-64-3-64", description: "CNN" }, presets)).toMatch(
      /^This site has no published smoke-protocol record of this row/,
    );
    expect(resultNote(record("full"), reference, presets)).toMatch(
      /^Same protocol as ours \(full: .*\): differences come from the backend's arithmetic and the browser\. Trained in 3 min 5 s;/,
    );
  });
});

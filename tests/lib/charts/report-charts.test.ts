import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderChart } from "../../../src/build/render-svg.ts";
import {
  accuracyByHyperparameterChart,
  confusionCells,
  confusionMatrixChart,
  hyperparameterPoints,
  learningCurveChart,
  learningCurvePoints,
  perClassChart,
  perClassPoints,
} from "../../../src/lib/charts/report-charts.ts";
import { parseRunRecord, type LoadedRun } from "../../../src/lib/study/runs.ts";
import type { EpochRecord } from "../../../src/lib/study/schema.ts";
import { PROVENANCE_SHORT } from "../../../src/lib/site.ts";
import { buildTuningRows, HYPERPARAMETERS } from "../../../src/lib/study/tuning-rows.ts";

const fixtures = new URL("../../fixtures/runs/", import.meta.url);
const fixtureRuns: LoadedRun[] = readdirSync(fixtures)
  .sort()
  .map((file) => ({ file, run: parseRunRecord(JSON.parse(readFileSync(new URL(file, fixtures), "utf8")), file) }));

/** Plot writes coordinates with full float precision; round them so snapshots survive float noise. */
function rounded(markup: string): string {
  return markup.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100));
}

const epochs: EpochRecord[] = [
  { epoch: 1, loss: 0.61, accuracy: 0.78, valLoss: 0.45, valAccuracy: 0.84, seconds: 40, imagesPerSecond: 1300 },
  { epoch: 2, loss: 0.38, accuracy: 0.86, valLoss: 0.36, valAccuracy: 0.87, seconds: 41, imagesPerSecond: 1310 },
  { epoch: 3, loss: 0.31, accuracy: 0.89, valLoss: 0.33, valAccuracy: 0.88, seconds: 39, imagesPerSecond: 1290 },
  { epoch: 4, loss: 0.27, accuracy: 0.9, valLoss: 0.34, valAccuracy: 0.879, seconds: 40, imagesPerSecond: 1300 },
];
const classNames = ["Shirt", "Coat", "Bag"];
const matrix = [
  [80, 15, 5],
  [10, 88, 2],
  [0, 1, 99],
];

describe("chart snapshots", () => {
  it("plots CNN validation accuracy against conv1 with original, full-protocol and smoke-run points", async () => {
    const rows = buildTuningRows("cnn", fixtureRuns);
    const svg = renderChart(accuracyByHyperparameterChart(rows, HYPERPARAMETERS.cnn[0]));
    await expect(rounded(svg)).toMatchFileSnapshot("__snapshots__/accuracy-cnn-conv1.html");
  });
  it("plots ResNet validation accuracy against blocks from the original study alone", async () => {
    const rows = buildTuningRows("resnet", []);
    const svg = renderChart(accuracyByHyperparameterChart(rows, HYPERPARAMETERS.resnet[0]));
    await expect(rounded(svg)).toMatchFileSnapshot("__snapshots__/accuracy-resnet-blocks.html");
  });
  it("plots accuracy learning curves with the kept epoch", async () => {
    await expect(rounded(renderChart(learningCurveChart(epochs, "accuracy", 3)))).toMatchFileSnapshot("__snapshots__/learning-curve-accuracy.html");
  });
  it("plots loss learning curves", async () => {
    await expect(rounded(renderChart(learningCurveChart(epochs, "loss", 3)))).toMatchFileSnapshot("__snapshots__/learning-curve-loss.html");
  });
  it("plots a confusion matrix heat map", async () => {
    await expect(rounded(renderChart(confusionMatrixChart(matrix, classNames)))).toMatchFileSnapshot("__snapshots__/confusion-matrix.html");
  });
  it("plots per-class precision, recall and F1", async () => {
    const perClass = [
      { precision: 0.889, recall: 0.8, f1: 0.842 },
      { precision: 0.846, recall: 0.88, f1: 0.863 },
      { precision: 0.943, recall: 0.99, f1: 0.966 },
    ];
    await expect(rounded(renderChart(perClassChart(perClass, classNames)))).toMatchFileSnapshot("__snapshots__/per-class.html");
  });
});

describe("chart data", () => {
  it("gives one point per published accuracy, full-protocol row and preliminary-run row", () => {
    const rows = buildTuningRows("cnn", fixtureRuns);
    const points = hyperparameterPoints(rows, HYPERPARAMETERS.cnn[2]);
    const full = rows.filter((r) => r.reproduced).length;
    const preliminary = rows.filter((r) => r.preliminary).length;
    expect([full, preliminary]).toEqual([1, 1]);
    expect(points).toHaveLength(3 + full + preliminary);
    expect(points.find((p) => p.id === "cnn-32-64-3-64" && p.source === "Original study")).toMatchObject({
      value: 3,
      accuracy: 92.01,
    });
  });
  it("never plots a preliminary run as reproduced: its own symbol and a legend entry naming its protocol", () => {
    const rows = buildTuningRows("resnet", fixtureRuns);
    const points = hyperparameterPoints(rows, HYPERPARAMETERS.resnet[0]);
    const reproduced = points.filter((p) => p.source === PROVENANCE_SHORT.reproduced);
    expect(reproduced.map((p) => p.id)).toEqual(["resnet-3x64"]);
    expect(reproduced.every((p) => p.kind === "reproduced")).toBe(true);
    const quick = points.filter((p) => p.kind === "quick");
    expect(quick.map((p) => p.id).sort()).toEqual(["resnet-2x32", "resnet-3x64"]);
    expect(new Set(quick.map((p) => p.source))).toEqual(new Set(["Quick run (5,400 training images, 3 epochs)"]));
    const options = accuracyByHyperparameterChart(rows, HYPERPARAMETERS.resnet[0]);
    expect(options.symbol).toMatchObject({
      domain: ["Original study", "Reproduced (full protocol)", "Quick run (5,400 training images, 3 epochs)"],
      range: ["diamond2", "circle", "triangle2"],
      legend: true,
    });
    const svg = renderChart(options);
    expect(svg).toContain("Quick run (5,400 training images, 3 epochs)");
  });
  it("normalises confusion cells by the true class", () => {
    const cells = confusionCells(matrix, classNames);
    expect(cells).toHaveLength(9);
    expect(cells.find((c) => c.actual === "Shirt" && c.predicted === "Coat")?.share).toBeCloseTo(0.15);
    expect(cells.filter((c) => c.actual === "Coat").reduce((s, c) => s + c.share, 0)).toBeCloseTo(1);
  });
  it("writes a cell's count in its tooltip with a thousands separator", () => {
    const svg = renderChart(
      confusionMatrixChart(
        [
          [1200, 3],
          [4, 990],
        ],
        ["Shirt", "Coat"],
      ),
    );
    expect(svg).toContain("True Shirt, predicted Shirt: 1,200 (");
  });
  it("rejects a confusion matrix that does not match the class names", () => {
    expect(() =>
      confusionCells(
        [
          [1, 2],
          [3, 4],
        ],
        classNames,
      ),
    ).toThrow(/3x3/);
  });
  it("leaves out validation points of epochs without validation", () => {
    const noVal: EpochRecord[] = epochs.map(({ valLoss: _l, valAccuracy: _a, ...e }) => e);
    expect(learningCurvePoints(noVal, "loss").every((p) => p.split === "Training")).toBe(true);
    expect(learningCurvePoints(epochs, "accuracy")).toHaveLength(8);
  });
  it("rejects per-class scores that do not match the class names", () => {
    expect(() => perClassPoints([{ precision: 1, recall: 1, f1: 1 }], classNames)).toThrow(/3 classes/);
  });
});

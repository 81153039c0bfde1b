/**
 * Chart specifications: pure functions from study data to Observable Plot options. Only the build
 * (static SVG, see src/build/render-svg.ts) and client code call `Plot.plot` on them.
 * Accuracies are plotted as percentages (0-100), like the tables print them.
 */
import * as Plot from "@observablehq/plot";
import type { EpochRecord } from "../study/schema.ts";
import { hyperparameterValue, type Hyperparameter, type TuningRow } from "../study/tuning-rows.ts";
import { formatAsPercent, formatCount, formatLoss, formatPercent } from "../format.ts";
import { PROVENANCE_SHORT, protocolRunLabel } from "../site.ts";
import { CHART_FONT_SIZE, CHART_MAX_WIDTH } from "./chart-style.ts";

/** Class name of every chart's `<svg>`, so the site stylesheet can theme them (light and dark). */
export const CHART_CLASS = "chart";

export { CHART_FONT_SIZE, CHART_MAX_WIDTH } from "./chart-style.ts";
/** `style` option of every chart: the font size of {@link CHART_FONT_SIZE}. */
const CHART_STYLE = { fontSize: `${CHART_FONT_SIZE}px` };

/**
 * Colours of each provenance; mid tones that read on both the light and the dark background.
 * Preliminary runs (quick, smoke) are grey: never the reproduced blue.
 */
export const PROVENANCE_COLORS = { original: "#d9730d", reproduced: "#2f7fd6", preliminary: "#8a8f98" } as const;

/** Chart symbol of each kind of point: the original's diamonds, full-protocol circles, and one symbol per preliminary run's protocol. */
export const SOURCE_SYMBOLS = {
  original: "diamond2",
  reproduced: "circle",
  quick: "triangle2",
  smoke: "square2",
  custom: "times",
} as const satisfies Record<string, Plot.SymbolType>;

/** Colours of the training and validation series. */
export const SPLIT_COLORS = { Training: "#2f7fd6", Validation: "#d9730d" } as const;

/** Colours of precision, recall and F1. */
export const METRIC_COLORS = { Precision: "#2f7fd6", Recall: "#d9730d", F1: "#3a9a5b" } as const;

/** One plotted point of an accuracy-by-hyper-parameter chart. */
export interface HyperparameterPoint {
  id: string;
  value: number;
  /** Validation accuracy in percent, 0-100. */
  accuracy: number;
  /** Legend entry: "Original study", "Reproduced (full protocol)" or a preliminary run's protocol, e.g. "Quick run (5,400 training images, 3 epochs)". */
  source: string;
  /** What kind of point it is: the original's, a full-protocol run's, or a preliminary run's protocol name. */
  kind: keyof typeof SOURCE_SYMBOLS;
}

/**
 * The points of `accuracyByHyperparameterChart`: one per published accuracy, full-protocol run and
 * preliminary run. A preliminary run is never labelled reproduced: its legend entry names its protocol.
 * @returns original-study points first, then full-protocol ones, then preliminary runs
 */
export function hyperparameterPoints(rows: readonly TuningRow[], parameter: Hyperparameter): HyperparameterPoint[] {
  const points: HyperparameterPoint[] = [];
  const at = (row: TuningRow) => hyperparameterValue(row.config, parameter.key);
  for (const row of rows)
    if (row.original)
      points.push({
        id: row.id,
        value: at(row),
        accuracy: row.original.valAccuracy * 100,
        source: PROVENANCE_SHORT.original,
        kind: "original",
      });
  for (const row of rows)
    if (row.reproduced)
      points.push({
        id: row.id,
        value: at(row),
        // The seed mean where several full-protocol seeds exist, as the table shows.
        accuracy: (row.seeds?.validation.value ?? row.reproduced.run.metrics.validation.accuracy) * 100,
        source: PROVENANCE_SHORT.reproduced,
        kind: "reproduced",
      });
  for (const row of rows)
    if (row.preliminary) {
      const { protocol, metrics } = row.preliminary.run;
      points.push({
        id: row.id,
        value: at(row),
        accuracy: metrics.validation.accuracy * 100,
        source: protocolRunLabel(protocol),
        kind: protocol.name === "full" ? "custom" : protocol.name,
      });
    }
  return points;
}

/**
 * Validation accuracy (%) against one hyper-parameter: a dot per configuration, coloured and shaped
 * by provenance: the original study's diamonds, full-protocol circles, and a grey symbol per preliminary
 * protocol (quick triangles, smoke squares), each with a legend entry naming its protocol. The x
 * axis lists every grid value of the parameter.
 * @param rows the family's tuning rows (see `buildTuningRows`)
 * @param parameter which hyper-parameter goes on x
 */
export function accuracyByHyperparameterChart(rows: readonly TuningRow[], parameter: Hyperparameter): Plot.PlotOptions {
  const points = hyperparameterPoints(rows, parameter);
  const values = [...new Set(rows.map((row) => hyperparameterValue(row.config, parameter.key)))].sort((a, b) => a - b);
  const sources = [...new Set(points.map((p) => p.source))];
  const kindOf = new Map(points.map((p) => [p.source, p.kind]));
  // Each provenance nudged to its own side so that no point hides another's.
  const offsets = sources.length < 2 ? [0] : sources.map((_, i) => (i - (sources.length - 1) / 2) * (12 / (sources.length - 1)));
  return {
    className: CHART_CLASS,
    style: CHART_STYLE,
    width: 320,
    height: 260,
    marginLeft: 52,
    marginBottom: 42,
    ariaLabel: `Validation accuracy against ${parameter.label.toLowerCase()}`,
    x: { type: "point", domain: values, label: parameter.label, padding: 0.6 },
    y: { label: "Validation accuracy (%)", grid: true, nice: true, inset: 12 },
    color: { domain: sources, range: sources.map((s) => colorOfKind(kindOf.get(s)!)) },
    symbol: { domain: sources, range: sources.map((s) => SOURCE_SYMBOLS[kindOf.get(s)!]), legend: true },
    marks: [
      Plot.frame({ strokeOpacity: 0.15 }),
      ...sources.map((source, i) =>
        Plot.dot(
          points.filter((p) => p.source === source),
          {
            x: "value",
            y: "accuracy",
            stroke: "source",
            symbol: "source",
            r: 5,
            strokeWidth: 2,
            dx: offsets[i] ?? 0,
            title: (d: HyperparameterPoint) => `${d.id}: ${formatAsPercent(d.accuracy)} (${d.source})`,
          },
        ),
      ),
    ],
  };
}

function colorOfKind(kind: HyperparameterPoint["kind"]): string {
  return kind === "original" ? PROVENANCE_COLORS.original : kind === "reproduced" ? PROVENANCE_COLORS.reproduced : PROVENANCE_COLORS.preliminary;
}

/** The metric a learning curve shows. */
export type CurveMetric = "accuracy" | "loss";

/** One plotted point of a learning curve. */
export interface CurvePoint {
  epoch: number;
  split: "Training" | "Validation";
  /** Accuracy in percent (0-100) or cross-entropy loss. */
  value: number;
}

/** Long-format points of a learning curve: training for every epoch, validation where recorded. */
export function learningCurvePoints(epochs: readonly EpochRecord[], metric: CurveMetric): CurvePoint[] {
  const scale = metric === "accuracy" ? 100 : 1;
  const points: CurvePoint[] = [];
  for (const e of epochs) points.push({ epoch: e.epoch, split: "Training", value: e[metric] * scale });
  for (const e of epochs) {
    const v = metric === "accuracy" ? e.valAccuracy : e.valLoss;
    if (v !== undefined) points.push({ epoch: e.epoch, split: "Validation", value: v * scale });
  }
  return points;
}

/**
 * Training and validation accuracy (%) or loss per epoch, with a rule at the epoch whose weights
 * were kept.
 * @param epochs per-epoch records of one run (1-based `epoch`)
 * @param metric "accuracy" or "loss"
 * @param bestEpoch the kept epoch, marked with a vertical rule
 */
export function learningCurveChart(epochs: readonly EpochRecord[], metric: CurveMetric, bestEpoch?: number): Plot.PlotOptions {
  const points = learningCurvePoints(epochs, metric);
  const splits = [...new Set(points.map((p) => p.split))];
  const last = Math.max(2, ...epochs.map((e) => e.epoch));
  return {
    className: CHART_CLASS,
    style: CHART_STYLE,
    width: CHART_MAX_WIDTH,
    height: 270,
    marginLeft: 56,
    marginBottom: 36,
    ariaLabel: `${metric === "accuracy" ? "Accuracy" : "Loss"} per epoch, training and validation`,
    x: { label: "Epoch", domain: [1, last], ticks: Math.min(last, 10), tickFormat: "d" },
    y: {
      label: metric === "accuracy" ? "Accuracy (%)" : "Cross-entropy loss",
      grid: true,
      nice: true,
    },
    color: { domain: splits, range: splits.map((s) => SPLIT_COLORS[s]), legend: true },
    marks: [
      Plot.frame({ strokeOpacity: 0.15 }),
      ...(bestEpoch !== undefined
        ? [
            Plot.ruleX([bestEpoch], { strokeDasharray: "4 3", strokeOpacity: 0.6 }),
            Plot.text([bestEpoch], {
              x: (d: number) => d,
              // Away from the curves: they end near the top of an accuracy chart and the bottom of a loss chart.
              frameAnchor: metric === "accuracy" ? "bottom" : "top",
              dy: metric === "accuracy" ? -4 : 4,
              // Label on the side with room: left of the rule when it is in the right half.
              dx: bestEpoch > (1 + last) / 2 ? -4 : 4,
              textAnchor: bestEpoch > (1 + last) / 2 ? "end" : "start",
              text: () => "kept",
            }),
          ]
        : []),
      Plot.line(points, { x: "epoch", y: "value", stroke: "split", strokeWidth: 2 }),
      Plot.dot(points, {
        x: "epoch",
        y: "value",
        fill: "split",
        r: 3,
        title: (d: CurvePoint) => `Epoch ${d.epoch}, ${d.split.toLowerCase()}: ${metric === "accuracy" ? formatAsPercent(d.value) : formatLoss(d.value)}`,
      }),
    ],
  };
}

/** One cell of a confusion matrix chart. */
export interface ConfusionCell {
  actual: string;
  predicted: string;
  count: number;
  /** count / row total, in [0, 1]: the share of the true class predicted as `predicted`. */
  share: number;
}

/**
 * The cells of a confusion matrix with row-normalised shares.
 * @param matrix matrix[true][predicted] counts, square, one row per class
 * @param classNames names by label, same length as the matrix
 * @throws Error when the matrix is not square or does not match the class names
 */
export function confusionCells(matrix: readonly (readonly number[])[], classNames: readonly string[]): ConfusionCell[] {
  if (matrix.length !== classNames.length || matrix.some((row) => row.length !== classNames.length))
    throw new Error(`Confusion matrix must be ${classNames.length}x${classNames.length}, got ${matrix.length}x${matrix[0]?.length ?? 0}`);
  const cells: ConfusionCell[] = [];
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => cells.push({ actual: classNames[i], predicted: classNames[j], count, share: total ? count / total : 0 }));
  });
  return cells;
}

/** Bin edges of the confusion matrix's colour scale (shares of the true class). */
export const SHARE_THRESHOLDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

/**
 * The confusion matrix as a heat map: rows are true classes, columns predicted classes, colour is
 * the share of the true class (row-normalised, binned at SHARE_THRESHOLDS), the number in each cell is the count.
 * @param matrix matrix[true][predicted] counts
 * @param classNames names by label
 */
export function confusionMatrixChart(matrix: readonly (readonly number[])[], classNames: readonly string[]): Plot.PlotOptions {
  const cells = confusionCells(matrix, classNames);
  return {
    className: CHART_CLASS,
    style: CHART_STYLE,
    width: CHART_MAX_WIDTH,
    height: 380,
    marginLeft: 84,
    marginBottom: 76,
    marginTop: 8,
    ariaLabel: "Confusion matrix of the test set",
    x: { domain: classNames, label: "Predicted class", tickRotate: -40 },
    y: { domain: classNames, label: "True class" },
    // Threshold bins rather than a continuous ramp: the ramp legend needs <canvas>, which the
    // build-time jsdom lacks, and bins make the small off-diagonal shares readable.
    color: {
      type: "threshold",
      scheme: "blues",
      domain: SHARE_THRESHOLDS,
      legend: true,
      label: "Share of the true class",
      tickFormat: "~%",
    },
    marks: [
      Plot.cell(cells, {
        x: "predicted",
        y: "actual",
        fill: "share",
        inset: 0.5,
        title: (d: ConfusionCell) => `True ${d.actual}, predicted ${d.predicted}: ${formatCount(d.count)} (${formatPercent(d.share, 1)} of ${d.actual})`,
      }),
      Plot.text(cells, {
        x: "predicted",
        y: "actual",
        text: (d: ConfusionCell) => (d.count ? String(d.count) : ""),
        fill: (d: ConfusionCell) => (d.share >= 0.2 ? "white" : "black"),
        fontSize: CHART_FONT_SIZE,
      }),
    ],
  };
}

/** Precision, recall and F1 of one class, as fractions. */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

/** One plotted point of a per-class chart. */
export interface ClassScorePoint {
  className: string;
  metric: keyof typeof METRIC_COLORS;
  /** Percent, 0-100. */
  value: number;
}

/** Long-format points of `perClassChart`. */
export function perClassPoints(perClass: readonly ClassScores[], classNames: readonly string[]): ClassScorePoint[] {
  if (perClass.length !== classNames.length) throw new Error(`Expected scores for ${classNames.length} classes, got ${perClass.length}`);
  return perClass.flatMap((s, i) => [
    { className: classNames[i], metric: "Precision" as const, value: s.precision * 100 },
    { className: classNames[i], metric: "Recall" as const, value: s.recall * 100 },
    { className: classNames[i], metric: "F1" as const, value: s.f1 * 100 },
  ]);
}

/**
 * Precision, recall and F1 (%) of each class: one row per class, a dot per metric, a rule spanning
 * the three so the spread shows.
 * @param perClass scores by label
 * @param classNames names by label
 */
export function perClassChart(perClass: readonly ClassScores[], classNames: readonly string[]): Plot.PlotOptions {
  const points = perClassPoints(perClass, classNames);
  const spans = classNames.map((name, i) => {
    const s = perClass[i];
    return { className: name, low: Math.min(s.precision, s.recall, s.f1) * 100, high: Math.max(s.precision, s.recall, s.f1) * 100 };
  });
  const metrics = Object.keys(METRIC_COLORS) as (keyof typeof METRIC_COLORS)[];
  return {
    className: CHART_CLASS,
    style: CHART_STYLE,
    width: CHART_MAX_WIDTH,
    height: 340,
    marginLeft: 84,
    ariaLabel: "Precision, recall and F1 of each class on the test set",
    x: { label: "Score (%)", grid: true, nice: true },
    y: { domain: classNames, label: null },
    color: { domain: metrics, range: metrics.map((m) => METRIC_COLORS[m]) },
    symbol: { domain: metrics, range: ["circle", "square", "triangle"], legend: true },
    marks: [
      Plot.ruleY(spans, { y: "className", x1: "low", x2: "high", strokeOpacity: 0.4 }),
      Plot.dot(points, {
        x: "value",
        y: "className",
        fill: "metric",
        symbol: "metric",
        r: 4,
        title: (d: ClassScorePoint) => `${d.className} ${d.metric.toLowerCase()}: ${formatAsPercent(d.value)}`,
      }),
    ],
  };
}

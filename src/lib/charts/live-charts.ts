/**
 * Live learning curves of a reader's rerun, as Observable Plot options: the training loss or
 * accuracy after every batch (the running mean over the epoch so far, as Keras prints it) and the
 * validation value after each epoch. The page redraws them with `Plot.plot` as progress arrives.
 * Accuracies are plotted as percentages (0-100), like the tables print them.
 */
import * as Plot from "@observablehq/plot";
import type { EpochRecord } from "../study/schema.ts";
import { CHART_FONT_SIZE, CHART_MAX_WIDTH } from "./chart-style.ts";
import { curveAxis, thinPoints, type BatchPoint } from "./curve-points.ts";

/** Colours of the training and validation series (the site's learning-curve colours). */
export const LIVE_SPLIT_COLORS = { Training: "#2f7fd6", Validation: "#d9730d" } as const;

/** A horizontal reference line, e.g. the original study's validation accuracy. */
export interface ReferenceLine {
  label: string;
  /** In the metric's unit: a fraction in [0, 1] for accuracy, a loss otherwise. */
  value: number;
}

/** Options of {@link liveCurveChart}. */
export interface LiveCurveOptions {
  /** Epochs the run will train (fixes the x domain so the curve grows into it). */
  epochs: number;
  /**
   * Batches per epoch, when known: a one-epoch run (smoke) is then drawn against the batch
   * number instead of squeezed between epochs 0 and 1 (see curveAxis).
   */
  batchesPerEpoch?: number;
  width?: number;
  height?: number;
  references?: readonly ReferenceLine[];
  /** Most training points drawn (default 300). */
  maxPoints?: number;
  /** Draw Plot's colour legend (default true); a live panel shows one static legend instead. */
  legend?: boolean;
}

interface SeriesPoint {
  x: number;
  value: number;
  split: keyof typeof LIVE_SPLIT_COLORS;
}

/**
 * Live loss or accuracy chart: the training curve per batch and the validation value per epoch.
 * @param metric "loss" (cross-entropy) or "accuracy" (plotted in %)
 * @param batches training points so far (see batchPointOf)
 * @param records finished epochs (their valLoss / valAccuracy give the validation points)
 */
export function liveCurveChart(
  metric: "loss" | "accuracy",
  batches: readonly BatchPoint[],
  records: readonly EpochRecord[],
  options: LiveCurveOptions,
): Plot.PlotOptions {
  const scale = (v: number) => (metric === "accuracy" ? v * 100 : v);
  const axis = curveAxis(options.epochs, options.batchesPerEpoch);
  const training: SeriesPoint[] = thinPoints(batches, options.maxPoints ?? 300).map((b) => ({
    x: b.x * axis.scale,
    value: scale(metric === "accuracy" ? b.accuracy : b.loss),
    split: "Training",
  }));
  const validation: SeriesPoint[] = records
    .filter((r) => (metric === "accuracy" ? r.valAccuracy : r.valLoss) !== undefined)
    .map((r) => ({ x: r.epoch * axis.scale, value: scale((metric === "accuracy" ? r.valAccuracy : r.valLoss)!), split: "Validation" }));
  const references = (options.references ?? []).map((r) => ({ ...r, value: scale(r.value) }));
  const epochs = Math.max(1, Math.round(options.epochs));
  const name = metric === "accuracy" ? "Accuracy" : "Loss";
  return {
    className: "chart",
    width: Math.min(options.width ?? 360, CHART_MAX_WIDTH),
    height: options.height ?? 220,
    marginLeft: 48,
    // Plot's default 10 px is below what a phone shows legibly; the panel's charts match the report's.
    style: { fontSize: `${CHART_FONT_SIZE}px` },
    ariaLabel: `${name} while training: training as the running mean of each epoch so far, validation after each epoch`,
    x: { label: axis.label, domain: axis.domain, ticks: axis.scale === 1 ? Math.min(epochs, 10) : Math.min(axis.domain[1], 8), tickFormat: "d" },
    y: {
      label: metric === "accuracy" ? "Accuracy (%)" : "Cross-entropy loss",
      grid: true,
      nice: true,
      ...(metric === "accuracy" ? { domain: [0, 100] } : { zero: true }),
    },
    color: { domain: ["Training", "Validation"], range: [LIVE_SPLIT_COLORS.Training, LIVE_SPLIT_COLORS.Validation], legend: options.legend ?? true },
    marks: [
      Plot.frame({ strokeOpacity: 0.15 }),
      Plot.ruleY(references, { y: "value", strokeDasharray: "4 3", strokeOpacity: 0.6 }),
      Plot.text(references, { y: "value", frameAnchor: "left", dx: 4, dy: -6, textAnchor: "start", text: "label", fontSize: CHART_FONT_SIZE - 1 }),
      Plot.line(training, { x: "x", y: "value", stroke: "split", strokeWidth: 1.5 }),
      Plot.line(validation, { x: "x", y: "value", stroke: "split", strokeWidth: 2 }),
      Plot.dot(validation, { x: "x", y: "value", fill: "split", r: 3.5 }),
    ],
  };
}

/**
 * The live learning curves drawn to markup off the main thread: Observable Plot renders the
 * options of live-charts.ts into a MiniDocument (src/workers/charts/mini-dom.ts) inside the chart worker,
 * and the page only inserts the two SVG strings. Plot's <style> elements are left out (the
 * panel's stylesheet carries their rules), so inserting a chart never restyles the page.
 */
import * as Plot from "@observablehq/plot";
import type { BatchPoint } from "../../lib/charts/curve-points.ts";
import { liveCurveChart, type ReferenceLine } from "../../lib/charts/live-charts.ts";
import { MiniDocument, type MiniElement } from "./mini-dom.ts";
import type { EpochRecord } from "../../lib/study/schema.ts";

/** What to draw: the run so far. */
export interface LiveChartRequest {
  batches: readonly BatchPoint[];
  epochs: readonly EpochRecord[];
  /** Epochs the run will train. */
  epochsTotal: number;
  /** Batches per epoch, once the first batch has reported it (a one-epoch run is then drawn by batch). */
  batchesPerEpoch?: number;
  /** Reference line on the accuracy chart (e.g. the original study's validation accuracy). */
  reference?: ReferenceLine;
  /** Chart size in px. */
  width: number;
  height: number;
  /** Most training points drawn. */
  maxPoints?: number;
}

/** SVG markup of the loss and accuracy charts. */
export interface LiveChartMarkup {
  loss: string;
  accuracy: string;
}

function markup(options: Plot.PlotOptions): string {
  const node = Plot.plot({ ...options, document: new MiniDocument() as unknown as Document }) as unknown as MiniElement;
  for (const style of node.querySelectorAll("style")) style.remove();
  // The panel's chart box is the labelled image (role="img", RerunPanel.astro); Plot's marks carry
  // aria-labels on elements without a role, which assistive technology must not see.
  node.setAttribute("aria-hidden", "true");
  return node.outerHTML;
}

/** Draw both live charts (no legend: the panel shows one for both). */
export function renderLiveCharts(request: LiveChartRequest): LiveChartMarkup {
  const common = {
    epochs: request.epochsTotal,
    batchesPerEpoch: request.batchesPerEpoch,
    width: request.width,
    height: request.height,
    legend: false,
    maxPoints: request.maxPoints ?? 200,
  };
  return {
    loss: markup(liveCurveChart("loss", request.batches, request.epochs, common)),
    accuracy: markup(liveCurveChart("accuracy", request.batches, request.epochs, { ...common, references: request.reference ? [request.reference] : [] })),
  };
}

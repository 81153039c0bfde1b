/**
 * The panel's live learning curves: drawn by Observable Plot in the chart worker
 * (src/workers/charts/chart.worker.ts), which returns SVG markup; this module only throttles the
 * redraws and inserts the markup, each chart in a frame of its own.
 */
import { wrap, type Remote } from "comlink";
import type { LiveChartMarkup, LiveChartRequest } from "../../workers/charts/markup.ts";
import type { Api as ChartApi } from "../../workers/charts/chart.worker.ts";
import { afterNextFrame } from "./frames.ts";

/** Least time between two throttled redraws, in ms. */
export const CHART_INTERVAL_MS = 2_000;

// One chart worker per page, started by the first drawing.
let chartWorker: Remote<ChartApi> | null = null;
const chartApi = (): Remote<ChartApi> =>
  (chartWorker ??= wrap<ChartApi>(
    new Worker(new URL("../../workers/charts/chart.worker.ts", import.meta.url), { type: "module", name: "fashion-mnist-charts" }),
  ));

/** Options of {@link createChartDrawer}. */
export interface ChartDrawerOptions {
  /** Where the loss chart's SVG goes. */
  loss: HTMLElement;
  /** Where the accuracy chart's SVG goes. */
  accuracy: HTMLElement;
  /** What to draw, read when a drawing starts (the run so far). */
  request(): LiveChartRequest;
  /** Least time between throttled redraws (default CHART_INTERVAL_MS). */
  intervalMs?: number;
  /** The chart api (tests pass a fake; default: the shared chart worker). */
  api?: () => { renderLiveCharts(request: LiveChartRequest): LiveChartMarkup | Promise<LiveChartMarkup> };
}

/**
 * Draw the live charts at most every `intervalMs` however often they are asked for, never two
 * drawings at once (a request during a drawing is served after it).
 */
export function createChartDrawer(options: ChartDrawerOptions) {
  const interval = options.intervalMs ?? CHART_INTERVAL_MS;
  const api = options.api ?? chartApi;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastAt = 0;
  let drawing = false;
  let redraw = false;

  async function draw(): Promise<void> {
    if (drawing) {
      redraw = true;
      return;
    }
    drawing = true;
    try {
      lastAt = performance.now();
      const markup = await api().renderLiveCharts(options.request());
      options.loss.innerHTML = markup.loss;
      // The second chart in a frame of its own: no frame lays out and paints both.
      await afterNextFrame();
      options.accuracy.innerHTML = markup.accuracy;
    } catch (error) {
      options.loss.textContent = `The charts could not be drawn (${error instanceof Error ? error.message : String(error)}).`;
    } finally {
      drawing = false;
      if (redraw) {
        redraw = false;
        schedule();
      }
    }
  }

  /** Ask for a redraw: at once when `force`, else when the interval since the last one has passed. */
  function schedule(force = false): void {
    if (timer !== null && !force) return;
    const wait = force ? 0 : Math.max(0, interval - (performance.now() - lastAt));
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void draw();
    }, wait);
  }

  return { schedule };
}

/** The drawer's type. */
export type ChartDrawer = ReturnType<typeof createChartDrawer>;

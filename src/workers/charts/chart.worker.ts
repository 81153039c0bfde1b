/**
 * The chart worker: draws the rerun panel's live learning curves with Observable Plot off the
 * main thread and returns SVG markup (src/workers/charts/markup.ts).
 */
import { expose } from "comlink";
import { renderLiveCharts } from "./markup.ts";

export const api = { renderLiveCharts };
export type Api = typeof api;
expose(api);

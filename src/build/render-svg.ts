/**
 * Build-time chart rendering (Node only): Observable Plot draws into a jsdom document and the
 * markup goes into the static page, so charts need no JavaScript in the browser.
 */
import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";

let sharedDocument: Document | undefined;

/** A jsdom document, created once per process (creating one costs milliseconds, rendering microseconds). */
function buildDocument(): Document {
  if (!sharedDocument) sharedDocument = new JSDOM("<!DOCTYPE html><body></body>").window.document;
  return sharedDocument;
}

/**
 * Render Plot options to markup: an `<svg>`, or a `<figure>` holding the legend and the `<svg>`
 * when the options ask for a legend.
 * @param options Plot options from src/lib/charts/report-charts.ts
 * @returns HTML markup, ready for `set:html`
 */
export function renderChart(options: Plot.PlotOptions): string {
  return Plot.plot({ ...options, document: buildDocument() }).outerHTML;
}

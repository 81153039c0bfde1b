import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { batchPointOf, thinPoints, type BatchPoint } from "../../../src/lib/charts/curve-points.ts";
import { renderLiveCharts } from "../../../src/workers/charts/markup.ts";
import { liveCurveChart } from "../../../src/lib/charts/live-charts.ts";
import type { EpochRecord } from "../../../src/lib/study/schema.ts";

const document = new JSDOM("<!DOCTYPE html><body></body>").window.document;
const render = (options: Plot.PlotOptions) => Plot.plot({ ...options, document }).outerHTML;
/** Plot writes coordinates with full float precision; round them so snapshots survive float noise. */
const rounded = (markup: string) => markup.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100));

const batches: BatchPoint[] = Array.from({ length: 8 }, (_, i) => ({ x: (i + 1) / 4, loss: 2.2 - i * 0.2, accuracy: 0.1 + i * 0.09 }));
const records: EpochRecord[] = [
  { epoch: 1, loss: 1.6, accuracy: 0.37, valLoss: 1.2, valAccuracy: 0.6, seconds: 3, imagesPerSecond: 120 },
  { epoch: 2, loss: 0.9, accuracy: 0.73, valLoss: 0.8, valAccuracy: 0.75, seconds: 3, imagesPerSecond: 121 },
];

describe("batchPointOf", () => {
  it("places a batch at its fractional epoch", () => {
    const p = batchPointOf({
      epoch: 2,
      epochs: 3,
      batch: 5,
      batchesPerEpoch: 20,
      loss: 0.5,
      accuracy: 0.8,
      imagesPerSecond: 100,
      etaSeconds: 10,
      fraction: 0.41,
    });
    expect(p).toEqual({ x: 1.25, loss: 0.5, accuracy: 0.8 });
  });
});

describe("thinPoints", () => {
  it("keeps short series whole and spreads long ones, first and last included", () => {
    expect(thinPoints([1, 2, 3], 5)).toEqual([1, 2, 3]);
    const thinned = thinPoints(
      Array.from({ length: 1001 }, (_, i) => i),
      11,
    );
    expect(thinned).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });
});

describe("liveCurveChart", () => {
  it("draws the accuracy chart in percent with the original study's line", async () => {
    const svg = render(liveCurveChart("accuracy", batches, records, { epochs: 3, references: [{ label: "Original study 92.01%", value: 0.9201 }] }));
    expect(svg).toContain("Original study 92.01%");
    await expect(rounded(svg)).toMatchFileSnapshot("__snapshots__/live-accuracy.html");
  });

  it("draws the loss chart with validation points only for finished epochs", async () => {
    const svg = render(liveCurveChart("loss", batches, records.slice(0, 1), { epochs: 3 }));
    await expect(rounded(svg)).toMatchFileSnapshot("__snapshots__/live-loss.html");
  });

  it("draws a one-epoch run's training curve against the batch number, with its validation point at the last batch", () => {
    const smoke: BatchPoint[] = Array.from({ length: 16 }, (_, i) => ({ x: (i + 1) / 16, loss: 2.3 - i * 0.05, accuracy: 0.1 + i * 0.03 }));
    const options = liveCurveChart("loss", smoke, records.slice(0, 1), { epochs: 1, batchesPerEpoch: 16 });
    expect(options.x).toMatchObject({ label: "Batch (of 16, one epoch)", domain: [0, 16] });
    const svg = render(options);
    // The training line has a vertex per batch (Plot writes "M" then "L" for each further point).
    const paths = [...svg.matchAll(/<path[^>]* d="(M[^"]+)"/g)].map((m) => m[1]);
    expect(paths.some((d) => (d.match(/[ML]/g) ?? []).length === 16)).toBe(true);
    expect(svg).toContain("Batch (of 16, one epoch)");
  });

  it("draws an empty chart before the first batch", () => {
    expect(() => render(liveCurveChart("loss", [], [], { epochs: 1 }))).not.toThrow();
  });
});

describe("renderLiveCharts", () => {
  it("returns both charts as SVG markup without Plot's <style> elements", () => {
    const { loss, accuracy } = renderLiveCharts({
      batches,
      epochs: records,
      epochsTotal: 3,
      width: 400,
      height: 180,
      reference: { label: "Original study 92.01% (val.)", value: 0.9201 },
    });
    expect(loss).toMatch(/^<svg class="chart"/);
    expect(accuracy).toContain("Original study 92.01% (val.)");
    expect(loss + accuracy).not.toContain("<style");
    expect(loss).toContain('aria-label="Loss while training');
  });
});

import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { liveCurveChart } from "../../../src/lib/charts/live-charts.ts";
import { MiniDocument } from "../../../src/workers/charts/mini-dom.ts";
import type { EpochRecord } from "../../../src/lib/study/schema.ts";

const jsdom = new JSDOM("<!DOCTYPE html><body></body>").window.document;
const batches = Array.from({ length: 40 }, (_, i) => ({ x: (i + 1) / 20, loss: 2.3 / (1 + i / 10), accuracy: Math.min(0.95, 0.1 + i * 0.02) }));
const records: EpochRecord[] = [
  { epoch: 1, loss: 1.2, accuracy: 0.5, valLoss: 0.9, valAccuracy: 0.66, seconds: 3, imagesPerSecond: 100 },
  { epoch: 2, loss: 0.7, accuracy: 0.75, valLoss: 0.65, valAccuracy: 0.77, seconds: 3, imagesPerSecond: 100 },
];

describe("MiniDocument", () => {
  it("draws Plot charts exactly as a browser DOM does (jsdom), with and without a legend", () => {
    for (const options of [
      liveCurveChart("loss", batches, records, { epochs: 3, legend: false }),
      liveCurveChart("accuracy", batches, records, { epochs: 3, references: [{ label: 'Original <study> & "co" 92.01%', value: 0.92 }] }),
    ]) {
      const mine = (Plot.plot({ ...options, document: new MiniDocument() as unknown as Document }) as unknown as { outerHTML: string }).outerHTML;
      const theirs = Plot.plot({ ...options, document: jsdom }).outerHTML;
      expect(mine).toBe(theirs);
    }
  });

  it("escapes text and attribute values and keeps <style> contents raw", () => {
    const doc = new MiniDocument();
    const div = doc.createElement("div");
    div.setAttribute("title", 'a "b" & c');
    div.append("x < y & z", doc.createElement("br"));
    const style = doc.createElement("style");
    style.textContent = "a > b { color: red }";
    div.appendChild(style);
    expect(div.outerHTML).toBe('<div title="a &quot;b&quot; &amp; c">x &lt; y &amp; z<br><style>a > b { color: red }</style></div>');
  });

  it("finds elements by tag, class and descendant selectors", () => {
    const doc = new MiniDocument();
    const svg = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
    const g = doc.createElementNS("http://www.w3.org/2000/svg", "g");
    g.setAttribute("class", "tick major");
    const line = doc.createElementNS("http://www.w3.org/2000/svg", "line");
    g.appendChild(line);
    svg.appendChild(g);
    expect(svg.querySelectorAll(".tick line")).toEqual([line]);
    expect(svg.querySelector("g.major")).toBe(g);
    expect(svg.querySelector("rect")).toBeNull();
    expect(() => svg.querySelector("g > line")).toThrow(/unsupported selector/);
  });

  it("keeps inline styles set through setProperty and camelCase properties", () => {
    const doc = new MiniDocument();
    const el = doc.createElement("figure");
    el.style.maxWidth = "initial";
    (el.style.setProperty as (n: string, v: string) => void)("font-variant", "tabular-nums");
    expect(el.outerHTML).toBe('<figure style="max-width: initial; font-variant: tabular-nums;"></figure>');
  });
});

import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatDuration, formatLoss, formatPercent, NAV_ITEMS, runsFolder, withBase } from "../../src/lib/site.ts";

describe("site helpers", () => {
  it("joins a base with and without a trailing slash", () => {
    expect(withBase("/", "dataset/")).toBe("/dataset/");
    expect(withBase("/fashion-mnist", "data/runs/a.json")).toBe("/fashion-mnist/data/runs/a.json");
    expect(withBase("/fashion-mnist/", "/favicon.svg")).toBe("/fashion-mnist/favicon.svg");
    expect(withBase("/fashion-mnist/", "")).toBe("/fashion-mnist/");
  });
  it("prints percentages with two decimals like the original study", () => {
    expect(formatPercent(0.9201)).toBe("92.01%");
    expect(formatPercent(0.944)).toBe("94.40%");
    expect(formatPercent(1)).toBe("100.00%");
  });
  it("prints losses with four decimals", () => {
    expect(formatLoss(0.1954)).toBe("0.1954");
    expect(() => formatLoss(Number.NaN)).toThrow(/finite/);
  });
  it("prints durations in seconds, minutes or hours", () => {
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(185)).toBe("3 min 5 s");
    expect(formatDuration(3720)).toBe("1 h 2 min");
  });
  it("has a page for every navigation entry, Grad-CAM included", () => {
    expect(NAV_ITEMS.map((item) => item.path)).toContain("gradcam/");
    for (const { path } of NAV_ITEMS) {
      const page = path === "" ? "index" : path.replace(/\/$/, "");
      expect(existsSync(new URL(`../../src/pages/${page}.astro`, import.meta.url)), `src/pages/${page}.astro`).toBe(true);
    }
  });
  it("publishes the run records of SITE_RUNS_DIR, or of public/data/runs when it is unset or empty", () => {
    expect(runsFolder({})).toBe("public/data/runs/");
    expect(runsFolder({ SITE_RUNS_DIR: "" })).toBe("public/data/runs/");
    expect(runsFolder({ SITE_RUNS_DIR: "/tmp/fixtures" })).toBe("/tmp/fixtures");
  });
});

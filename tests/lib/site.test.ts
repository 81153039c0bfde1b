import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatLoss,
  formatPercent,
  NAV_ITEMS,
  ORIGINAL_README_PATH,
  protocolRunLabel,
  PROVENANCE_SHORT,
  withBase,
} from "../../src/lib/site.ts";
import { PROTOCOL_PRESETS } from "../../src/lib/study/study.ts";

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
  it("names every run's protocol and its size, and never calls a shorter run reproduced", () => {
    expect(protocolRunLabel(PROTOCOL_PRESETS.quick)).toBe("Quick run (5,400 training images, 3 epochs)");
    expect(protocolRunLabel(PROTOCOL_PRESETS.smoke)).toBe("Smoke run (1,024 training images, 1 epoch)");
    expect(protocolRunLabel(PROTOCOL_PRESETS.full)).toBe("Full protocol (54,000 training images, 10 epochs)");
    expect(PROVENANCE_SHORT.reproduced).toMatch(/full protocol/);
    expect(PROVENANCE_SHORT.preliminary).not.toMatch(/reproduced/i);
  });
  it("cites an original README that is committed in the repository", () => {
    expect(existsSync(new URL(`../../${ORIGINAL_README_PATH}`, import.meta.url))).toBe(true);
  });
});

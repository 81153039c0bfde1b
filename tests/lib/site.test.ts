import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TUNING_FAMILIES } from "../../src/build/tuning-page.ts";
import { NAV_ITEMS, ORIGINAL_README_PATH, protocolRunLabel, PROVENANCE_SHORT, runsFolder, withBase } from "../../src/lib/site.ts";
import { PROTOCOL_PRESETS } from "../../src/lib/study/study.ts";

describe("site helpers", () => {
  it("joins a base with and without a trailing slash", () => {
    expect(withBase("/", "dataset/")).toBe("/dataset/");
    expect(withBase("/fashion-mnist", "data/runs/a.json")).toBe("/fashion-mnist/data/runs/a.json");
    expect(withBase("/fashion-mnist/", "/favicon.svg")).toBe("/fashion-mnist/favicon.svg");
    expect(withBase("/fashion-mnist/", "")).toBe("/fashion-mnist/");
  });
  it("has a page for every navigation entry, Grad-CAM included", () => {
    expect(NAV_ITEMS.map((item) => item.path)).toContain("gradcam/");
    // The tuning pages are one route, [family]-tuning.astro, one page per TUNING_FAMILIES entry.
    const tuningPages = TUNING_FAMILIES.map((family) => `${family}-tuning`);
    for (const { path } of NAV_ITEMS) {
      const name = path === "" ? "index" : path.replace(/\/$/, "");
      const page = tuningPages.includes(name) ? "[family]-tuning" : name;
      expect(existsSync(new URL(`../../src/pages/${page}.astro`, import.meta.url)), `src/pages/${page}.astro`).toBe(true);
    }
  });
  it("publishes the run records of SITE_RUNS_DIR, or of public/data/runs when it is unset or empty", () => {
    expect(runsFolder({})).toBe("public/data/runs/");
    expect(runsFolder({ SITE_RUNS_DIR: "" })).toBe("public/data/runs/");
    expect(runsFolder({ SITE_RUNS_DIR: "/tmp/fixtures" })).toBe("/tmp/fixtures");
  });
  it("names every run's protocol and its size, and never calls a preliminary run reproduced", () => {
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

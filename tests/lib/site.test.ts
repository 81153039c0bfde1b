import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NAV_ITEMS, runsFolder, withBase } from "../../src/lib/site.ts";

describe("site helpers", () => {
  it("joins a base with and without a trailing slash", () => {
    expect(withBase("/", "dataset/")).toBe("/dataset/");
    expect(withBase("/fashion-mnist", "data/runs/a.json")).toBe("/fashion-mnist/data/runs/a.json");
    expect(withBase("/fashion-mnist/", "/favicon.svg")).toBe("/fashion-mnist/favicon.svg");
    expect(withBase("/fashion-mnist/", "")).toBe("/fashion-mnist/");
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

import { describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { buildRerunPanel, DEFAULT_PRESET } from "../../src/build/rerun-panel.ts";
import { buildRerunPageData } from "../../src/lib/study/rerun-reference.ts";
import { ORIGINAL_STUDY } from "../../src/lib/study/study.ts";

const runs = readRuns();

describe("buildRerunPanel", () => {
  const panel = buildRerunPanel(runs);

  it("embeds the rerun page data of the published runs as JSON", () => {
    expect(JSON.parse(panel.json)).toEqual(
      buildRerunPageData(
        ORIGINAL_STUDY,
        runs.map((r) => r.run),
      ),
    );
  });

  it("escapes < so that no string can close the script element", () => {
    expect(panel.json).not.toContain("<");
  });

  it("offers every preset with its protocol, the default one checked", () => {
    expect(panel.presets.map((p) => [p.name, p.label, p.checked])).toEqual([
      ["full", "Full", false],
      ["quick", "Quick", true],
      ["smoke", "Smoke", false],
    ]);
    expect(DEFAULT_PRESET).toBe("quick");
    expect(panel.presets.find((p) => p.name === "smoke")?.description).toMatch(/^1,024 training images, 1 epoch, batch \d+$/);
  });

  it("offers every backend by its label", () => {
    expect(panel.backends.map((b) => b.name)).toEqual(["webgpu", "webgl", "wasm", "cpu"]);
    expect(panel.backends.find((b) => b.name === "wasm")?.label).toMatch(/WebAssembly/);
  });
});

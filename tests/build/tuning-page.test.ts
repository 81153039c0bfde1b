import { describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { buildTuningPage, TUNING_FAMILIES } from "../../src/build/tuning-page.ts";
import { buildTuningRows } from "../../src/lib/study/tuning-rows.ts";

const runs = readRuns();

describe("buildTuningPage", () => {
  it("has one page per family, CNN first", () => {
    expect(TUNING_FAMILIES).toEqual(["cnn", "resnet"]);
  });

  it("titles, counts and labels a family's page from its rows", () => {
    const rows = buildTuningRows("resnet", runs);
    const page = buildTuningPage("resnet", rows);
    expect(page).toMatchObject({ family: "resnet", title: "ResNet tuning", rows, rerunAllLabel: `Rerun all ${rows.length} in turn` });
    expect(page.caption).toBe(`ResNet tuning grid: ${rows.length} configurations, the original study's ranked rows first`);
    expect(page.reproduced).toBe(rows.filter((r) => r.reproduced).length);
    expect(page.preliminaryOnly).toBe(rows.filter((r) => !r.reproduced && r.preliminary).length);
    expect(page.reproduced + page.preliminaryOnly).toBeLessThanOrEqual(rows.length);
    expect(buildTuningPage("cnn", buildTuningRows("cnn", runs)).title).toBe("CNN tuning");
  });
});

import { describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { buildOverview } from "../../src/build/overview.ts";
import type { SeedStudy } from "../../src/lib/study/seed-summary.ts";
import { ORIGINAL_STUDY } from "../../src/lib/study/study.ts";
import { buildTuningRows } from "../../src/lib/study/tuning-rows.ts";

const runs = readRuns();
const cnnRows = buildTuningRows("cnn", runs);
const resnetRows = buildTuningRows("resnet", runs);
const studies = { cnn: { rankings: [] } as unknown as SeedStudy, resnet: { rankings: [] } as unknown as SeedStudy };

describe("buildOverview", () => {
  const overview = buildOverview({ runs, cnnRows, resnetRows }, studies);

  it("counts both grids' rows by the protocol of their runs", () => {
    const rows = [...cnnRows, ...resnetRows];
    expect(overview.rowCount).toBe(rows.length);
    expect(overview.fullCount).toBe(rows.filter((r) => r.reproduced).length);
    expect(overview.preliminaryOnlyCount).toBe(rows.filter((r) => !r.reproduced && r.preliminary).length);
  });

  it("sets the original's four headline numbers beside full-protocol runs only", () => {
    expect(overview.headlines.map((h) => h.label)).toEqual([
      `Best CNN (${ORIGINAL_STUDY.cnnTuning[0].id}), validation accuracy`,
      `Best ResNet (${ORIGINAL_STUDY.resnetTuning[0].id}), validation accuracy`,
      `Best model (${ORIGINAL_STUDY.bestModel.id}), test accuracy`,
      `Best model (${ORIGINAL_STUDY.bestModel.id}), test F1 score`,
    ]);
    expect(overview.headlines.map((h) => h.page)).toEqual(["cnn-tuning/", "resnet-tuning/", "best-model/", "best-model/"]);
    for (const h of overview.headlines) {
      if (h.full) expect(h.full.run.protocol.name).toBe("full");
      if (h.full) expect(h.seeds?.n).toBeGreaterThan(0);
    }
  });

  it("checks every ranked row of the original, CNN first, and passes each family's seed study through", () => {
    expect(overview.answerChecks.map((c) => c.check.rowId)).toEqual([...ORIGINAL_STUDY.cnnTuning, ...ORIGINAL_STUDY.resnetTuning].map((r) => r.id));
    expect(overview.answerChecks[0]).toMatchObject({ family: "CNN", page: "cnn-tuning/" });
    expect(overview.answerRankings.map((r) => [r.family, r.page, r.study])).toEqual([
      ["CNN", "cnn-tuning/", studies.cnn],
      ["ResNet", "resnet-tuning/", studies.resnet],
    ]);
  });

  it("lists the run files the tuning tables show", () => {
    for (const r of [...cnnRows, ...resnetRows]) {
      if (r.reproduced) expect(overview.shownFiles.has(r.reproduced.file)).toBe(true);
      if (r.preliminary) expect(overview.shownFiles.has(r.preliminary.file)).toBe(true);
    }
  });
});

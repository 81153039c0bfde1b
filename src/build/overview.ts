/**
 * The view model of the Overview page (src/pages/index.astro): the headline numbers, the level
 * checks and ranking tests of the study's answer, and the counts of reproduced rows.
 */
import type { LoadedRun } from "../lib/study/runs.ts";
import type { RunRecord } from "../lib/study/schema.ts";
import { fullSeedValue, type SeedStudy, type SeedValue } from "../lib/study/seed-summary.ts";
import { ORIGINAL_STUDY } from "../lib/study/study.ts";
import { checkLevel, type LevelCheck } from "../lib/study/study-answer.ts";
import type { TuningRow } from "../lib/study/tuning-rows.ts";

/** One headline number: the original's, and ours only from a full-protocol run. */
export interface Headline {
  label: string;
  original: number;
  /** The row's full-protocol run, whose number is set beside the original's. */
  full?: LoadedRun;
  /** The row's preliminary run, linked (never set beside the original's). */
  preliminary?: LoadedRun;
  value: (run: RunRecord) => number;
  /** The number over the row's full-protocol seeds: the seed mean with n, or the one run. */
  seeds?: SeedValue;
  /** The page with the details, relative to the site's base. */
  page: string;
  pageLabel: string;
}

/** A family as the study's answer names it, and its tuning page. */
type FamilyPage = { family: "CNN" | "ResNet"; page: string };

/** Everything the Overview shows that is computed from the run records. */
export interface Overview {
  /** Rows of both tuning grids. */
  rowCount: number;
  /** Rows with a full-protocol run. */
  fullCount: number;
  /** Rows with only a quick or smoke run. */
  preliminaryOnlyCount: number;
  headlines: Headline[];
  /** Each ranked configuration of the original against this site's full-protocol seeds. */
  answerChecks: (FamilyPage & { check: LevelCheck })[];
  /** Each family's ranking tests. */
  answerRankings: (FamilyPage & { study: SeedStudy })[];
  /** Run files the tuning tables link to (the runs list marks them). */
  shownFiles: Set<string>;
}

const CNN_PAGE: FamilyPage = { family: "CNN", page: "cnn-tuning/" };
const RESNET_PAGE: FamilyPage = { family: "ResNet", page: "resnet-tuning/" };

/**
 * Build the Overview's view model.
 * @param data the published runs and both families' tuning rows (src/build/study-data.ts)
 * @param seedStudies each family's seed study (src/build/seed-study.ts)
 */
export function buildOverview(
  data: { runs: readonly LoadedRun[]; cnnRows: readonly TuningRow[]; resnetRows: readonly TuningRow[] },
  seedStudies: { cnn: SeedStudy; resnet: SeedStudy },
): Overview {
  const best = ORIGINAL_STUDY.bestModel;
  const bestCnn = ORIGINAL_STUDY.cnnTuning[0];
  const bestResnet = ORIGINAL_STUDY.resnetTuning[0];
  const allRows = [...data.cnnRows, ...data.resnetRows];
  const rowOf = (id: string): TuningRow | undefined => allRows.find((r) => r.id === id);
  const allRuns = data.runs.map((r) => r.run);
  const headline = (id: string, rest: Omit<Headline, "full" | "preliminary" | "seeds">): Headline => ({
    ...rest,
    full: rowOf(id)?.reproduced,
    preliminary: rowOf(id)?.preliminary,
    seeds: fullSeedValue(allRuns, id, rest.value) ?? undefined,
  });
  const validation = (run: RunRecord) => run.metrics.validation.accuracy;
  return {
    rowCount: allRows.length,
    fullCount: allRows.filter((r) => r.reproduced).length,
    preliminaryOnlyCount: allRows.filter((r) => !r.reproduced && r.preliminary).length,
    headlines: [
      headline(bestCnn.id, {
        label: `Best CNN (${bestCnn.id}), validation accuracy`,
        original: bestCnn.valAccuracy,
        value: validation,
        page: CNN_PAGE.page,
        pageLabel: "CNN tuning",
      }),
      headline(bestResnet.id, {
        label: `Best ResNet (${bestResnet.id}), validation accuracy`,
        original: bestResnet.valAccuracy,
        value: validation,
        page: RESNET_PAGE.page,
        pageLabel: "ResNet tuning",
      }),
      headline(best.id, {
        label: `Best model (${best.id}), test accuracy`,
        original: best.test.accuracy,
        value: (run) => run.metrics.test.accuracy,
        page: "best-model/",
        pageLabel: "Best model",
      }),
      headline(best.id, {
        label: `Best model (${best.id}), test F1 score`,
        original: best.test.f1,
        value: (run) => run.metrics.test.f1,
        page: "best-model/",
        pageLabel: "Best model",
      }),
    ],
    answerChecks: [
      ...ORIGINAL_STUDY.cnnTuning.map((row) => ({ ...CNN_PAGE, row })),
      ...ORIGINAL_STUDY.resnetTuning.map((row) => ({ ...RESNET_PAGE, row })),
    ].map(({ family, page, row }) => ({ family, page, check: checkLevel({ rowId: row.id, rank: row.rank, valAccuracy: row.valAccuracy }, allRuns) })),
    answerRankings: [
      { ...CNN_PAGE, study: seedStudies.cnn },
      { ...RESNET_PAGE, study: seedStudies.resnet },
    ],
    shownFiles: new Set(allRows.flatMap((r) => [r.reproduced?.file, r.preliminary?.file]).filter((f) => f !== undefined)),
  };
}

/**
 * Build-time family of tests (Node only): both tuning pages' seed studies and the ablation results,
 * computed once per build with Holm's correction over all of them (src/lib/study/test-family.ts),
 * so every page prints the same adjusted p-values and verdicts.
 */
import { buildAblationResults, type AblationResult } from "../lib/study/ablations.ts";
import { buildSeedStudy, type SeedStudy } from "../lib/study/seed-summary.ts";
import { ORIGINAL_STUDY } from "../lib/study/study.ts";
import { applyTestFamily, type FamilyMember } from "../lib/study/test-family.ts";
import { loadTestLabels } from "./test-labels.ts";
import { loadStudyData } from "./study-data.ts";

/** The seed studies, the ablation results and the family of tests, Holm-corrected together. */
export interface TestFamily {
  cnn: SeedStudy;
  resnet: SeedStudy;
  ablations: AblationResult[];
  family: FamilyMember[];
}

let cached: Promise<TestFamily> | undefined;

/** The family of tests of the published runs (computed once per build). */
export function loadTestFamily(): Promise<TestFamily> {
  cached ??= computeTestFamily();
  return cached;
}

async function computeTestFamily(): Promise<TestFamily> {
  const { runs, cnnRows, resnetRows } = await loadStudyData();
  const records = runs.map((r) => r.run);
  let labels: Uint8Array | undefined;
  const testLabels = () => (labels ??= loadTestLabels());
  const study = (rows: typeof cnnRows, ranked: typeof ORIGINAL_STUDY.cnnTuning) =>
    buildSeedStudy(
      rows.map((r) => r.id),
      ranked.map((r) => ({ rowId: r.id, rank: r.rank, valAccuracy: r.valAccuracy })),
      records,
      testLabels,
    );
  const { studies, ablations, family } = applyTestFamily(
    [
      { label: "CNN", study: study(cnnRows, ORIGINAL_STUDY.cnnTuning) },
      { label: "ResNet", study: study(resnetRows, ORIGINAL_STUDY.resnetTuning) },
    ],
    buildAblationResults(records, testLabels),
  );
  return { cnn: studies[0].study, resnet: studies[1].study, ablations, family };
}

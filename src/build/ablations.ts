/**
 * Build-time ablation results for the Methodology page (Node only): each ablation row's full-length
 * runs against its base row's full-protocol runs, from the published run records and, only when a
 * seed is paired, the test labels of the prepared dataset.
 */
import { buildAblationResults, type AblationResult } from "../lib/study/ablations.ts";
import { loadTestLabels } from "./seed-study.ts";
import { loadStudyData } from "./study-data.ts";

/** Every ablation's results. */
export async function loadAblationResults(): Promise<AblationResult[]> {
  const { runs } = await loadStudyData();
  return buildAblationResults(
    runs.map((r) => r.run),
    () => loadTestLabels(),
  );
}

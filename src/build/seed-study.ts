/**
 * Build-time seed study of a tuning page (Node only): per-row spread across seeds and the test of
 * the original's ranking, from the published run records, Holm-corrected with the site's other
 * tests (see test-family.ts).
 */
import type { SeedStudy } from "../lib/study/seed-summary.ts";
import type { Family } from "../lib/study/tuning-rows.ts";
import { loadTestFamily } from "./test-family.ts";

export { loadTestLabels } from "./test-labels.ts";

/** The seed study of a family's tuning page. */
export async function loadSeedStudy(family: Family): Promise<SeedStudy> {
  return (await loadTestFamily())[family];
}

/**
 * Build-time ablation results for the Methodology page (Node only): each ablation row's full-length
 * runs against its base row's full-protocol runs, Holm-corrected with the site's other tests (see
 * test-family.ts).
 */
import type { AblationResult } from "../lib/study/ablations.ts";
import { loadTestFamily } from "./test-family.ts";

/** Every ablation's results. */
export async function loadAblationResults(): Promise<AblationResult[]> {
  return (await loadTestFamily()).ablations;
}

/**
 * Build-time seed study of a tuning page (Node only): per-row spread across seeds and the test of
 * the original's ranking, from the published run records and, only when two rows have paired
 * full-protocol runs, the test labels of the prepared dataset.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseIdx } from "../lib/data/idx.ts";
import { ORIGINAL_STUDY } from "../lib/study/study.ts";
import { buildSeedStudy, type SeedStudy } from "../lib/study/seed-summary.ts";
import type { Family } from "../lib/study/tuning-rows.ts";
import { loadStudyData } from "./study-data.ts";

const TEST_LABELS = "public/data/fashion-mnist/test-labels.idx.gz";

/**
 * The 10,000 test labels in file order (the order of a full-protocol run's test predictions).
 * @throws Error telling how to create the file when it is missing
 */
export function loadTestLabels(path = resolve(TEST_LABELS)): Uint8Array {
  if (!existsSync(path)) throw new Error(`${TEST_LABELS} is missing: run \`npm run data\` (npm run build does it for you)`);
  return parseIdx(gunzipSync(readFileSync(path)), TEST_LABELS).data;
}

/** The seed study of a family's tuning page. */
export async function loadSeedStudy(family: Family): Promise<SeedStudy> {
  const { runs, cnnRows, resnetRows } = await loadStudyData();
  const rows = family === "cnn" ? cnnRows : resnetRows;
  const ranked = family === "cnn" ? ORIGINAL_STUDY.cnnTuning : ORIGINAL_STUDY.resnetTuning;
  return buildSeedStudy(
    rows.map((r) => r.id),
    ranked.map((r) => ({ rowId: r.id, rank: r.rank, valAccuracy: r.valAccuracy })),
    runs.map((r) => r.run),
    () => loadTestLabels(),
  );
}

/**
 * Everything the pages read at build time (Node only), loaded and validated once per build:
 * published run records, the best run of each tuning row, both families' tuning rows, and the
 * dataset summary written by scripts/site-data.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { formatIssues, selectBestRuns, type LoadedRun } from "../lib/study/runs.ts";
import { siteDataSchema, type SiteData } from "../lib/data/summary.ts";
import { buildTuningRows, type TuningRow } from "../lib/study/tuning-rows.ts";
import { loadRuns } from "./load-runs.ts";

/** The study as the pages see it. */
export interface StudyData {
  /** Every published run, sorted by file name. */
  runs: LoadedRun[];
  /** Row id -> the run that represents the row. */
  bestRuns: Map<string, LoadedRun>;
  cnnRows: TuningRow[];
  resnetRows: TuningRow[];
  siteData: SiteData;
}

const SUMMARY = "public/data/site/summary.json";

/**
 * Read and validate `public/data/site/summary.json`.
 * @throws Error naming the file and the invalid field, or telling how to create the file
 */
export function loadSiteData(path = resolve(SUMMARY)): SiteData {
  if (!existsSync(path))
    throw new Error(`${SUMMARY} is missing: run \`node scripts/site-data.ts\` (npm run build does it for you)`);
  const result = siteDataSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!result.success) throw new Error(`Invalid site data ${SUMMARY}:\n${formatIssues(result.error.issues)}`);
  return result.data;
}

let cached: StudyData | undefined;

/** Load (once per build) and return the study data. */
export function loadStudyData(): StudyData {
  if (cached) return cached;
  const runs = loadRuns();
  const bestRuns = selectBestRuns(runs);
  cached = {
    runs,
    bestRuns,
    cnnRows: buildTuningRows("cnn", runs),
    resnetRows: buildTuningRows("resnet", runs),
    siteData: loadSiteData(),
  };
  return cached;
}

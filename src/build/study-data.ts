/**
 * Everything the pages read at build time (Node only): published run records (the `runs` content
 * collection of src/content.config.ts, validated by Astro's content layer), the best run of each
 * tuning row, both families' tuning rows, and the dataset summary written by scripts/site-data.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getCollection } from "astro:content";
import { formatIssues, selectBestRuns, type LoadedRun } from "../lib/study/runs.ts";
import { siteDataSchema, type SiteData } from "../lib/data/summary.ts";
import { buildTuningRows, type TuningRow } from "../lib/study/tuning-rows.ts";

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
  if (!existsSync(path)) throw new Error(`${SUMMARY} is missing: run \`node scripts/site-data.ts\` (npm run build does it for you)`);
  const result = siteDataSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!result.success) throw new Error(`Invalid site data ${SUMMARY}:\n${formatIssues(result.error.issues)}`);
  return result.data;
}

/**
 * The published run records, from the `runs` collection.
 * @returns runs sorted by file name, `file` being the bare file name (the URL is `data/runs/<file>`)
 */
export async function loadRuns(): Promise<LoadedRun[]> {
  const entries = await getCollection("runs");
  return entries.map((entry) => ({ file: entry.id, run: entry.data })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The study data: runs from the content collection, rows and the best run of each derived from them. */
export async function loadStudyData(): Promise<StudyData> {
  const runs = await loadRuns();
  const bestRuns = selectBestRuns(runs);
  return {
    runs,
    bestRuns,
    cnnRows: buildTuningRows("cnn", runs),
    resnetRows: buildTuningRows("resnet", runs),
    siteData: loadSiteData(),
  };
}

/**
 * Build-time loading of published run records (Node only): every `*.json` under the runs folder,
 * validated with `runRecordSchema`. A malformed file fails the build with its path and field.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseRunRecord, type LoadedRun } from "../lib/study/runs.ts";

/**
 * The runs folder: env SITE_RUNS_DIR (tests point it at fixtures) or `public/data/runs`,
 * resolved against the current working directory (the project root in every npm script).
 */
export function runsDirectory(): string {
  return resolve(process.env.SITE_RUNS_DIR ?? "public/data/runs");
}

/**
 * Read and validate every run record in a folder (not recursive), sorted by file name.
 * @param dir folder of `*.json` run records; a missing folder means no runs
 * @returns runs with `file` as the bare file name (the URL is `data/runs/<file>`)
 * @throws Error naming the file (relative to the working directory) and the invalid field
 */
export function loadRuns(dir = runsDirectory()): LoadedRun[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  return files.map((file) => {
    const path = join(dir, file);
    const shown = relative(process.cwd(), path) || path;
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(`Invalid run record ${shown}: not valid JSON (${(error as Error).message})`);
    }
    return { file, run: parseRunRecord(value, shown) };
  });
}

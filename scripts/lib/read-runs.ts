/**
 * Run records for Node scripts and tests (the Astro build reads them as the `runs` content
 * collection of src/content.config.ts instead): every `*.json` of a runs folder, validated with the
 * same `runRecordSchema`. A malformed file is an error naming its path and the field.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { runsFolder } from "../../src/lib/site.ts";
import { parseRunRecord, type LoadedRun } from "../../src/lib/study/runs.ts";

/**
 * The runs folder the build publishes (env SITE_RUNS_DIR or `public/data/runs`), resolved against
 * the working directory (the project root in every npm script).
 */
export function runsDirectory(): string {
  return resolve(runsFolder(process.env));
}

/**
 * Read and validate every run record in a folder (not recursive), sorted by file name.
 * @param dir folder of `*.json` run records; a missing folder means no runs
 * @param options `skipInvalid`: leave out files that are not valid records instead of throwing
 *   (for uses that only learn from records, such as `reproduce --plan`'s time estimates)
 * @returns runs with `file` as the bare file name (the URL is `data/runs/<file>`)
 * @throws Error naming the file (relative to the working directory) and the invalid field
 */
export function readRuns(dir = runsDirectory(), options: { skipInvalid?: boolean } = {}): LoadedRun[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  if (options.skipInvalid)
    return files.flatMap((file) => {
      try {
        return readRun(dir, file);
      } catch {
        return [];
      }
    });
  return files.map((file) => readRun(dir, file));
}

/**
 * Read and validate one record file of a folder.
 * @throws Error naming the file (relative to the working directory) and the invalid field
 */
export function readRun(dir: string, file: string): LoadedRun {
  const path = join(dir, file);
  const shown = relative(process.cwd(), path) || path;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`Invalid run record ${shown}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return { file, run: parseRunRecord(value, shown) };
}

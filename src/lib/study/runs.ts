/**
 * Run records as the site reads them: validation with errors that name the file and the field
 * (Node scripts; the build validates through the `runs` content collection), and the choice of
 * the run that represents each tuning-table row.
 */
import type { z } from "zod";
import { decodePredictions } from "./predictions.ts";
import { runRecordSchema, type RunRecord } from "./schema.ts";

/** A validated run record with the file it came from (a name relative to the runs folder). */
export interface LoadedRun {
  file: string;
  run: RunRecord;
}

/** Format zod issues as `field.path: message` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `  ${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("\n");
}

/**
 * Validate one parsed run file against `runRecordSchema` (which also checks that `rowId` matches
 * the configuration and that `bestEpoch` was recorded).
 * @param value the parsed JSON
 * @param file the file name, used in error messages
 * @throws Error naming the file and every invalid field
 */
export function parseRunRecord(value: unknown, file: string): RunRecord {
  const result = publishedRunSchema.safeParse(value);
  if (!result.success) throw new Error(`Invalid run record ${file}:\n${formatIssues(result.error.issues)}`);
  return result.data;
}

/**
 * Problems of `testPredictions` against the record's own test metrics: one class 0..9 per test
 * image, and as many predictions of each class as the confusion matrix's column for it counts.
 * @returns a message, or null when they agree
 */
function testPredictionsProblem(run: RunRecord): string | null {
  let predicted: Uint8Array;
  try {
    predicted = decodePredictions(run.testPredictions!, run.metrics.test.images);
  } catch (error) {
    return (error as Error).message;
  }
  const matrix = run.metrics.test.confusionMatrix;
  const counts = new Array<number>(matrix.length).fill(0);
  for (const c of predicted) counts[c] = (counts[c] ?? 0) + 1;
  for (let c = 0; c < counts.length; c++) {
    const column = matrix.reduce((sum, row) => sum + (row[c] ?? 0), 0);
    if (counts[c] !== column) return `${counts[c]} predictions of class ${c}, but the test confusion matrix counts ${column}`;
  }
  return null;
}

/**
 * `runRecordSchema` plus the checks that need the study's constants (kept out of schema.ts, which
 * study.ts imports): `testPredictions`, when present, agrees with the test confusion matrix. What
 * the build (src/content.config.ts) and the Node scripts validate published records with.
 */
export const publishedRunSchema = runRecordSchema.superRefine((run, ctx) => {
  if (run.testPredictions === undefined) return;
  const problem = testPredictionsProblem(run);
  if (problem) ctx.addIssue({ code: "custom", path: ["testPredictions"], message: problem });
});

/**
 * Whether run `a` represents its row better than run `b`: a full-protocol run beats any other,
 * then the higher validation accuracy wins, then the later finish.
 */
export function isBetterRun(a: RunRecord, b: RunRecord): boolean {
  const fullA = a.protocol.name === "full" ? 1 : 0;
  const fullB = b.protocol.name === "full" ? 1 : 0;
  if (fullA !== fullB) return fullA > fullB;
  const accA = a.metrics.validation.accuracy;
  const accB = b.metrics.validation.accuracy;
  if (accA !== accB) return accA > accB;
  return a.finishedAt > b.finishedAt;
}

/**
 * The best run of each row (see `isBetterRun`).
 * @returns row id -> the chosen run and its file
 */
export function selectBestRuns(runs: readonly LoadedRun[]): Map<string, LoadedRun> {
  const best = new Map<string, LoadedRun>();
  for (const loaded of runs) {
    const current = best.get(loaded.run.rowId);
    if (!current || isBetterRun(loaded.run, current.run)) best.set(loaded.run.rowId, loaded);
  }
  return best;
}

/**
 * The run whose figures (confusion matrix, per-class scores, curves, mistakes) the Best model page
 * shows: the original's best row when it has a full-protocol run; otherwise this site's best
 * full-protocol run of any row; otherwise the original's best row under whatever protocol it has.
 */
export function selectDetailRun(bestRuns: ReadonlyMap<string, LoadedRun>, bestRowId: string): LoadedRun | undefined {
  const own = bestRuns.get(bestRowId);
  if (own?.run.protocol.name === "full") return own;
  let bestFull: LoadedRun | undefined;
  for (const loaded of bestRuns.values()) {
    if (loaded.run.protocol.name !== "full") continue;
    if (!bestFull || isBetterRun(loaded.run, bestFull.run)) bestFull = loaded;
  }
  return bestFull ?? own;
}

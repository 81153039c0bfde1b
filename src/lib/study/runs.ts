/**
 * Run records as the site reads them: validation with errors that name the file and the field
 * (Node scripts; the build validates through the `runs` content collection), and the choice of
 * the run that represents each tuning-table row.
 */
import type { z } from "zod";
import { decodePredictions } from "./predictions.ts";
import { isAblationRowId } from "./row-id.ts";
import type { PresetName } from "./preset-names.ts";
import { FULL_PROTOCOL, presetOf } from "./study.ts";
import { runRecordSchema, type RunRecord } from "./schema.ts";

/** A validated run record with the file it came from (a name relative to the runs folder). */
export interface LoadedRun {
  file: string;
  run: RunRecord;
}

/** Format zod issues as `field.path: message` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `  ${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`).join("\n");
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
 * The preset a run was trained under: its protocol is the preset setting for setting, its seed
 * aside (`npm run reproduce --seeds 1,2,3` makes three full-protocol runs), and it trained every
 * epoch the protocol asks for. Undefined for custom protocols.
 */
export function runPreset(run: RunRecord): PresetName | undefined {
  // Every preset has the protocol's seed; the split seed still has to match.
  const preset = presetOf({ ...run.protocol, seed: FULL_PROTOCOL.seed });
  return preset !== undefined && run.epochs.length === run.protocol.epochs ? preset : undefined;
}

/**
 * Whether a run followed the full protocol, the only one whose numbers this site sets beside the
 * original study's.
 */
export function isFullProtocolRun(run: RunRecord): boolean {
  return runPreset(run) === "full";
}

/** Rank of a run's preset: full 3, quick 2, smoke 1, custom 0 (higher is closer to the published protocol). */
function presetRank(run: RunRecord): number {
  const preset = runPreset(run);
  return preset === "full" ? 3 : preset === "quick" ? 2 : preset === "smoke" ? 1 : 0;
}

/**
 * Whether run `a` represents its row better than run `b`: the preset closer to the full protocol
 * wins (full, then quick, then smoke, then custom), then the protocol's own seed (so a row with
 * several seeds shows the run of seed 1, not the luckiest seed: the other seeds go into the
 * mean ± sd of the seed summary), then the higher validation accuracy, then the later finish.
 */
export function isBetterRun(a: RunRecord, b: RunRecord): boolean {
  const rankA = presetRank(a);
  const rankB = presetRank(b);
  if (rankA !== rankB) return rankA > rankB;
  const defaultA = a.protocol.seed === FULL_PROTOCOL.seed;
  const defaultB = b.protocol.seed === FULL_PROTOCOL.seed;
  if (defaultA !== defaultB) return defaultA;
  const accA = a.metrics.validation.accuracy;
  const accB = b.metrics.validation.accuracy;
  if (accA !== accB) return accA > accB;
  return a.finishedAt > b.finishedAt;
}

/** The runs of one row that the site shows, split by whether they are comparable with the original. */
export interface RowRuns {
  /** The best full-protocol run (see `isFullProtocolRun`): the only one set beside the original's numbers. */
  full?: LoadedRun;
  /** The best preliminary run (quick, then smoke, then custom), shown with its protocol only. */
  preliminary?: LoadedRun;
}

/**
 * For each row, its best full-protocol run and its best preliminary run (see `isBetterRun`).
 * @returns row id -> the row's runs (rows without any run are absent)
 */
export function selectRowRuns(runs: readonly LoadedRun[]): Map<string, RowRuns> {
  const rows = new Map<string, RowRuns>();
  for (const loaded of runs) {
    const entry = rows.get(loaded.run.rowId) ?? {};
    const slot = isFullProtocolRun(loaded.run) ? "full" : "preliminary";
    const current = entry[slot];
    if (!current || isBetterRun(loaded.run, current.run)) entry[slot] = loaded;
    rows.set(loaded.run.rowId, entry);
  }
  return rows;
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
 * full-protocol run of any grid row (ablation rows aside); otherwise the original's best row under whatever protocol it has.
 */
export function selectDetailRun(bestRuns: ReadonlyMap<string, LoadedRun>, bestRowId: string): LoadedRun | undefined {
  const own = bestRuns.get(bestRowId);
  if (own && isFullProtocolRun(own.run)) return own;
  let bestFull: LoadedRun | undefined;
  for (const loaded of bestRuns.values()) {
    // An ablation row (e.g. resnet-3x64-nopool, full protocol) is not a configuration of the study.
    if (!isFullProtocolRun(loaded.run) || isAblationRowId(loaded.run.rowId)) continue;
    if (!bestFull || isBetterRun(loaded.run, bestFull.run)) bestFull = loaded;
  }
  return bestFull ?? own;
}

/**
 * Seconds from a run's start to its finish, pauses of a resumed run included: the record's
 * `elapsedSeconds`, or for a record written before that field, `finishedAt − startedAt`.
 */
export function elapsedSeconds(run: RunRecord): number {
  return run.elapsedSeconds ?? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
}

type RunEnvironment = RunRecord["environment"];

/**
 * The environment each recorded epoch was trained in, in the order of `epochs`: its piece's, for a
 * resumed run that kept its `pieces`; else the record's `environment` (a resumed run's last piece).
 */
export function epochEnvironments(run: RunRecord): RunEnvironment[] {
  const pieces = run.pieces ?? [];
  return run.epochs.map((e) => pieces.findLast((p) => p.afterEpoch < e.epoch)?.environment ?? run.environment);
}

/**
 * One uninterrupted piece of a resumed run, for a page: the epochs it trained (none when it only
 * evaluated, resumed after the last epoch), when it began and its environment.
 */
export interface PieceSpan {
  firstEpoch: number;
  lastEpoch: number;
  startedAt: string;
  environment: RunEnvironment;
}

/** A resumed run's pieces with the epochs each trained; empty when the record has no `pieces`. */
export function pieceSpans(run: RunRecord): PieceSpan[] {
  const pieces = run.pieces ?? [];
  return pieces.map((p, i) => ({
    firstEpoch: p.afterEpoch + 1,
    lastEpoch: i + 1 < pieces.length ? pieces[i + 1].afterEpoch : run.epochs.length,
    startedAt: p.startedAt,
    environment: p.environment,
  }));
}

/**
 * A resumed run's pieces in words, one line each, for its page: what the piece did, when it began
 * (UTC), and what it ran on: threads (or backend), the machine where it differs from the record's,
 * the commit. Empty when the record has no `pieces`.
 * @returns e.g. ["epochs 1–5, from 2026-12-07 20:51 UTC: 1 wasm thread, commit 8e6943a1b2c3", "epochs 6–10 and the evaluation, from …"]
 */
export function describePieces(run: RunRecord): string[] {
  const spans = pieceSpans(run);
  return spans.map((span, i) => {
    const epochs =
      span.firstEpoch > span.lastEpoch ? "" : span.firstEpoch === span.lastEpoch ? `epoch ${span.firstEpoch}` : `epochs ${span.firstEpoch}–${span.lastEpoch}`;
    const work = i < spans.length - 1 ? epochs : epochs ? `${epochs} and the evaluation` : "the evaluation";
    const e = span.environment;
    const threads = e.wasmThreads ?? 1;
    const ranOn = [
      e.backend === "wasm" ? `${threads} wasm thread${threads === 1 ? "" : "s"}` : `the ${e.backend} backend`,
      e.cpu !== run.environment.cpu || e.cores !== run.environment.cores ? [e.cores && `${e.cores} cores`, e.cpu].filter(Boolean).join(", ") : "",
      e.commit ? `commit ${e.commit}` : "",
    ];
    return `${work}, from ${span.startedAt.slice(0, 16).replace("T", " ")} UTC: ${ranOn.filter(Boolean).join(", ")}`;
  });
}

/** Whether processor time in `environment` is time on an idle core: Node on one thread (cpu, or wasm on one XNNPACK thread). */
export function processorTimeIsIdleTime({ runtime, backend, wasmThreads }: RunEnvironment): boolean {
  return runtime === "node" && (backend === "cpu" || (backend === "wasm" && (wasmThreads ?? 1) === 1));
}

/**
 * Whether a run's processor time (`cpuSeconds`) stands for its time on idle cores: a Node run on
 * one thread (the cpu backend, or wasm on one XNNPACK thread), in every piece it kept. On several
 * threads, processor time adds the threads up (and their spin-waits), so it says nothing of the wall time.
 */
export function cpuTimeIsIdleTime(run: RunRecord): boolean {
  return [run.environment, ...(run.pieces ?? []).map((p) => p.environment)].every(processorTimeIsIdleTime);
}

/**
 * Seconds the run's training epochs would take on an idle machine, as near as the record tells:
 * an epoch trained where processor time stands for idle time (one thread in Node: its piece's
 * environment, `epochEnvironments`) counts its `cpuSeconds` (which leave out time the process
 * waited for a core or was stopped) when measured, else its wall-clock `seconds`; the smaller of
 * the two, so no epoch counts more than it took.
 */
export function idleTrainSeconds(run: RunRecord): number {
  return idleEpochSeconds(run).reduce((sum, seconds) => sum + seconds, 0);
}

/** `idleTrainSeconds` of each recorded epoch, in the order of `epochs`. */
export function idleEpochSeconds(run: RunRecord): number[] {
  const environments = epochEnvironments(run);
  return run.epochs.map((e, i) => (processorTimeIsIdleTime(environments[i]) && e.cpuSeconds !== undefined ? Math.min(e.seconds, e.cpuSeconds) : e.seconds));
}

/**
 * The run's processor time where a page should show it beside its running time: a run whose
 * processor time stands for idle time (`cpuTimeIsIdleTime`) and that ran over a minute longer
 * (waiting for a core beside another training, or stopped); else undefined.
 */
export function cpuSecondsToShow(run: RunRecord): number | undefined {
  return run.cpuSeconds !== undefined && cpuTimeIsIdleTime(run) && run.wallTimeSeconds - run.cpuSeconds > 60 ? run.cpuSeconds : undefined;
}

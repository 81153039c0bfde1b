/**
 * What `npm run reproduce` will do, decided before any training: which rows and seeds, the record
 * file and checkpoint folder of each run, which runs already have a record (skipped unless
 * --force), the command line of a child process for `--jobs N`, and the JSON of `--plan` (the runs
 * left, each with its arguments and an estimate of its minutes).
 *
 * Record names: `<row>.<protocol>.json` for the protocol's default seed (as every record before seeds
 * existed), `<row>.<protocol>.seed-<n>.json` for any other seed; `<protocol>` is the record's own
 * protocol name (a batch-size ablation row's is "custom").
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ABLATIONS } from "../../src/lib/study/ablations.ts";
import { batchRowId, cnnGrid, FULL_PROTOCOL, parseRowId, resnetGrid, rowId } from "../../src/lib/study/study.ts";
import { parseRunRecord } from "../../src/lib/study/runs.ts";
import type { Protocol, RunRecord } from "../../src/lib/study/schema.ts";
import type { Estimator, RunEstimate } from "./run-estimate.ts";

/** The seed a record name leaves implicit (every preset's seed). */
export const DEFAULT_SEED = FULL_PROTOCOL.seed;

/** Default folder of per-epoch checkpoints of unfinished runs (git-ignored). */
export const DEFAULT_CHECKPOINT_DIR = ".checkpoints/reproduce";

/**
 * Row ids from the command line: a row id (ablation rows included, e.g. cnn-32-64-3-64-b32 or
 * resnet-3x64-nopool), or "all-cnn" (24 rows), "all-resnet" (8), "all" (both grids) or
 * "all-ablations" (the ablation rows of src/lib/study/ablations.ts), in order, without repeats.
 * @throws Error naming an unknown row id
 */
export function expandRowIds(ids: readonly string[]): string[] {
  const canonical = (id: string) => {
    const { config, batchSize } = parseRowId(id);
    return batchSize === undefined ? rowId(config) : batchRowId(config, batchSize);
  };
  const out = ids.flatMap((id) =>
    id === "all"
      ? [...cnnGrid(), ...resnetGrid()].map(rowId)
      : id === "all-cnn"
        ? cnnGrid().map(rowId)
        : id === "all-resnet"
          ? resnetGrid().map(rowId)
          : id === "all-ablations"
            ? ABLATIONS.map((a) => a.id)
            : [canonical(id)],
  );
  return [...new Set(out)];
}

/**
 * The protocol a row trains under: `protocol` itself, or for a batch-size row (`-b<N>`) the same
 * with batch size N, named "custom" when that changes it.
 */
export function rowProtocol(id: string, protocol: Protocol): Protocol {
  const { batchSize } = parseRowId(id);
  if (batchSize === undefined || batchSize === protocol.batchSize) return protocol;
  return { ...protocol, batchSize, name: "custom" };
}

/**
 * Seeds from `--seeds 1,2,3` (or `--seed 2`): non-negative integers, comma-separated, no repeats.
 * @returns the seeds in the order given
 * @throws Error with the flag's name on anything else
 */
export function parseSeedList(text: string, flag = "--seeds"): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const seeds = parts.map((p) => {
    const n = Number(p);
    if (p === "" || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
      throw new Error(`${flag} takes non-negative integers separated by commas (e.g. 1,2,3), got "${text}"`);
    return n;
  });
  const repeated = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (repeated !== undefined) throw new Error(`${flag} lists seed ${repeated} twice`);
  return seeds;
}

/**
 * File name of a run record: `<row>.<protocol>.json`, or `<row>.<protocol>.seed-<n>.json` when the
 * seed is not the default, `<protocol>` being the name the record's protocol holds: a batch-size
 * row's records are `cnn-32-64-3-64-b32.custom.json` (the full preset at batch 32, protocol "custom").
 */
export function recordFileName(id: string, protocolName: string, seed: number): string {
  return seed === DEFAULT_SEED ? `${id}.${protocolName}.json` : `${id}.${protocolName}.seed-${seed}.json`;
}

/** Folder name of a row's saved weights under public/data/models: `<row>` or `<row>.seed-<n>`. */
export function modelFolderName(id: string, seed: number): string {
  return seed === DEFAULT_SEED ? id : `${id}.seed-${seed}`;
}

/** One run to do: a row under a protocol with one seed. */
export interface ReproduceTask {
  rowId: string;
  seed: number;
  /** The protocol with this task's seed. */
  protocol: Protocol;
  /** Absolute path of the record this run writes. */
  recordPath: string;
  /** Folder of this run's checkpoint while it is unfinished. */
  checkpointPath: string;
  /** Short label for log lines, e.g. "cnn-32-64-3-64 seed 2". */
  label: string;
}

/** What the plan found for a task's record. */
export type ExistingRecord =
  | { kind: "none" }
  | { kind: "same"; record: RunRecord }
  /** A record exists whose protocol is not this one (e.g. another "custom" capping). */
  | { kind: "different"; record: RunRecord; difference: string }
  | { kind: "invalid"; message: string };

/**
 * The runs of `rowIds` x `seeds` under `protocol` (seeds replace `protocol.seed`), row by row.
 * @param outDir folder of run records
 * @param checkpointDir folder of checkpoints
 */
export function planRuns(rowIds: readonly string[], seeds: readonly number[], protocol: Protocol, outDir: string, checkpointDir: string): ReproduceTask[] {
  return rowIds.flatMap((id) =>
    seeds.map((seed) => {
      const trained = rowProtocol(id, protocol);
      // Named for the protocol the record will hold, so a file name never says another one.
      const file = recordFileName(id, trained.name, seed);
      return {
        rowId: id,
        seed,
        protocol: { ...trained, seed },
        recordPath: join(outDir, file),
        checkpointPath: join(checkpointDir, file.replace(/\.json$/, "")),
        label: seeds.length > 1 || seed !== DEFAULT_SEED ? `${id} seed ${seed}` : id,
      };
    }),
  );
}

/**
 * How a recorded protocol differs from the requested one, or null when it is the same run.
 * Image counts may be smaller in the record (a run uses at most what the data holds).
 */
export function protocolDifference(recorded: Protocol, requested: Protocol): string | null {
  const differences: string[] = [];
  for (const key of Object.keys(requested) as (keyof Protocol)[]) {
    const a = recorded[key];
    const b = requested[key];
    const isCount = key === "trainImages" || key === "validationImages" || key === "testImages";
    if (isCount ? (a as number) > (b as number) : a !== b) differences.push(`${key} ${String(a)} (asked ${String(b)})`);
  }
  return differences.length ? differences.join(", ") : null;
}

/** Look at the record a task would write. */
export function existingRecord(task: ReproduceTask): ExistingRecord {
  if (!existsSync(task.recordPath)) return { kind: "none" };
  let record: RunRecord;
  try {
    record = parseRunRecord(JSON.parse(readFileSync(task.recordPath, "utf8")), task.recordPath);
  } catch (error) {
    return { kind: "invalid", message: (error as Error).message };
  }
  const difference = record.rowId === task.rowId ? protocolDifference(record.protocol, task.protocol) : `rowId ${record.rowId}`;
  return difference ? { kind: "different", record, difference } : { kind: "same", record };
}

/**
 * The options of this command line to pass on to a child process that runs one task: everything
 * but the row ids and the flags named in `drop` (with their values).
 * @param argv the arguments after the script name
 * @param valueFlags names of flags that take a value (so `--out DIR` keeps or drops DIR too)
 * @param drop names of flags the parent handles itself (e.g. seeds, jobs)
 */
export function forwardedOptions(argv: readonly string[], valueFlags: readonly string[], drop: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) continue; // a row id
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const takesNext = eq === -1 && valueFlags.includes(name) && i + 1 < argv.length;
    if (!drop.includes(name)) out.push(arg, ...(takesNext ? [argv[i + 1]] : []));
    if (takesNext) i++;
  }
  return out;
}

/** Arguments of the child process that runs `task` (one row, one seed, no further children). */
export function childArguments(task: ReproduceTask, forwarded: readonly string[]): string[] {
  return [task.rowId, "--seeds", String(task.seed), "--jobs", "1", ...forwarded];
}

/** One run of a `--plan`: what a scheduler needs to start it elsewhere. */
export interface PlannedRun {
  row: string;
  seed: number;
  /** The `--preset` it runs under (a -b<N> row's protocol is "custom", its records named for this preset). */
  preset: string;
  /** File name of the record it writes in the runs folder. */
  record: string;
  /** `npm run reproduce --` arguments of exactly this run (one row, one seed). */
  args: string[];
  estimate: RunEstimate;
}

/** What `npm run reproduce -- ... --plan` prints. */
export interface ReproducePlan {
  /** The --preset asked for. */
  preset: string;
  /** Name of the protocol (the preset's, or "custom" when capped by --epochs etc.). */
  protocol: string;
  seeds: number[];
  /** Runs of rows x seeds. */
  planned: number;
  /** Runs whose record exists for the same protocol (skipped; with --force they are in `runs` too). */
  existing: number;
  /** Runs to do, row by row. */
  runs: PlannedRun[];
  /** Runs not done because a record of another protocol holds their file (reproduce skips them; --force replaces it). */
  skipped: { row: string; seed: number; record: string; reason: string }[];
  /** Sum of the runs' estimates, in minutes, one run after another on the estimate's backend and threads. */
  estimatedMinutes: number;
  /** Runs without an estimate (no record of their family on the backend). */
  unestimated: number;
}

/**
 * The plan of a reproduce command line: the runs whose record is missing (all with `force`), each
 * with its arguments and an estimate of its minutes.
 * @param tasks planRuns(...) of the command line
 * @param forwarded the command line's options to give each run (forwardedOptions, without seeds/jobs/plan)
 * @throws Error when a record in the way is not a valid record (as reproduce itself does)
 */
export function buildPlan(
  tasks: readonly ReproduceTask[],
  options: { preset: string; protocol: Protocol; seeds: readonly number[]; force: boolean; forwarded: readonly string[]; estimate: Estimator },
): ReproducePlan {
  const runs: PlannedRun[] = [];
  const skipped: ReproducePlan["skipped"] = [];
  let existing = 0;
  for (const task of tasks) {
    const found = existingRecord(task);
    const record = basename(task.recordPath);
    if (found.kind === "invalid" && !options.force)
      throw new Error(`${task.recordPath}: ${found.message}\n(fix or delete it, or pass --force to overwrite it)`);
    if (found.kind === "same") existing++;
    if (found.kind === "different" && !options.force)
      skipped.push({ row: task.rowId, seed: task.seed, record, reason: `exists with another protocol (${found.difference}); --force replaces it` });
    if (found.kind === "none" || options.force)
      runs.push({
        row: task.rowId,
        seed: task.seed,
        preset: options.preset,
        record,
        args: [task.rowId, "--seeds", String(task.seed), ...options.forwarded],
        estimate: options.estimate(task.rowId, task.protocol),
      });
  }
  const estimated = runs.map((r) => r.estimate.minutes).filter((m): m is number => m !== null);
  return {
    preset: options.preset,
    protocol: options.protocol.name,
    seeds: [...options.seeds],
    planned: tasks.length,
    existing,
    runs,
    skipped,
    estimatedMinutes: Math.round(estimated.reduce((a, b) => a + b, 0) * 10) / 10,
    unestimated: runs.length - estimated.length,
  };
}

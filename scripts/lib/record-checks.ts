/**
 * Checks of a run record file before it is published, beyond the schema: its name says which row,
 * preset and seed it is (so a merged record never lands under another run's name), and the weights
 * it names exist.
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { PRESET_NAMES } from "../../src/lib/study/preset-names.ts";
import type { RunRecord } from "../../src/lib/study/schema.ts";
import { DEFAULT_SEED } from "./reproduce-plan.ts";

/**
 * Problems of a record's file name: it must be `<rowId>.<name>.json`, or `<rowId>.<name>.seed-<seed>.json`
 * for a seed other than the default, where name is the protocol's name or, for a "custom" protocol
 * (a -b<N> row, or a capped run), a preset name or "custom".
 * @returns a message, or null when the name fits the record
 */
export function recordNameProblem(file: string, run: RunRecord): string | null {
  const seed = run.protocol.seed;
  const suffix = seed === DEFAULT_SEED ? ".json" : `.seed-${seed}.json`;
  const names = run.protocol.name === "custom" ? [...PRESET_NAMES, "custom"] : [run.protocol.name];
  const expected = names.map((name) => `${run.rowId}.${name}${suffix}`);
  return expected.includes(file)
    ? null
    : `file name ${file} does not fit row ${run.rowId}, protocol ${run.protocol.name}, seed ${seed} (expected ${expected.join(" or ")})`;
}

/**
 * Every problem of one record file: not valid (the build's check), misnamed, or its weights missing.
 * @param path the record file
 * @param dataRoot folder that `modelPath` is relative to (public/data)
 * @param read reads and validates the file (throws naming the file and field)
 * @returns messages; empty when the record can be published
 */
export function validateRecordFile(path: string, dataRoot: string, read: (path: string) => RunRecord): string[] {
  let run: RunRecord;
  try {
    run = read(path);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const name = recordNameProblem(basename(path), run);
  if (name) problems.push(name);
  if (run.modelPath !== undefined) {
    const model = join(dataRoot, run.modelPath);
    if (!existsSync(model)) problems.push(`modelPath ${run.modelPath}: ${model} does not exist`);
    else if (!existsSync(join(model, "..", "weights.bin"))) problems.push(`modelPath ${run.modelPath}: no weights.bin beside it`);
  }
  return problems;
}

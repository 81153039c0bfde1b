/**
 * The rows of a tuning table: every configuration of a family's grid, with the original study's
 * reported validation accuracy where it reported one, our full-protocol runs (the only runs set
 * beside the original's numbers: the seed mean with n where there are several seeds, the run of
 * seed 1 for the record links) and our best preliminary run (quick or smoke, shown with its protocol).
 */
import { isAblationRowId } from "./row-id.ts";
import { selectRowRuns, type LoadedRun } from "./runs.ts";
import { fullSeedValue, type SeedValue } from "./seed-summary.ts";
import { cnnGrid, ORIGINAL_STUDY, resnetGrid, rowId } from "./study.ts";
import type { ModelConfig, ReportedTuningRow } from "./schema.ts";

/** A model family as the tuning pages name it. */
export type Family = ModelConfig["family"];

/** One row of a tuning table. */
export interface TuningRow {
  /** Stable row id, e.g. "cnn-32-64-3-64". */
  id: string;
  config: ModelConfig;
  /** The original study's rank and validation accuracy (fraction), when it published this row. */
  original?: { rank: number; valAccuracy: number };
  /**
   * Our best full-protocol run of this row, when one exists, with its rank among the family's
   * full-protocol rows (1 = best). Only this run's numbers are set beside the original's.
   */
  reproduced?: LoadedRun & { rank: number };
  /** Our best preliminary run of this row (quick, then smoke, then custom), when one exists. */
  preliminary?: LoadedRun;
  /**
   * The numbers set beside the original's, over every full-protocol seed of the row: seed mean with
   * n and interval (one run's value with n = 1). Present exactly when `reproduced` is.
   */
  seeds?: { validation: SeedValue; test: SeedValue };
}

/** One hyper-parameter column of a family's grid. */
export interface Hyperparameter {
  key: string;
  label: string;
}

/** The hyper-parameters of each family, in the original study's column order and wording. */
export const HYPERPARAMETERS: Record<Family, readonly Hyperparameter[]> = {
  cnn: [
    { key: "conv1", label: "Convolution 1 filters" },
    { key: "conv2", label: "Convolution 2 filters" },
    { key: "kernel", label: "Filter size" },
    { key: "dense", label: "Dense layer" },
  ],
  resnet: [
    { key: "blocks", label: "Residual blocks" },
    { key: "filters", label: "Filters" },
  ],
};

/** A hyper-parameter's value in a configuration (the family must match). */
export function hyperparameterValue(config: ModelConfig, key: string): number {
  const value = (config as unknown as Record<string, unknown>)[key];
  if (typeof value !== "number") throw new Error(`Configuration ${rowId(config)} has no hyper-parameter "${key}"`);
  return value;
}

/**
 * Every grid row of a family, ordered like the original study: its ranked rows first (rank 1 at
 * the top), then the rest by full-protocol validation accuracy (best first), then rows with only
 * a preliminary run by that run's validation accuracy, then the rows nobody has run yet in grid order.
 * @param family "cnn" | "resnet"
 * @param runs every published run record (any family and protocol; see `selectRowRuns`)
 * @throws Error when a run of this family reproduces a configuration outside the grid (ablation
 *   rows, see `isAblationRowId`, are left out of the table, not refused)
 */
export function buildTuningRows(family: Family, runs: readonly LoadedRun[]): TuningRow[] {
  const grid: ModelConfig[] = family === "cnn" ? cnnGrid() : resnetGrid();
  const reported: readonly ReportedTuningRow[] = family === "cnn" ? ORIGINAL_STUDY.cnnTuning : ORIGINAL_STUDY.resnetTuning;
  const gridIds = new Set(grid.map(rowId));
  for (const loaded of runs)
    if (loaded.run.config.family === family && !gridIds.has(loaded.run.rowId) && !isAblationRowId(loaded.run.rowId))
      throw new Error(`Run ${loaded.file} reproduces "${loaded.run.rowId}", which is not in the ${family} grid`);
  const rowRuns = selectRowRuns(runs);
  const records = runs.map((r) => r.run);
  const seedValues = new Map(
    grid.map(rowId).flatMap((id) => {
      const validation = fullSeedValue(records, id, (r) => r.metrics.validation.accuracy);
      const test = fullSeedValue(records, id, (r) => r.metrics.test.accuracy);
      return validation && test ? [[id, { validation, test }] as const] : [];
    }),
  );
  // Ranked by the seed mean, the number the table sets beside the original's.
  const fullAccuracy = (id: string) => (rowRuns.get(id)?.full ? seedValues.get(id)?.validation.value : undefined);
  const reproducedRank = new Map(
    grid
      .map(rowId)
      .filter((id) => fullAccuracy(id) !== undefined)
      .sort((a, b) => fullAccuracy(b)! - fullAccuracy(a)!)
      .map((id, i) => [id, i + 1] as const),
  );
  const unranked = grid.length + 1;
  const keyed = grid.map((config, gridIndex) => {
    const id = rowId(config);
    const published = reported.find((r) => r.id === id);
    const { full, preliminary } = rowRuns.get(id) ?? {};
    const row: TuningRow = { id, config };
    if (published) row.original = { rank: published.rank, valAccuracy: published.valAccuracy };
    if (full) row.reproduced = { ...full, rank: reproducedRank.get(id)! };
    if (full && seedValues.has(id)) row.seeds = seedValues.get(id)!;
    if (preliminary) row.preliminary = preliminary;
    // Rows with only a preliminary run come after every full-protocol row, best one first.
    const preliminaryKey = preliminary && !full ? 2 - preliminary.run.metrics.validation.accuracy : unranked;
    return { row, key: [published?.rank ?? unranked, row.reproduced?.rank ?? unranked, preliminaryKey, gridIndex] };
  });
  return keyed.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.key[3] - b.key[3]).map(({ row }) => row);
}

/**
 * The rows of a tuning table: every configuration of a family's grid, with the original study's
 * reported validation accuracy where it reported one and our best reproduced run where one exists.
 */
import type { LoadedRun } from "./runs.ts";
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
  /** Our best reproduced run of this row, when one exists, with its rank among reproduced rows (1 = best). */
  reproduced?: LoadedRun & { rank: number };
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
 * the top), then the rest by reproduced validation accuracy (best first), then the rows nobody
 * has run yet in grid order.
 * @param family "cnn" | "resnet"
 * @param bestRuns row id -> the run that represents the row (see `selectBestRuns`)
 * @throws Error when a run of this family reproduces a configuration outside the grid
 */
export function buildTuningRows(family: Family, bestRuns: ReadonlyMap<string, LoadedRun>): TuningRow[] {
  const grid: ModelConfig[] = family === "cnn" ? cnnGrid() : resnetGrid();
  const reported: readonly ReportedTuningRow[] =
    family === "cnn" ? ORIGINAL_STUDY.cnnTuning : ORIGINAL_STUDY.resnetTuning;
  const gridIds = new Set(grid.map(rowId));
  for (const [id, loaded] of bestRuns)
    if (loaded.run.config.family === family && !gridIds.has(id))
      throw new Error(`Run ${loaded.file} reproduces "${id}", which is not in the ${family} grid`);

  const reproducedRank = new Map(
    grid
      .map(rowId)
      .filter((id) => bestRuns.has(id))
      .sort((a, b) => bestRuns.get(b)!.run.metrics.validation.accuracy - bestRuns.get(a)!.run.metrics.validation.accuracy)
      .map((id, i) => [id, i + 1] as const),
  );
  const unranked = grid.length + 1;
  const keyed = grid.map((config, gridIndex) => {
    const id = rowId(config);
    const published = reported.find((r) => r.id === id);
    const run = bestRuns.get(id);
    const row: TuningRow = { id, config };
    if (published) row.original = { rank: published.rank, valAccuracy: published.valAccuracy };
    if (run) row.reproduced = { ...run, rank: reproducedRank.get(id)! };
    return { row, key: [published?.rank ?? unranked, row.reproduced?.rank ?? unranked, gridIndex] };
  });
  return keyed
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2])
    .map(({ row }) => row);
}

/**
 * What the rerun panel compares a reader's numbers with, computed at build time and embedded in
 * the page as JSON (so the panel needs neither zod nor the run files at run time): for each row,
 * the original study's published validation accuracy and our pipeline's reproduced run, plus the
 * protocol presets a reader can pick.
 */
import { isBetterRun } from "./runs.ts";
import { cnnGrid, configFromRowId, PROTOCOL_PRESETS, resnetGrid, rowId as rowIdOf } from "./study.ts";
import type { HeadlineMetrics, ModelConfig, OriginalStudy, Protocol, RunRecord } from "./schema.ts";

/** The presets a reader can pick. */
export type PresetName = "full" | "quick" | "smoke";
/** Preset names in the order the panel lists them. */
export const PRESET_NAMES: readonly PresetName[] = ["full", "quick", "smoke"];

/** One row's reference numbers (fractions in [0, 1]). */
export interface RowReference {
  rowId: string;
  /** Plain description of the architecture. */
  description: string;
  original?: { valAccuracy: number; validation?: HeadlineMetrics; test?: HeadlineMetrics };
  reproduced?: {
    runId: string;
    protocol: string;
    backend: string;
    valAccuracy: number;
    testAccuracy: number;
    testLoss: number;
    testF1: number;
  };
}

/** The JSON a page embeds for its rerun panel. */
export interface RerunPageData {
  presets: Record<PresetName, Protocol>;
  rows: Record<string, RowReference>;
}

/** "CNN: 32 then 64 filters, 3×3 kernels, 64 dense units" or "ResNet: 3 residual blocks of 64 filters". */
export function describeConfig(config: ModelConfig): string {
  return config.family === "cnn"
    ? `CNN: ${config.conv1} then ${config.conv2} filters, ${config.kernel}×${config.kernel} kernels, ${config.dense} dense units`
    : `ResNet: ${config.blocks} residual block${config.blocks === 1 ? "" : "s"} of ${config.filters} filters`;
}

/**
 * Reference numbers for every grid row (and every row the original study published).
 * @param runs our pipeline's run records (source "pipeline"; readers' runs are ignored); the
 *   best of a row is chosen as the tuning tables choose it (`isBetterRun`)
 */
export function buildRerunPageData(original: OriginalStudy, runs: readonly RunRecord[]): RerunPageData {
  const ids = new Set<string>([...cnnGrid(), ...resnetGrid()].map(rowIdOf));
  for (const row of [...original.cnnTuning, ...original.resnetTuning]) ids.add(row.id);
  const best = new Map<string, RunRecord>();
  for (const run of runs) {
    if (run.source !== "pipeline") continue;
    const current = best.get(run.rowId);
    if (!current || isBetterRun(run, current)) best.set(run.rowId, run);
  }
  const rows: Record<string, RowReference> = {};
  for (const id of ids) {
    const reference: RowReference = { rowId: id, description: describeConfig(configFromRowId(id)) };
    const published = [...original.cnnTuning, ...original.resnetTuning].find((r) => r.id === id);
    if (published) {
      reference.original = { valAccuracy: published.valAccuracy };
      if (original.bestModel.id === id) {
        reference.original.validation = original.bestModel.validation;
        reference.original.test = original.bestModel.test;
      }
    }
    const run = best.get(id);
    if (run) {
      reference.reproduced = {
        runId: run.runId,
        protocol: run.protocol.name,
        backend: run.environment.backend,
        valAccuracy: run.metrics.validation.accuracy,
        testAccuracy: run.metrics.test.accuracy,
        testLoss: run.metrics.test.loss,
        testF1: run.metrics.test.f1,
      };
    }
    rows[id] = reference;
  }
  return { presets: { ...PROTOCOL_PRESETS }, rows };
}

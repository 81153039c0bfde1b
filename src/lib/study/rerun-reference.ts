/**
 * What the rerun panel compares a reader's numbers with, computed at build time and embedded in
 * the page as JSON (so the panel needs neither zod nor the run files at run time): for each row,
 * the original study's published validation accuracy and our pipeline's published record of each
 * preset, plus the protocol presets a reader can pick. A rerun is compared with our record of the
 * same preset (`sameProtocolReference`), never with a record made under another protocol.
 */
import { epochEnvironments, idleEpochSeconds, isBetterRun, runPreset } from "./runs.ts";
import { PRESET_NAMES, type PresetName } from "./preset-names.ts";
import { cnnGrid, configFromRowId, PROTOCOL_PRESETS, resnetGrid, rowId as rowIdOf } from "./study.ts";
import type { ModelConfig, OriginalStudy, Protocol, RunRecord } from "./schema.ts";
import type { ReproducedReference, RowReference } from "./same-protocol.ts";

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
 * @param run a record; its speed and training time come from the epochs trained on its own
 *   `environment`'s threads (all of them, unless a resumed run changed threads between pieces)
 */
function referenceOf(run: RunRecord): ReproducedReference {
  const threads = (env: RunRecord["environment"]) => env.wasmThreads ?? 1;
  const onThreads = epochEnvironments(run).map((env) => threads(env) === threads(run.environment));
  const idle = idleEpochSeconds(run).filter((_, i) => onThreads[i]);
  const epochs = run.epochs.filter((_, i) => onThreads[i]);
  return {
    runId: run.runId,
    protocol: run.protocol.name,
    backend: run.environment.backend,
    valAccuracy: run.metrics.validation.accuracy,
    testAccuracy: run.metrics.test.accuracy,
    testLoss: run.metrics.test.loss,
    testF1: run.metrics.test.f1,
    imagesPerSecond: medianSpeed(epochs),
    runtime: run.environment.runtime,
    trainSeconds: Math.round(idle.reduce((sum, seconds) => sum + seconds, 0) * 10) / 10,
    trainedImages: run.protocol.trainImages * epochs.length,
    ...(run.environment.wasmThreads !== undefined ? { wasmThreads: run.environment.wasmThreads } : {}),
  };
}

/** Median of epochs' training speeds (images/s); 0 when there is no epoch. */
function medianSpeed(epochs: RunRecord["epochs"]): number {
  const speeds = epochs.map((e) => e.imagesPerSecond).sort((a, b) => a - b);
  if (speeds.length === 0) return 0;
  const mid = speeds.length >> 1;
  return Math.round(speeds.length % 2 ? speeds[mid] : (speeds[mid - 1] + speeds[mid]) / 2);
}

/**
 * Reference numbers for every grid row (and every row the original study published).
 * @param runs our pipeline's run records (source "pipeline"; readers' runs are ignored); the
 *   best of a row, and the best of each preset, are chosen as the tuning tables choose them
 *   (`isBetterRun`)
 */
export function buildRerunPageData(original: OriginalStudy, runs: readonly RunRecord[]): RerunPageData {
  const ids = new Set<string>([...cnnGrid(), ...resnetGrid()].map(rowIdOf));
  for (const row of [...original.cnnTuning, ...original.resnetTuning]) ids.add(row.id);
  const best = new Map<string, RunRecord>();
  const bestOfPreset = new Map<string, RunRecord>();
  for (const run of runs) {
    if (run.source !== "pipeline") continue;
    const current = best.get(run.rowId);
    if (!current || isBetterRun(run, current)) best.set(run.rowId, run);
    const preset = runPreset(run);
    if (preset === undefined) continue;
    const key = `${run.rowId} ${preset}`;
    const currentOfPreset = bestOfPreset.get(key);
    if (!currentOfPreset || isBetterRun(run, currentOfPreset)) bestOfPreset.set(key, run);
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
    if (run) reference.reproduced = referenceOf(run);
    for (const preset of PRESET_NAMES) {
      const ofPreset = bestOfPreset.get(`${id} ${preset}`);
      if (ofPreset) (reference.byPreset ??= {})[preset] = referenceOf(ofPreset);
    }
    rows[id] = reference;
  }
  return { presets: { ...PROTOCOL_PRESETS }, rows };
}

export {
  comparisonHeads,
  comparisonNote,
  matchPreset,
  sameProtocolReference,
  type ComparisonHeads,
  type ReproducedReference,
  type RowReference,
} from "./same-protocol.ts";

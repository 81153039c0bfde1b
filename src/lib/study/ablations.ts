/**
 * The choices the original write-up leaves open, as labelled ablation rows: each varies one of the
 * original's ranked rows in one respect and has its own row id (see row-id.ts), so its runs are
 * never mistaken for, or averaged with, the row it varies. Each is compared only with full-length
 * runs of itself and full-protocol runs of its base row, seed by seed.
 */
import type { ModelConfig, Protocol, RunRecord } from "./schema.ts";
import { comparePairedRuns, fullRunsBySeed, pairedSeedsOf, summariseSeedRuns, type PairedComparison, type RowSeedSummary } from "./seed-summary.ts";
import { batchRowId, FULL_PROTOCOL, ORIGINAL_STUDY, rowId } from "./study.ts";

/** Keras's default batch size (`model.fit` without `batch_size`), which the write-up never overrides in writing. */
export const KERAS_DEFAULT_BATCH_SIZE = 32;

/** Which open choice an ablation varies. */
export type AblationKind = "batch-size" | "no-stem-pool";

/** One ablation row. */
export interface Ablation {
  /** Its own row id, e.g. `cnn-32-64-3-64-b32` or `resnet-3x64-nopool`. */
  id: string;
  kind: AblationKind;
  /** The original's ranked row it varies. */
  baseRowId: string;
  /** The model it trains. */
  config: ModelConfig;
  /** The protocol of its full-length runs, seed aside: the full protocol with the one change. */
  protocol: Protocol;
  /** The change in a few words, e.g. "batch 32 instead of 64". */
  change: string;
}

/** The ranked rows of both tables, in the original's order (CNNs, then ResNets). */
const RANKED = [...ORIGINAL_STUDY.cnnTuning, ...ORIGINAL_STUDY.resnetTuning];

/**
 * Every ablation row: the six ranked rows at Keras's default batch size, and the best ResNet
 * without the stem's max pool (its blocks at 28x28 instead of 14x14).
 */
export const ABLATIONS: readonly Ablation[] = [
  ...RANKED.map((row): Ablation => ({
    id: batchRowId(row.config, KERAS_DEFAULT_BATCH_SIZE),
    kind: "batch-size",
    baseRowId: row.id,
    config: row.config,
    protocol: { ...FULL_PROTOCOL, name: "custom", batchSize: KERAS_DEFAULT_BATCH_SIZE },
    change: `batch ${KERAS_DEFAULT_BATCH_SIZE} instead of ${FULL_PROTOCOL.batchSize}`,
  })),
  {
    id: rowId({ family: "resnet", blocks: 3, filters: 64, stemPool: false }),
    kind: "no-stem-pool",
    baseRowId: "resnet-3x64",
    config: { family: "resnet", blocks: 3, filters: 64, stemPool: false },
    protocol: FULL_PROTOCOL,
    change: "no max pool after the stem: blocks at 28x28, not 14x14",
  },
];

/** Whether two protocols are the same setting for setting, their seeds aside. */
function sameSettings(a: Protocol, b: Protocol): boolean {
  return (Object.keys(b) as (keyof Protocol)[]).every((key) => key === "seed" || a[key] === b[key]);
}

/**
 * An ablation's full-length runs, one per seed (the latest finished when a seed has several):
 * records of its row id whose protocol is the ablation's, seed aside, with every epoch trained.
 * @returns seed -> run, seeds ascending
 */
export function ablationRunsBySeed(runs: readonly RunRecord[], ablation: Ablation): Map<number, RunRecord> {
  const bySeed = new Map<number, RunRecord>();
  for (const run of runs) {
    if (run.rowId !== ablation.id || !sameSettings(run.protocol, ablation.protocol)) continue;
    if (run.epochs.length !== ablation.protocol.epochs) continue;
    const current = bySeed.get(run.protocol.seed);
    if (!current || run.finishedAt > current.finishedAt) bySeed.set(run.protocol.seed, run);
  }
  return new Map([...bySeed].sort((a, b) => a[0] - b[0]));
}

/** What the site shows for one ablation. */
export interface AblationResult {
  ablation: Ablation;
  /** Its full-length runs across seeds (no seeds when none is published). */
  runs: RowSeedSummary;
  /** The base row's full-protocol runs across seeds. */
  base: RowSeedSummary;
  /** The ablation minus its base row, seed by seed on the test images (verdict "holds": the ablation is better). */
  comparison: PairedComparison;
  /** The command that makes its runs, e.g. `npm run reproduce -- cnn-32-64-3-64-b32 --seeds 1,2,3`. */
  command: string;
}

/**
 * The results of every ablation from the published runs.
 * @param loadTestLabels called only when some ablation has a seed paired with its base row
 */
export function buildAblationResults(runs: readonly RunRecord[], loadTestLabels: () => Uint8Array): AblationResult[] {
  let labels: Uint8Array | null = null;
  return ABLATIONS.map((ablation) => {
    const mine = ablationRunsBySeed(runs, ablation);
    const base = fullRunsBySeed(runs, ablation.baseRowId);
    const paired = pairedSeedsOf(mine, base).length > 0;
    if (paired && labels === null) labels = loadTestLabels();
    return {
      ablation,
      runs: summariseSeedRuns(ablation.id, [...mine.values()]),
      base: summariseSeedRuns(ablation.baseRowId, [...base.values()]),
      comparison: comparePairedRuns(mine, base, paired ? labels : null),
      command: `npm run reproduce -- ${ablation.id} --seeds 1,2,3`,
    };
  });
}

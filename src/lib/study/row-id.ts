/**
 * Row ids: the stable name of a model configuration (`cnn-32-64-3-64`, `resnet-3x64`), used as the
 * key of tuning-table rows, run records and saved models. Ablation rows extend the grammar:
 * `resnet-3x64-nopool` is a configuration (no max pool after the stem), and a `-b<N>` suffix
 * (`cnn-32-64-3-64-b32`) names a row trained with batch size N instead of the protocol's.
 */
import type { ModelConfig } from "./model-config.ts";

/** Stable row id of a configuration: `cnn-32-64-3-64`, `resnet-3x64` or `resnet-3x64-nopool`. */
export function rowId(config: ModelConfig): string {
  return config.family === "cnn"
    ? `cnn-${config.conv1}-${config.conv2}-${config.kernel}-${config.dense}`
    : `resnet-${config.blocks}x${config.filters}${config.stemPool === false ? "-nopool" : ""}`;
}

/** Row id of a configuration trained with batch size `batchSize`: `<rowId(config)>-b<batchSize>`. */
export function batchRowId(config: ModelConfig, batchSize: number): string {
  return `${rowId(config)}-b${batchSize}`;
}

/** What a row id names: a configuration and, for a batch-size ablation row, its batch size. */
export interface ParsedRowId {
  config: ModelConfig;
  /** The batch size that replaces the protocol's (the `-b<N>` suffix); absent for ordinary rows. */
  batchSize?: number;
}

/**
 * Parse any row id, ablation rows included.
 * @throws Error naming the id when it is not of either family's form
 */
export function parseRowId(id: string): ParsedRowId {
  const batch = /^(.*)-b(\d+)$/.exec(id);
  const base = batch ? batch[1] : id;
  const batchSize = batch ? Number(batch[2]) : undefined;
  const cnn = /^cnn-(\d+)-(\d+)-(\d+)-(\d+)$/.exec(base);
  const res = /^resnet-(\d+)x(\d+)(-nopool)?$/.exec(base);
  let config: ModelConfig;
  if (cnn) {
    const [conv1, conv2, kernel, dense] = cnn.slice(1).map(Number);
    config = { family: "cnn", conv1, conv2, kernel, dense };
  } else if (res) {
    config = { family: "resnet", blocks: Number(res[1]), filters: Number(res[2]) };
    if (res[3]) config.stemPool = false;
  } else {
    throw new Error(
      `Unknown row id "${id}": expected cnn-<conv1>-<conv2>-<kernel>-<dense> (e.g. cnn-32-64-3-64) or resnet-<blocks>x<filters> ` +
        `(e.g. resnet-3x64), optionally with -nopool (ResNet only) and -b<batch size> (e.g. cnn-32-64-3-64-b32)`,
    );
  }
  if (batchSize !== undefined && !(batchSize > 0)) throw new Error(`Row id "${id}": the batch size after -b must be positive`);
  return batchSize === undefined ? { config } : { config, batchSize };
}

/**
 * The configuration a row id names (for a `-b<N>` row, the configuration it trains).
 * @throws Error naming the id when it is not of either family's form
 */
export function configFromRowId(id: string): ModelConfig {
  return parseRowId(id).config;
}

/**
 * Whether a row id names an ablation row (a `-b<N>` batch size or a `-nopool` ResNet) rather than
 * a configuration of the tuning grids: such rows have their own records and their own section
 * (Methodology, "Ablations"), and stay out of the tuning tables and the Best model page.
 * @returns false as well for ids that are not row ids at all
 */
export function isAblationRowId(id: string): boolean {
  try {
    const { config, batchSize } = parseRowId(id);
    return batchSize !== undefined || (config.family === "resnet" && config.stemPool === false);
  } catch {
    return false;
  }
}

/**
 * Row ids: the stable name of a model configuration (`cnn-32-64-3-64`, `resnet-3x64`), used as the
 * key of tuning-table rows, run records and saved models.
 */
import type { ModelConfig } from "./schema.ts";

/** Stable row id of a configuration: `cnn-32-64-3-64` or `resnet-3x64`. */
export function rowId(config: ModelConfig): string {
  return config.family === "cnn"
    ? `cnn-${config.conv1}-${config.conv2}-${config.kernel}-${config.dense}`
    : `resnet-${config.blocks}x${config.filters}`;
}

/**
 * Parse a row id back into its configuration.
 * @throws Error naming the id when it is not of either family's form.
 */
export function configFromRowId(id: string): ModelConfig {
  const cnn = /^cnn-(\d+)-(\d+)-(\d+)-(\d+)$/.exec(id);
  if (cnn) {
    const [conv1, conv2, kernel, dense] = cnn.slice(1).map(Number);
    return { family: "cnn", conv1, conv2, kernel, dense };
  }
  const res = /^resnet-(\d+)x(\d+)$/.exec(id);
  if (res) return { family: "resnet", blocks: Number(res[1]), filters: Number(res[2]) };
  throw new Error(
    `Unknown row id "${id}": expected cnn-<conv1>-<conv2>-<kernel>-<dense> (e.g. cnn-32-64-3-64) or resnet-<blocks>x<filters> (e.g. resnet-3x64)`,
  );
}

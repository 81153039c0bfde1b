/**
 * The prepared dataset's test labels at build time (Node only), for comparing runs image by image.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseIdx } from "../lib/data/idx.ts";

const TEST_LABELS = "public/data/fashion-mnist/test-labels.idx.gz";

/**
 * The 10,000 test labels in file order (the order of a full-protocol run's test predictions).
 * @throws Error telling how to create the file when it is missing
 */
export function loadTestLabels(path = resolve(TEST_LABELS)): Uint8Array {
  if (!existsSync(path)) throw new Error(`${TEST_LABELS} is missing: run \`npm run data\` (npm run build does it for you)`);
  return parseIdx(gunzipSync(readFileSync(path)), TEST_LABELS).data;
}

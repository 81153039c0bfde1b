/**
 * Node access to the prepared Fashion-MNIST files, for the reproduce and benchmark scripts: the
 * same decoding and checks as the browser worker (src/lib/data/prepared.ts), over fs reads.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PREPARED_DATA_DIR } from "../../src/lib/data/files.ts";
import { loadFashionMnist, parsePreparedManifest, type FashionMnistData, type LoadOptions, type PreparedManifest } from "../../src/lib/data/prepared.ts";

/** public/data/fashion-mnist of this checkout, whatever the working directory. */
export const DEFAULT_PREPARED_DIR = fileURLToPath(new URL(`../../${PREPARED_DATA_DIR}`, import.meta.url));

/**
 * Reads and validates `<dir>/manifest.json`.
 * @throws Error saying to run `npm run data` when it is missing
 */
export async function readPreparedManifest(dir: string = DEFAULT_PREPARED_DIR): Promise<PreparedManifest> {
  const file = path.join(dir, "manifest.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${file} does not exist: run \`npm run data\` (node scripts/data.ts) first`, { cause: error });
    }
    throw error;
  }
  try {
    return parsePreparedManifest(JSON.parse(text));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Loads the prepared dataset from disk: both splits, images [n, 28, 28] as n * 784 bytes
 * (0..255), labels 0..9; 60,000 training and 10,000 test examples for the real data.
 * @param dir folder of manifest.json (default: this checkout's public/data/fashion-mnist)
 * @param options as for loadFashionMnist; SHA-256 verification is on unless `verify: false`
 */
export async function readPreparedDataset(dir: string = DEFAULT_PREPARED_DIR, options: LoadOptions = {}): Promise<FashionMnistData> {
  const manifest = await readPreparedManifest(dir);
  const fetchBytes = async (file: string) => new Uint8Array(await readFile(path.join(dir, file)));
  return loadFashionMnist(fetchBytes, manifest, options);
}

/**
 * Only the test split of the prepared Fashion-MNIST files (4.4 MB served instead of 31 MB), for
 * pages that show individual test images, such as Grad-CAM. Same decoding and checks as
 * `loadFashionMnist` in prepared-data.ts, for the two test files only.
 */
import { decodeServedFile, parsePreparedManifest, type FashionMnistSplit, type PreparedManifest } from "../../lib/data/prepared.ts";
import { parseIdx } from "../../lib/data/idx.ts";
import { sha256Hex } from "../../lib/data/sha256.ts";
import { IMAGE_SIZE, NUM_CLASSES } from "../../lib/study/study.ts";

/**
 * Fetches, decodes, verifies and parses the test images and labels named by the manifest.
 * @param fetchBytes returns a file's bytes given its path relative to the manifest's folder
 * @param manifest the parsed manifest.json (validated here)
 * @param verify check each decoded file's SHA-256 against the manifest (default true)
 * @returns images [count, 28, 28] as count * 784 bytes (0..255), labels 0..9
 * @throws Error naming the file: fetch failure, corrupt gzip, wrong length, SHA-256 mismatch, bad
 *   IDX, dims or labels that do not match the manifest
 */
export async function loadTestSplit(
  fetchBytes: (path: string) => Promise<Uint8Array>,
  manifest: PreparedManifest,
  verify = true,
): Promise<FashionMnistSplit> {
  const { files } = parsePreparedManifest(manifest);
  const load = async (key: "testImages" | "testLabels", dims: number[]): Promise<Uint8Array> => {
    const entry = files[key];
    const name = `${key} (${entry.path})`;
    let fetched: Uint8Array;
    try {
      fetched = await fetchBytes(entry.path);
    } catch (error) {
      throw new Error(`${name}: could not fetch: ${(error as Error).message}`, { cause: error });
    }
    let raw: Uint8Array;
    try {
      raw = await decodeServedFile(fetched);
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
    }
    if (raw.length !== entry.rawBytes) throw new Error(`${name}: expected ${entry.rawBytes} bytes after decoding, found ${raw.length}`);
    if (verify) {
      const actual = await sha256Hex(raw);
      if (actual !== entry.rawSha256) throw new Error(`${name}: SHA-256 mismatch: expected ${entry.rawSha256}, found ${actual}`);
    }
    const idx = parseIdx(raw, name);
    if (idx.dims.join(",") !== dims.join(",")) {
      throw new Error(`${name}: expected dims [${dims.join(", ")}], found [${idx.dims.join(", ")}]`);
    }
    return idx.data;
  };
  const count = files.testLabels.count;
  const [images, labels] = await Promise.all([
    load("testImages", [files.testImages.count, IMAGE_SIZE, IMAGE_SIZE]),
    load("testLabels", [count]),
  ]);
  const bad = labels.findIndex((label) => label >= NUM_CLASSES);
  if (bad >= 0) throw new Error(`testLabels: expected labels 0..${NUM_CLASSES - 1}, found ${labels[bad]} at index ${bad}`);
  return { images, labels, count };
}

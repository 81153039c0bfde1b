/**
 * The prepared Fashion-MNIST files as the site serves them (public/data/fashion-mnist/): four
 * gzip-compressed IDX files described by manifest.json. Decoding and checking them is shared by
 * the browser worker and the Node scripts, so this module uses only web-standard APIs
 * (DecompressionStream, Blob, Response, Web Crypto with a fallback) and no DOM.
 */
import { z } from "zod";
import { FASHION_MNIST_FILES, type FashionMnistFileKey, type FashionMnistFileSpec } from "./files.ts";
import { parseIdx } from "./idx.ts";
import { sha256Hex } from "./sha256.ts";
import { IMAGE_SIZE, NUM_CLASSES } from "../study/study.ts";

const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits");

/** A path relative to the manifest's folder: no scheme, no leading slash, no "..". */
const relativePathSchema = z
  .string()
  .min(1)
  .refine(
    (path) => !/^[a-z][a-z0-9+.-]*:/i.test(path) && !path.startsWith("/") && !path.split(/[\\/]/).includes(".."),
    "expected a path relative to the manifest's folder (no scheme, no leading '/', no '..')",
  );

/** One served file in the manifest. */
export const preparedFileSchema = z.object({
  /** Path relative to the manifest's folder, e.g. "train-images.idx.gz". */
  path: relativePathSchema,
  /** Number of images or labels in the file. */
  count: z.number().int().nonnegative(),
  /** Length of the decompressed IDX file, bytes. */
  rawBytes: z.number().int().positive(),
  /** SHA-256 of the decompressed IDX file. */
  rawSha256: sha256HexSchema,
  /** Length of the served (gzip) file, bytes. */
  servedBytes: z.number().int().positive(),
  /** SHA-256 of the served (gzip) file. */
  servedSha256: sha256HexSchema,
});
export type PreparedFile = z.infer<typeof preparedFileSchema>;

/** Schema of public/data/fashion-mnist/manifest.json, written by `npm run data` (scripts/data.ts). */
export const preparedManifestSchema = z
  .object({
    format: z.literal("idx-gzip"),
    version: z.literal(1),
    /** ISO 8601 time the files were prepared. */
    createdAt: z.iso.datetime(),
    /** Where the raw files came from: a folder, the Debian package folder, or the upstream URL. */
    source: z.object({
      kind: z.enum(["folder", "debian", "download"]),
      location: z.string().min(1),
    }),
    files: z.object({
      trainImages: preparedFileSchema,
      trainLabels: preparedFileSchema,
      testImages: preparedFileSchema,
      testLabels: preparedFileSchema,
    }),
    totals: z.object({
      /** Training plus test images (70,000 for the real data). */
      images: z.number().int().nonnegative(),
      /** Sum of the four servedBytes. */
      servedBytes: z.number().int().positive(),
    }),
  })
  .superRefine((manifest, ctx) => {
    const { files, totals } = manifest;
    for (const split of ["train", "test"] as const) {
      const images = files[`${split}Images`].count;
      const labels = files[`${split}Labels`].count;
      if (images !== labels) {
        ctx.addIssue({
          code: "custom",
          path: ["files", `${split}Labels`, "count"],
          message: `${split}: expected as many labels as images (${images}), found ${labels}`,
        });
      }
    }
    const images = files.trainImages.count + files.testImages.count;
    if (totals.images !== images) {
      ctx.addIssue({
        code: "custom",
        path: ["totals", "images"],
        message: `expected trainImages.count + testImages.count = ${images}, found ${totals.images}`,
      });
    }
    const served = Object.values(files).reduce((sum, file) => sum + file.servedBytes, 0);
    if (totals.servedBytes !== served) {
      ctx.addIssue({
        code: "custom",
        path: ["totals", "servedBytes"],
        message: `expected the sum of the files' servedBytes = ${served}, found ${totals.servedBytes}`,
      });
    }
  });
export type PreparedManifest = z.infer<typeof preparedManifestSchema>;

/**
 * Validates a manifest (for example the parsed manifest.json).
 * @throws Error listing every problem, prefixed "invalid prepared-data manifest"
 */
export function parsePreparedManifest(value: unknown): PreparedManifest {
  const checked = preparedManifestSchema.safeParse(value);
  if (!checked.success) {
    throw new Error(`invalid prepared-data manifest:\n${z.prettifyError(checked.error)}`);
  }
  return checked.data;
}

/**
 * Builds a manifest from its four file entries, adding format, version and totals.
 * @param createdAt ISO 8601 time
 */
export function buildPreparedManifest(createdAt: string, source: PreparedManifest["source"], files: PreparedManifest["files"]): PreparedManifest {
  return parsePreparedManifest({
    format: "idx-gzip",
    version: 1,
    createdAt,
    source,
    files,
    totals: {
      images: files.trainImages.count + files.testImages.count,
      servedBytes: Object.values(files).reduce((sum, file) => sum + file.servedBytes, 0),
    },
  });
}

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes a served file: gunzips it with the standard `DecompressionStream("gzip")` when it
 * starts with the gzip magic, else returns it as it is (a static host may have sent it with
 * `Content-Encoding: gzip`, which the fetch already undid; an IDX file starts with 00 00).
 * @param bytes the bytes as fetched
 * @returns the decompressed bytes (a new buffer), or `bytes` itself
 * @throws Error when gzip data is corrupt or truncated
 */
export async function decodeServedFile(bytes: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new Error(`gzip data is corrupt or truncated (${(error as Error).message})`, { cause: error });
  }
}

/** One split of Fashion-MNIST. */
export interface FashionMnistSplit {
  /** Pixels 0..255, row-major [count, 28, 28] (length count * 784); a view into the decoded file. */
  images: Uint8Array;
  /** Class labels 0..9, length count; a view into the decoded file. */
  labels: Uint8Array;
  /** Number of examples. */
  count: number;
}

/** Fashion-MNIST's training (60,000) and test (10,000) splits. */
export interface FashionMnistData {
  train: FashionMnistSplit;
  test: FashionMnistSplit;
}

/** A step of loading one file; each file goes through them in this order. */
export type LoadStage = "fetched" | "decoded" | "verified" | "parsed";

/** Progress of {@link loadFashionMnist}, reported after each stage of each file. */
export interface LoadProgress {
  file: FashionMnistFileKey;
  stage: LoadStage;
  /** Files fully loaded (stage "parsed"), 0..4. */
  filesDone: number;
  filesTotal: number;
  /** Served bytes of the files fetched so far (from the manifest), 0..servedBytesTotal. */
  servedBytesFetched: number;
  servedBytesTotal: number;
}

/** Options of {@link loadFashionMnist}. */
export interface LoadOptions {
  /** Check each decoded file's SHA-256 against the manifest's rawSha256 (default true). */
  verify?: boolean;
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * Fetches, decodes, verifies and parses one prepared file.
 * @param fetchBytes returns a file's bytes given its path relative to the manifest's folder
 * @param entry the file's manifest entry
 * @param report called after each stage
 * @returns the IDX data: pixels [count, 28, 28] as count * 784 bytes, or labels 0..9
 * @throws Error naming the file: fetch failure, corrupt gzip, wrong decoded length, SHA-256
 *   mismatch (expected and actual), bad IDX, or dims/labels that do not match the manifest
 */
async function loadPreparedFile(
  fetchBytes: (path: string) => Promise<Uint8Array>,
  spec: FashionMnistFileSpec,
  entry: PreparedFile,
  verify: boolean,
  report: (stage: LoadStage) => void,
): Promise<Uint8Array> {
  const name = `${spec.key} (${entry.path})`;
  let fetched: Uint8Array;
  try {
    fetched = await fetchBytes(entry.path);
  } catch (error) {
    throw new Error(`${name}: could not fetch: ${(error as Error).message}`, { cause: error });
  }
  report("fetched");
  let raw: Uint8Array;
  try {
    raw = await decodeServedFile(fetched);
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
  }
  if (raw.length !== entry.rawBytes) {
    throw new Error(`${name}: expected ${entry.rawBytes} bytes after decoding, found ${raw.length}`);
  }
  report("decoded");
  if (verify) {
    const actual = await sha256Hex(raw);
    if (actual !== entry.rawSha256) {
      throw new Error(`${name}: SHA-256 mismatch: expected ${entry.rawSha256}, found ${actual}`);
    }
    report("verified");
  }
  const { dims, data } = parseIdx(raw, name);
  const expectedDims = spec.kind === "images" ? [entry.count, IMAGE_SIZE, IMAGE_SIZE] : [entry.count];
  if (dims.join(",") !== expectedDims.join(",")) {
    throw new Error(`${name}: expected dims [${expectedDims.join(", ")}], found [${dims.join(", ")}]`);
  }
  if (spec.kind === "labels") {
    const bad = data.findIndex((label) => label >= NUM_CLASSES);
    if (bad >= 0) {
      throw new Error(`${name}: expected labels 0..${NUM_CLASSES - 1}, found ${data[bad]} at index ${bad}`);
    }
  }
  report("parsed");
  return data;
}

/**
 * Fetches, decodes, verifies and parses the four prepared files.
 * @param fetchBytes returns a file's bytes given its path relative to the manifest's folder
 * @param manifest the parsed manifest.json (validated again here)
 * @param options verify (default true) and onProgress
 * @returns both splits; images [n, 28, 28] as n * 784 bytes, labels 0..9
 * @throws Error naming the file (see loadPreparedFile)
 */
export async function loadFashionMnist(
  fetchBytes: (path: string) => Promise<Uint8Array>,
  manifest: PreparedManifest,
  options: LoadOptions = {},
): Promise<FashionMnistData> {
  const { files, totals } = parsePreparedManifest(manifest);
  const verify = options.verify ?? true;
  let filesDone = 0;
  let servedBytesFetched = 0;
  const loadFile = (spec: FashionMnistFileSpec): Promise<Uint8Array> =>
    loadPreparedFile(fetchBytes, spec, files[spec.key], verify, (stage) => {
      if (stage === "fetched") servedBytesFetched += files[spec.key].servedBytes;
      if (stage === "parsed") filesDone += 1;
      options.onProgress?.({
        file: spec.key,
        stage,
        filesDone,
        filesTotal: FASHION_MNIST_FILES.length,
        servedBytesFetched,
        servedBytesTotal: totals.servedBytes,
      });
    });

  const loaded = await Promise.all(FASHION_MNIST_FILES.map(async (spec) => [spec.key, await loadFile(spec)] as const));
  const data = Object.fromEntries(loaded) as Record<FashionMnistFileKey, Uint8Array>;
  return {
    train: { images: data.trainImages, labels: data.trainLabels, count: files.trainLabels.count },
    test: { images: data.testImages, labels: data.testLabels, count: files.testLabels.count },
  };
}

/**
 * Only one split's two files (the test split: 4.4 MB served instead of 31 MB), for pages that
 * show individual test images, such as Grad-CAM; same checks as {@link loadFashionMnist}.
 * @param verify check each decoded file's SHA-256 against the manifest (default true)
 */
export async function loadPreparedSplit(
  fetchBytes: (path: string) => Promise<Uint8Array>,
  manifest: PreparedManifest,
  split: "train" | "test",
  verify = true,
): Promise<FashionMnistSplit> {
  const { files } = parsePreparedManifest(manifest);
  const specs = FASHION_MNIST_FILES.filter((spec) => spec.split === split);
  const loaded = await Promise.all(specs.map((spec) => loadPreparedFile(fetchBytes, spec, files[spec.key], verify, () => {})));
  const [images, labels] = specs[0].kind === "images" ? loaded : [loaded[1], loaded[0]];
  return { images, labels, count: labels.length };
}

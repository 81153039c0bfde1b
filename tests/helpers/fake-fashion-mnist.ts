/**
 * Small generated stand-ins for the four Fashion-MNIST files, for tests of the loader and of
 * scripts/data.ts: seeded pixels and labels, encoded as IDX, with their sizes and SHA-256.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { FASHION_MNIST_FILES, type FashionMnistFileKey } from "../../src/lib/data/files.ts";
import { encodeIdx } from "../../src/lib/data/idx.ts";
import { buildPreparedManifest, type PreparedManifest } from "../../src/lib/data/prepared.ts";
import { createRng } from "../../src/lib/data/random.ts";

export interface FakeFile {
  /** The decompressed IDX file. */
  raw: Uint8Array;
  /** Its elements (pixels or labels). */
  values: Uint8Array;
  count: number;
  rawSha256: string;
}

export type FakeFiles = Record<FashionMnistFileKey, FakeFile>;

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Four IDX files with `train` and `test` examples, seeded. */
export function makeFakeFiles(train = 5, test = 3, seed = 1): FakeFiles {
  const rng = createRng(seed);
  const files = {} as FakeFiles;
  for (const spec of FASHION_MNIST_FILES) {
    const count = spec.split === "train" ? train : test;
    const values = new Uint8Array(spec.kind === "images" ? count * 784 : count);
    for (let i = 0; i < values.length; i++) values[i] = Math.floor(rng() * (spec.kind === "images" ? 256 : 10));
    const raw = encodeIdx(spec.kind === "images" ? [count, 28, 28] : [count], values);
    files[spec.key] = { raw, values, count, rawSha256: sha256(raw) };
  }
  return files;
}

/** The expected-checksum table for {@link makeFakeFiles}'s output, shaped like FASHION_MNIST_FILES. */
export function expectedFor(files: FakeFiles) {
  return FASHION_MNIST_FILES.map((spec) => ({
    ...spec,
    count: files[spec.key].count,
    rawBytes: files[spec.key].raw.length,
    rawSha256: files[spec.key].rawSha256,
  }));
}

/** Served (gzip) bytes keyed by path, and a manifest describing them. */
export function makeServed(files: FakeFiles): { manifest: PreparedManifest; served: Map<string, Uint8Array> } {
  const served = new Map<string, Uint8Array>();
  const entries = {} as PreparedManifest["files"];
  for (const spec of FASHION_MNIST_FILES) {
    const file = files[spec.key];
    const gz = new Uint8Array(gzipSync(file.raw, { level: 9 }));
    served.set(spec.servedName, gz);
    entries[spec.key] = {
      path: spec.servedName,
      count: file.count,
      rawBytes: file.raw.length,
      rawSha256: file.rawSha256,
      servedBytes: gz.length,
      servedSha256: sha256(gz),
    };
  }
  const manifest = buildPreparedManifest("2026-01-01T00:00:00.000Z", { kind: "folder", location: "/fake" }, entries);
  return { manifest, served };
}

import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeIdx } from "../../../src/lib/data/idx.ts";
import {
  decodeServedFile,
  loadFashionMnist,
  parsePreparedManifest,
  preparedManifestSchema,
  type LoadProgress,
  type PreparedManifest,
} from "../../../src/lib/data/prepared.ts";
import { makeFakeFiles, makeServed, sha256 } from "../../helpers/fake-fashion-mnist.ts";

function fetcherFor(served: Map<string, Uint8Array>) {
  return async (path: string): Promise<Uint8Array> => {
    const bytes = served.get(path);
    if (!bytes) throw new Error(`404 ${path}`);
    return bytes;
  };
}

function clone(manifest: PreparedManifest): PreparedManifest {
  return structuredClone(manifest);
}

describe("preparedManifestSchema", () => {
  it("accepts a manifest built from four files", () => {
    const { manifest } = makeServed(makeFakeFiles());
    expect(preparedManifestSchema.safeParse(manifest).success).toBe(true);
    expect(manifest.totals.images).toBe(8);
  });

  it("rejects another format or version", () => {
    const { manifest } = makeServed(makeFakeFiles());
    expect(preparedManifestSchema.safeParse({ ...manifest, format: "idx" }).success).toBe(false);
    expect(preparedManifestSchema.safeParse({ ...manifest, version: 2 }).success).toBe(false);
  });

  it("rejects paths that leave the manifest's folder", () => {
    for (const path of ["/etc/passwd", "../x.gz", "a/../../x.gz", "https://example.com/x.gz"]) {
      const manifest = clone(makeServed(makeFakeFiles()).manifest);
      manifest.files.testLabels.path = path;
      expect(preparedManifestSchema.safeParse(manifest).success, path).toBe(false);
    }
  });

  it("rejects totals that disagree with the files", () => {
    const manifest = clone(makeServed(makeFakeFiles()).manifest);
    manifest.totals.images = 70_000;
    expect(() => parsePreparedManifest(manifest)).toThrow(/expected trainImages.count \+ testImages.count = 8, found 70000/);
  });

  it("rejects a split with more labels than images", () => {
    const manifest = clone(makeServed(makeFakeFiles()).manifest);
    manifest.files.testLabels.count = 4;
    expect(() => parsePreparedManifest(manifest)).toThrow(/test: expected as many labels as images \(3\), found 4/);
  });

  it("rejects a checksum that is not 64 hex digits", () => {
    const manifest = clone(makeServed(makeFakeFiles()).manifest);
    manifest.files.trainImages.rawSha256 = "abc";
    expect(() => parsePreparedManifest(manifest)).toThrow(/64 lowercase hex digits/);
  });
});

describe("decodeServedFile", () => {
  it("gunzips gzip bytes", async () => {
    const raw = encodeIdx([4], new Uint8Array([1, 2, 3, 4]));
    expect(await decodeServedFile(new Uint8Array(gzipSync(raw)))).toEqual(raw);
  });

  it("returns bytes that are not gzip as they are", async () => {
    const raw = encodeIdx([4], new Uint8Array([1, 2, 3, 4]));
    expect(await decodeServedFile(raw)).toBe(raw);
  });

  it("rejects truncated gzip", async () => {
    const gz = new Uint8Array(gzipSync(new Uint8Array(5000).map((_, i) => (i * 31) % 256)));
    await expect(decodeServedFile(gz.subarray(0, gz.length - 20))).rejects.toThrow(/gzip data is corrupt or truncated/);
  });

  it("rejects corrupt gzip", async () => {
    const gz = new Uint8Array(gzipSync(new Uint8Array(5000).map((_, i) => (i * 31) % 256)));
    gz.fill(0xff, 10, 40);
    await expect(decodeServedFile(gz)).rejects.toThrow(/gzip data is corrupt or truncated/);
  });
});

describe("loadFashionMnist", () => {
  it("returns both splits with the files' pixels and labels", async () => {
    const files = makeFakeFiles(5, 3);
    const { manifest, served } = makeServed(files);
    const data = await loadFashionMnist(fetcherFor(served), manifest);
    expect(data.train.count).toBe(5);
    expect(data.test.count).toBe(3);
    expect(data.train.images).toEqual(files.trainImages.values);
    expect(data.train.labels).toEqual(files.trainLabels.values);
    expect(data.test.images).toEqual(files.testImages.values);
    expect(data.test.labels).toEqual(files.testLabels.values);
  });

  it("accepts files the host already decoded (Content-Encoding: gzip)", async () => {
    const files = makeFakeFiles(4, 2);
    const { manifest } = makeServed(files);
    const decoded = new Map(Object.values(manifest.files).map((entry, i) => [entry.path, Object.values(files)[i].raw]));
    const data = await loadFashionMnist(fetcherFor(decoded), manifest);
    expect(data.test.labels).toEqual(files.testLabels.values);
  });

  it("names the file, expected and actual hash on a SHA-256 mismatch", async () => {
    const files = makeFakeFiles();
    const { manifest, served } = makeServed(files);
    const tampered = new Uint8Array(files.testImages.raw);
    tampered[100] ^= 1;
    served.set("test-images.idx.gz", new Uint8Array(gzipSync(tampered)));
    await expect(loadFashionMnist(fetcherFor(served), manifest)).rejects.toThrow(
      `testImages (test-images.idx.gz): SHA-256 mismatch: expected ${files.testImages.rawSha256}, found ${sha256(tampered)}`,
    );
  });

  it("skips the SHA-256 check with verify: false", async () => {
    const files = makeFakeFiles();
    const { manifest, served } = makeServed(files);
    const tampered = new Uint8Array(files.testImages.raw);
    tampered[100] ^= 1;
    served.set("test-images.idx.gz", new Uint8Array(gzipSync(tampered)));
    const data = await loadFashionMnist(fetcherFor(served), manifest, { verify: false });
    expect(data.test.images[100 - 16]).toBe(tampered[100]);
  });

  it("rejects a decoded file of the wrong length", async () => {
    const files = makeFakeFiles();
    const { manifest, served } = makeServed(files);
    served.set("train-labels.idx.gz", new Uint8Array(gzipSync(files.trainLabels.raw.subarray(0, 10))));
    await expect(loadFashionMnist(fetcherFor(served), manifest)).rejects.toThrow(
      /trainLabels \(train-labels.idx.gz\): expected 13 bytes after decoding, found 10/,
    );
  });

  it("rejects images whose dims are not [count, 28, 28]", async () => {
    const files = makeFakeFiles(2, 3);
    const { manifest, served } = makeServed(files);
    const reshaped = encodeIdx([3, 784], files.testImages.values);
    served.set("test-images.idx.gz", new Uint8Array(gzipSync(reshaped)));
    const edited = clone(manifest);
    edited.files.testImages.rawBytes = reshaped.length;
    edited.files.testImages.rawSha256 = sha256(reshaped);
    await expect(loadFashionMnist(fetcherFor(served), edited)).rejects.toThrow(
      /testImages \(test-images.idx.gz\): expected dims \[3, 28, 28\], found \[3, 784\]/,
    );
  });

  it("rejects labels outside 0..9", async () => {
    const files = makeFakeFiles();
    const { manifest, served } = makeServed(files);
    const labels = encodeIdx([3], new Uint8Array([1, 10, 2]));
    served.set("test-labels.idx.gz", new Uint8Array(gzipSync(labels)));
    const edited = clone(manifest);
    edited.files.testLabels.rawSha256 = sha256(labels);
    await expect(loadFashionMnist(fetcherFor(served), edited)).rejects.toThrow(/testLabels \(test-labels.idx.gz\): expected labels 0..9, found 10 at index 1/);
  });

  it("names the file that could not be fetched", async () => {
    const { manifest, served } = makeServed(makeFakeFiles());
    served.delete("train-images.idx.gz");
    await expect(loadFashionMnist(fetcherFor(served), manifest)).rejects.toThrow(
      /trainImages \(train-images.idx.gz\): could not fetch: 404 train-images.idx.gz/,
    );
  });

  it("rejects an invalid manifest before fetching anything", async () => {
    const { manifest, served } = makeServed(makeFakeFiles());
    let fetches = 0;
    const fetcher = async (path: string) => {
      fetches++;
      return fetcherFor(served)(path);
    };
    await expect(loadFashionMnist(fetcher, { ...manifest, version: 3 } as unknown as PreparedManifest)).rejects.toThrow(/invalid prepared-data manifest/);
    expect(fetches).toBe(0);
  });

  it("reports every stage of every file, ending with all files and bytes done", async () => {
    const { manifest, served } = makeServed(makeFakeFiles());
    const events: LoadProgress[] = [];
    await loadFashionMnist(fetcherFor(served), manifest, { onProgress: (p) => events.push(p) });
    for (const key of ["trainImages", "trainLabels", "testImages", "testLabels"]) {
      expect(events.filter((e) => e.file === key).map((e) => e.stage)).toEqual(["fetched", "decoded", "verified", "parsed"]);
    }
    const last = events.at(-1)!;
    expect(last.filesDone).toBe(4);
    expect(last.filesTotal).toBe(4);
    expect(last.servedBytesFetched).toBe(manifest.totals.servedBytes);
    expect(last.servedBytesTotal).toBe(manifest.totals.servedBytes);
  });
});

import { describe, expect, it } from "vitest";
import { DATA_CACHE_NAME } from "../../../src/lib/data/cached-fetch.ts";
import { loadServedDataset } from "../../../src/workers/trainer/served-dataset.ts";
import type { DataProgress } from "../../../src/workers/trainer/api.ts";
import { makeFakeFiles, makeServed } from "../../helpers/fake-fashion-mnist.ts";
import { fakeCaches, fakeFetch } from "../../helpers/fake-web.ts";

const DATA_URL = "https://example.test/base/data/fashion-mnist/";

function site(train = 12, test = 5) {
  const files = makeFakeFiles(train, test, 3);
  const { manifest, served } = makeServed(files);
  const byUrl = new Map<string, Uint8Array | string>([[`${DATA_URL}manifest.json`, JSON.stringify(manifest)]]);
  for (const [path, bytes] of served) byUrl.set(`${DATA_URL}${path}`, bytes);
  return { files, manifest, byUrl };
}

describe("loadServedDataset", () => {
  it("loads both splits and reports manifest, download, decode and ready", async () => {
    const { files, manifest, byUrl } = site();
    const stages: DataProgress[] = [];
    const data = await loadServedDataset(DATA_URL, (p) => stages.push(p), { fetch: fakeFetch(byUrl, 1000).fetch, caches: null });
    expect(data.train.count).toBe(12);
    expect(data.test.count).toBe(5);
    expect(data.train.images).toEqual(files.trainImages.values);
    expect(data.info).toMatchObject({ trainImages: 12, testImages: 5, servedBytes: manifest.totals.servedBytes, cachedBytes: 0 });
    const order = [...new Set(stages.map((s) => s.stage))];
    expect(order).toEqual(["manifest", "download", "decode", "ready"]);
    expect(stages.at(-1)).toMatchObject({ bytes: manifest.totals.servedBytes, totalBytes: manifest.totals.servedBytes });
  });

  it("reads every file from the cache the second time, the manifest too when offline", async () => {
    const { byUrl, manifest } = site();
    const { caches } = fakeCaches();
    await loadServedDataset(DATA_URL, undefined, { fetch: fakeFetch(byUrl).fetch, caches });
    const second = fakeFetch(byUrl);
    second.setOffline(true);
    const data = await loadServedDataset(DATA_URL, undefined, { fetch: second.fetch, caches });
    expect(second.requests).toEqual([`${DATA_URL}manifest.json`]);
    expect(data.info.cachedBytes).toBe(manifest.totals.servedBytes);
  });

  it("throws away cached bytes that fail the checksum and downloads them again", async () => {
    const { byUrl } = site();
    const { caches, stores } = fakeCaches();
    await loadServedDataset(DATA_URL, undefined, { fetch: fakeFetch(byUrl).fetch, caches });
    // Corrupt the cached labels: valid gzip of different bytes would be caught by SHA-256; garbage by gunzip.
    const store = stores.get(DATA_CACHE_NAME)!;
    const key = [...store.keys()].find((k) => k.includes("train-labels"))!;
    store.set(key, new Response(new Uint8Array([0x1f, 0x8b, 1, 2, 3])));
    const again = fakeFetch(byUrl);
    const data = await loadServedDataset(DATA_URL, undefined, { fetch: again.fetch, caches });
    expect(data.train.count).toBe(12);
    expect(again.requests.filter((u) => u.endsWith(".gz"))).toHaveLength(4);
    expect(data.info.cachedBytes).toBe(0);
  });

  it("fails with the file's name when the served bytes do not match the manifest", async () => {
    const { byUrl } = site();
    const other = site(12, 5);
    // Same sizes, different content: the decoded SHA-256 differs.
    const swapped = makeServed(makeFakeFiles(12, 5, 99)).served.get("train-images.idx.gz")!;
    other.byUrl.set(`${DATA_URL}train-images.idx.gz`, swapped);
    other.byUrl.set(`${DATA_URL}manifest.json`, byUrl.get(`${DATA_URL}manifest.json`)!);
    await expect(loadServedDataset(DATA_URL, undefined, { fetch: fakeFetch(other.byUrl).fetch, caches: null })).rejects.toThrow(
      /trainImages \(train-images\.idx\.gz\): SHA-256 mismatch/,
    );
  });

  it("names manifest.json when it cannot be downloaded", async () => {
    await expect(loadServedDataset(DATA_URL, undefined, { fetch: fakeFetch(new Map()).fetch, caches: null })).rejects.toThrow(
      `could not download ${DATA_URL}manifest.json: HTTP 404 Not Found`,
    );
  });
});

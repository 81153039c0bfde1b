import { describe, expect, it } from "vitest";
import { cacheKeyOf, createDataFetcher, type FetchProgress, type ServedFileRef } from "../../../src/lib/data/cached-fetch.ts";
import { fakeCaches, fakeFetch } from "../../helpers/fake-web.ts";

const DATA_URL = "https://example.test/site/data/fashion-mnist/";

const bytes = Uint8Array.from({ length: 10 }, (_, i) => i * 3);
const file: ServedFileRef = { path: "train-images.idx.gz", servedBytes: 10, servedSha256: "a".repeat(64) };
const served = new Map([[`${DATA_URL}train-images.idx.gz`, bytes]]);

describe("createDataFetcher", () => {
  it("streams a file and reports bytes as they arrive", async () => {
    const { fetch } = fakeFetch(served, 4);
    const seen: FetchProgress[] = [];
    const fetcher = createDataFetcher({ dataUrl: DATA_URL, fetch, caches: null, onProgress: (p) => seen.push(p) });
    expect(await fetcher.fetchFile(file)).toEqual(bytes);
    expect(seen.map((p) => p.bytes)).toEqual([4, 8, 10]);
    expect(seen.every((p) => p.totalBytes === 10 && p.cachedBytes === 0)).toBe(true);
  });

  it("keeps the file in the Cache API and reads it from there the next time", async () => {
    const { caches } = fakeCaches();
    const first = fakeFetch(served);
    await createDataFetcher({ dataUrl: DATA_URL, fetch: first.fetch, caches }).fetchFile(file);
    const second = fakeFetch(served);
    const fetcher = createDataFetcher({ dataUrl: DATA_URL, fetch: second.fetch, caches });
    expect(await fetcher.fetchFile(file)).toEqual(bytes);
    expect(second.requests).toEqual([]);
    expect(fetcher.progress()).toEqual({ bytes: 10, totalBytes: 10, cachedBytes: 10 });
  });

  it("misses the cache when the file's checksum changed, and drops the stale entry", async () => {
    const { caches, stores } = fakeCaches();
    await createDataFetcher({ dataUrl: DATA_URL, fetch: fakeFetch(served).fetch, caches }).fetchFile(file);
    const changed = { ...file, servedSha256: "b".repeat(64) };
    const again = fakeFetch(served);
    await createDataFetcher({ dataUrl: DATA_URL, fetch: again.fetch, caches }).fetchFile(changed);
    expect(again.requests).toHaveLength(1);
    expect([...stores.get("fashion-mnist-live-data-v1")!.keys()]).toEqual([cacheKeyOf(DATA_URL, changed)]);
  });

  it("names the URL and the HTTP status when the server refuses", async () => {
    const fetcher = createDataFetcher({ dataUrl: DATA_URL, fetch: fakeFetch(new Map()).fetch, caches: null });
    await expect(fetcher.fetchFile(file)).rejects.toThrow(`could not download ${DATA_URL}train-images.idx.gz: HTTP 404 Not Found`);
  });

  it("names the URL on a network failure", async () => {
    const fetch = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof globalThis.fetch;
    const fetcher = createDataFetcher({ dataUrl: DATA_URL, fetch, caches: null });
    await expect(fetcher.fetchFile(file)).rejects.toThrow(/could not download .*train-images\.idx\.gz: Failed to fetch \(network error or offline\)/);
  });

  it("counts progress against the manifest total from the start", async () => {
    const seen: FetchProgress[] = [];
    const fetcher = createDataFetcher({ dataUrl: DATA_URL, fetch: fakeFetch(served, 10).fetch, caches: null, totalBytes: 40, onProgress: (p) => seen.push(p) });
    await fetcher.fetchFile(file);
    expect(seen.at(-1)).toEqual({ bytes: 10, totalBytes: 40, cachedBytes: 0 });
  });

  it("purges its cache", async () => {
    const { caches, stores } = fakeCaches();
    const fetcher = createDataFetcher({ dataUrl: DATA_URL, fetch: fakeFetch(served).fetch, caches });
    await fetcher.fetchFile(file);
    await fetcher.purge();
    expect(stores.size).toBe(0);
  });

  it("rejects a data URL that is not a folder", () => {
    expect(() => createDataFetcher({ dataUrl: "https://example.test/data", caches: null })).toThrow(/must end in "\/"/);
  });
});

/**
 * The served Fashion-MNIST as a rerun loads it: manifest.json (revalidated, or the cached copy when
 * offline), the four gzip files with byte progress through the Cache API (src/lib/data/cached-fetch.ts),
 * then decoded and checked against the manifest's SHA-256 by lib/data/prepared.ts. When cached bytes
 * fail the check, the cache is purged and the files fetched once more from the network.
 */
import { createDataFetcher, DATA_CACHE_NAME, manifestFileFetcher, type DataFetcher } from "../../lib/data/cached-fetch.ts";
import { loadFashionMnist, parsePreparedManifest, type PreparedManifest } from "../../lib/data/prepared.ts";
import type { DataProgress, LoadedData } from "./api.ts";
import { describeFailure } from "./failure.ts";

/** Where the loader gets its network and cache (the worker's globals by default). */
export interface ServedDatasetOptions {
  fetch?: typeof fetch;
  /** The Cache API, or null where there is none. */
  caches?: CacheStorage | null;
}

const globalCaches = (): CacheStorage | null => (typeof caches !== "undefined" ? caches : null);

/** manifest.json, revalidated with the server; the cached copy when the network fails. */
async function fetchManifest(dataUrl: string, doFetch: typeof fetch, storage: CacheStorage | null): Promise<PreparedManifest> {
  const url = new URL("manifest.json", dataUrl).href;
  let response: Response | undefined;
  let networkError: unknown;
  try {
    const fetched = await doFetch(url, { cache: "no-cache" });
    if (!fetched.ok) throw new Error(`HTTP ${fetched.status} ${fetched.statusText}`.trim());
    response = fetched;
    if (storage) {
      const copy = fetched.clone();
      await storage
        .open(DATA_CACHE_NAME)
        .then((cache) => cache.put(url, copy))
        .catch(() => {});
    }
  } catch (error) {
    networkError = error;
    response = storage
      ? await storage
          .open(DATA_CACHE_NAME)
          .then((cache) => cache.match(url))
          .catch(() => undefined)
      : undefined;
  }
  if (!response) {
    const reason = networkError instanceof Error ? networkError.message : String(networkError);
    throw new Error(`could not download ${url}: ${reason}`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (error) {
    throw new Error(`invalid prepared-data manifest: ${url} is not JSON (${(error as Error).message})`, { cause: error });
  }
  return parsePreparedManifest(json);
}

function loadWith(manifest: PreparedManifest, fetcher: DataFetcher, onProgress: (p: DataProgress) => void) {
  let decoding = false;
  return loadFashionMnist(manifestFileFetcher(manifest, fetcher), manifest, {
    verify: true,
    onProgress: (p) => {
      if (!decoding && p.servedBytesFetched === p.servedBytesTotal) {
        decoding = true;
        onProgress({ stage: "decode", ...fetcher.progress() });
      }
    },
  });
}

/**
 * Fetch, verify and parse the served dataset.
 * @param dataUrl absolute URL of the data folder, ending in "/"
 * @returns the official training (60,000) and test (10,000) sets as bytes, and where they came from
 * @throws Error naming the file: download failure, HTTP status, or checksum/format mismatch
 */
export async function loadServedDataset(
  dataUrl: string,
  onProgress: (progress: DataProgress) => void = () => {},
  options: ServedDatasetOptions = {},
): Promise<LoadedData> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const storage = options.caches === undefined ? globalCaches() : options.caches;
  const started = performance.now();
  onProgress({ stage: "manifest", bytes: 0, totalBytes: 0, cachedBytes: 0 });
  const manifest = await fetchManifest(dataUrl, doFetch, storage);
  const makeFetcher = () =>
    createDataFetcher({
      dataUrl,
      fetch: doFetch,
      caches: storage,
      totalBytes: manifest.totals.servedBytes,
      onProgress: (p) => onProgress({ stage: "download", ...p }),
    });
  let fetcher = makeFetcher();
  let data;
  try {
    data = await loadWith(manifest, fetcher, onProgress);
  } catch (error) {
    if (describeFailure(error, "data").kind !== "dataset-checksum" || fetcher.progress().cachedBytes === 0) throw error;
    await fetcher.purge();
    fetcher = makeFetcher();
    data = await loadWith(manifest, fetcher, onProgress);
  }
  const progress = fetcher.progress();
  onProgress({ stage: "ready", ...progress });
  return {
    train: data.train,
    test: data.test,
    info: {
      trainImages: data.train.count,
      testImages: data.test.count,
      servedBytes: manifest.totals.servedBytes,
      cachedBytes: progress.cachedBytes,
      seconds: Math.round(performance.now() - started) / 1000,
    },
  };
}

/**
 * The trainer api's dependencies in a browser worker: backend probes and start-up, the dataset
 * fetched with progress and kept in the Cache API, device facts for run records. Uses worker
 * globals only (fetch, caches, navigator, OffscreenCanvas), no DOM.
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./backend.ts";
import { probeBackends } from "./backend-probe.ts";
import { createDataFetcher, DATA_CACHE_NAME, type DataFetcher } from "./data-fetch.ts";
import { loadFashionMnist, parsePreparedManifest, type PreparedManifest } from "./prepared-data.ts";
import type { DataProgress, LoadedData, TrainerConfig, TrainerDeps } from "./trainer-api.ts";
import { describeFailure } from "./trainer-failure.ts";

const cacheStorage = (): CacheStorage | null => (typeof caches !== "undefined" ? caches : null);

/** manifest.json, revalidated with the server; the cached copy when offline. */
async function fetchManifest(dataUrl: string): Promise<PreparedManifest> {
  const url = new URL("manifest.json", dataUrl).href;
  const storage = cacheStorage();
  let response: Response | undefined;
  let networkError: unknown;
  try {
    response = await fetch(url, { cache: "no-cache" });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    if (storage) {
      const copy = response.clone();
      await storage
        .open(DATA_CACHE_NAME)
        .then((cache) => cache.put(url, copy))
        .catch(() => {});
    }
  } catch (error) {
    networkError = error;
    response = storage ? await storage.open(DATA_CACHE_NAME).then((cache) => cache.match(url)).catch(() => undefined) : undefined;
  }
  if (!response) {
    const reason = networkError instanceof Error ? networkError.message : String(networkError);
    throw new Error(`could not download ${url}: ${reason}`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (error) {
    throw new Error(`invalid prepared-data manifest: ${url} is not JSON (${(error as Error).message})`);
  }
  return parsePreparedManifest(json);
}

async function loadOnce(dataUrl: string, manifest: PreparedManifest, fetcher: DataFetcher, onProgress: (p: DataProgress) => void) {
  const entries = new Map(Object.values(manifest.files).map((f) => [f.path, f] as const));
  const fetchBytes = (path: string) => {
    const entry = entries.get(path);
    if (!entry) throw new Error(`${path} is not in ${dataUrl}manifest.json`);
    return fetcher.fetchFile(entry);
  };
  return loadFashionMnist(fetchBytes, manifest, {
    verify: true,
    onProgress: (p) => {
      if (p.stage !== "fetched" && p.servedBytesFetched === p.servedBytesTotal) onProgress({ stage: "decode", ...fetcher.progress() });
    },
  });
}

/** Fetch, verify and parse the dataset; a checksum failure on cached bytes purges the cache and fetches once more. */
export async function loadServedDataset(config: TrainerConfig, onProgress: (p: DataProgress) => void): Promise<LoadedData> {
  const started = performance.now();
  onProgress({ stage: "manifest", bytes: 0, totalBytes: 0, cachedBytes: 0 });
  const manifest = await fetchManifest(config.dataUrl);
  const makeFetcher = () =>
    createDataFetcher({
      dataUrl: config.dataUrl,
      caches: cacheStorage(),
      totalBytes: manifest.totals.servedBytes,
      onProgress: (p) => onProgress({ stage: "download", ...p }),
    });
  let fetcher = makeFetcher();
  let data;
  try {
    data = await loadOnce(config.dataUrl, manifest, fetcher, onProgress);
  } catch (error) {
    if (describeFailure(error, "data").kind !== "dataset-checksum" || fetcher.progress().cachedBytes === 0) throw error;
    await fetcher.purge();
    fetcher = makeFetcher();
    data = await loadOnce(config.dataUrl, manifest, fetcher, onProgress);
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

/** The dependencies of `createTrainerApi` in a browser worker. */
export function createBrowserTrainerDeps(): TrainerDeps {
  return {
    probeBackends,
    async activateBackend(name, config) {
      // tfjs refuses software WebGL unless told; the ranking already puts it after wasm.
      if (name === "webgl") tf.env().set("SOFTWARE_WEBGL_ENABLED", true);
      await useBackend(name, { wasmPaths: config.wasmPaths });
    },
    loadDataset: loadServedDataset,
    deviceFacts() {
      const nav = globalThis.navigator as (Navigator & { userAgentData?: { platform?: string } }) | undefined;
      if (!nav) return {};
      return { userAgent: nav.userAgent, cores: nav.hardwareConcurrency || undefined, platform: nav.userAgentData?.platform || nav.platform || undefined };
    },
    isContextLost() {
      if (tf.getBackend() !== "webgl") return false;
      const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
      return gl?.isContextLost() ?? false;
    },
  };
}

/**
 * Fetching the served dataset files with byte-level progress, keeping them in the browser's Cache
 * API so a second rerun, a reload, Grad-CAM or a new worker does not download them again. Where
 * the Cache API is missing (insecure contexts, Node) the HTTP cache is all there is.
 *
 * Entries are keyed by URL plus the file's served SHA-256, so a re-prepared dataset never reads a
 * stale entry; older entries of the same file are deleted when a new one is stored. The bytes are
 * checked later (decoded SHA-256, in prepared.ts); on a mismatch the caller purges the cache and
 * fetches again.
 */
import type { PreparedManifest } from "./prepared.ts";

/** Name of the Cache API cache holding the served dataset files. */
export const DATA_CACHE_NAME = "fashion-mnist-live-data-v1";

/** A served file to fetch: its path relative to the data folder, size and checksum from the manifest. */
export interface ServedFileRef {
  path: string;
  /** Expected size of the served file, bytes (progress is counted against it). */
  servedBytes: number;
  /** SHA-256 of the served file (64 hex digits): part of the cache key. */
  servedSha256: string;
}

/** Progress over all files fetched through one fetcher. */
export interface FetchProgress {
  /** Bytes received (network) or read (cache) so far, over all files. */
  bytes: number;
  /** Expected bytes of all files registered so far (sum of servedBytes). */
  totalBytes: number;
  /** Bytes of those that came from the Cache API. */
  cachedBytes: number;
}

/** What the fetcher needs from its environment (injectable for tests). */
export interface DataFetchOptions {
  /** Absolute URL of the data folder, ending in "/". */
  dataUrl: string;
  /** Fetches a URL (the global fetch by default). */
  fetch?: (url: string) => Promise<Response>;
  /** The Cache API; undefined or null where unavailable. */
  caches?: CacheStorage | null;
  cacheName?: string;
  /** Expected bytes of every file that will be fetched (for progress from the first byte on). */
  totalBytes?: number;
  onProgress?: (progress: FetchProgress) => void;
}

/** A fetcher of served files with progress and caching. */
export interface DataFetcher {
  /** The file's bytes, from the cache when present, else from the network (then stored). */
  fetchFile(file: ServedFileRef): Promise<Uint8Array>;
  /** Progress so far. */
  progress(): FetchProgress;
  /** Delete every cached entry of this cache (after a checksum mismatch, say). */
  purge(): Promise<void>;
}

/** The cache key of a served file: its URL with the served checksum as a query parameter. */
export function cacheKeyOf(dataUrl: string, file: ServedFileRef): string {
  const url = new URL(file.path, dataUrl);
  url.searchParams.set("sha256", file.servedSha256);
  return url.href;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Make a fetcher for the files under `dataUrl`.
 * @throws from fetchFile: Error naming the URL on a network failure or an HTTP error status
 */
export function createDataFetcher(options: DataFetchOptions): DataFetcher {
  if (!/\/$/.test(options.dataUrl)) throw new Error(`dataUrl must end in "/", got ${options.dataUrl}`);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const cacheName = options.cacheName ?? DATA_CACHE_NAME;
  const received = new Map<string, number>();
  let totalBytes = options.totalBytes ?? 0;
  let cachedBytes = 0;
  let cachePromise: Promise<Cache | null> | null = null;

  const openCache = (): Promise<Cache | null> => {
    if (!options.caches) return Promise.resolve(null);
    // Opening can throw (e.g. storage disabled); fall back to the network then.
    cachePromise ??= options.caches.open(cacheName).catch(() => null);
    return cachePromise;
  };
  const progress = (): FetchProgress => ({
    bytes: [...received.values()].reduce((s, b) => s + b, 0),
    totalBytes,
    cachedBytes,
  });
  const report = () => options.onProgress?.(progress());

  async function readBody(response: Response, path: string, expected: number): Promise<Uint8Array> {
    if (!response.body) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      received.set(path, bytes.length);
      report();
      return bytes;
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
      received.set(path, Math.min(length, expected));
      report();
    }
    received.set(path, length);
    if (chunks.length === 1) return chunks[0];
    const bytes = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }

  return {
    async fetchFile(file) {
      if (!received.has(file.path)) {
        received.set(file.path, 0);
        if (options.totalBytes === undefined) totalBytes += file.servedBytes;
      }
      const key = cacheKeyOf(options.dataUrl, file);
      const cache = await openCache();
      const hit = cache ? await cache.match(key).catch(() => undefined) : undefined;
      if (hit) {
        const bytes = new Uint8Array(await hit.arrayBuffer());
        received.set(file.path, bytes.length);
        cachedBytes += bytes.length;
        report();
        return bytes;
      }
      const url = new URL(file.path, options.dataUrl).href;
      let response: Response;
      try {
        response = await doFetch(url);
      } catch (error) {
        throw new Error(`could not download ${url}: ${describe(error)} (network error or offline)`, { cause: error });
      }
      if (!response.ok) throw new Error(`could not download ${url}: HTTP ${response.status} ${response.statusText}`.trim());
      let bytes: Uint8Array;
      try {
        bytes = await readBody(response, file.path, file.servedBytes);
      } catch (error) {
        throw new Error(`download of ${url} was interrupted: ${describe(error)}`, { cause: error });
      }
      if (cache) {
        try {
          const stale = await cache.keys();
          const path = new URL(url).pathname;
          await Promise.all(stale.filter((r) => new URL(r.url).pathname === path && r.url !== key).map((r) => cache.delete(r)));
          await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/octet-stream" } }));
        } catch {
          // Quota exceeded or storage disabled: the run goes on, the next one downloads again.
        }
      }
      return bytes;
    },
    progress,
    async purge() {
      cachePromise = null;
      if (options.caches) await options.caches.delete(cacheName).catch(() => false);
    },
  };
}

/**
 * The `fetchBytes` that `loadFashionMnist` and `loadPreparedSplit` take: a manifest path's bytes
 * through `fetcher`.
 * @throws Error for a path the manifest does not list
 */
export function manifestFileFetcher(manifest: PreparedManifest, fetcher: DataFetcher): (path: string) => Promise<Uint8Array> {
  const entries = new Map(Object.values(manifest.files).map((f) => [f.path, f] as const));
  return async (path) => {
    const entry = entries.get(path);
    if (!entry) throw new Error(`${path} is not in the manifest`);
    return fetcher.fetchFile(entry);
  };
}

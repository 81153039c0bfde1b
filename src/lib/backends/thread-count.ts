/**
 * How many XNNPACK threads a reader's wasm backend runs on. Pure: the workers pass in what their
 * browser says (`crossOriginIsolated`, `navigator.hardwareConcurrency`).
 *
 * tfjs-backend-wasm loads its threaded SIMD build only where SharedArrayBuffer can be posted, i.e.
 * in a cross-origin-isolated page (the site's service worker, public/coi-serviceworker.js, makes it
 * so on any static host). Its own default pool is min(4, cores / 2), one thread on a 2-core laptop,
 * so the workers set the count: every core but one, which is left to the page (drawing curves,
 * scrolling); on 2 cores both, since a lone training thread gained 1.6x from the second core in
 * Node (docs/wasm.md) while the page thread is idle during a run but for a few short tasks.
 */

/**
 * The most threads asked for: emscripten pre-starts 8 pthread workers in the threaded build, and a
 * thread beyond them would be started from a worker that is busy training (it could not start).
 */
export const MAX_WASM_THREADS = 8;

/** What the count depends on. */
export interface ThreadFacts {
  /** `crossOriginIsolated` of the worker (false or absent: the single-threaded build runs). */
  isolated?: boolean;
  /** `navigator.hardwareConcurrency` (logical cores), when the browser tells. */
  cores?: number;
}

/**
 * XNNPACK threads for the wasm backend: 1 when not cross-origin isolated or the cores are unknown;
 * otherwise the cores less one left to the page (both of 2 cores), at least 1, at most
 * {@link MAX_WASM_THREADS}.
 * @returns an integer in [1, MAX_WASM_THREADS]
 */
export function wasmThreadCount(facts: ThreadFacts): number {
  const cores = facts.cores !== undefined && Number.isFinite(facts.cores) ? Math.floor(facts.cores) : 1;
  if (!facts.isolated || cores <= 1) return 1;
  const threads = cores <= 2 ? cores : cores - 1;
  return Math.max(1, Math.min(MAX_WASM_THREADS, threads));
}

/**
 * How the panel names a backend with its threads: "WebAssembly, 7 threads", "WebAssembly, 1 thread".
 * @param label the backend's label (BACKEND_LABELS)
 * @param threads XNNPACK threads, for wasm; absent for the other backends (the label alone)
 */
export function describeThreads(label: string, threads: number | undefined): string {
  return threads === undefined ? label : `${label}, ${threads} thread${threads === 1 ? "" : "s"}`;
}

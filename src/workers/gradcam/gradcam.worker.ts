/**
 * The Grad-CAM worker: TensorFlow.js, the model and the test images live here, off the page's
 * main thread. All logic is in src/workers/gradcam/service.ts; the backend is chosen the way the
 * trainer worker chooses it (probeBackends + planBackends), and reader models come from
 * src/lib/storage/reruns-db.ts.
 */
import { expose } from "comlink";
import { probeBackends } from "../../lib/backends/probe.ts";
import { wasmThreadCount } from "../../lib/backends/thread-count.ts";
import { describeBackend, startPlannedBackend } from "../../lib/backends/use-backend.ts";
import { listStoredModels, readStoredModel } from "../../lib/storage/reruns-db.ts";
import { createGradCamService } from "./service.ts";

const api = createGradCamService({
  fetch: (url) => fetch(url),
  caches: typeof caches === "undefined" ? null : caches,
  probeBackends,
  // wasm on every core but one when the page is cross-origin isolated (thread-count.ts).
  activateBackend: (name, options) =>
    startPlannedBackend(name, { ...options, wasmThreads: wasmThreadCount({ isolated: globalThis.crossOriginIsolated, cores: navigator.hardwareConcurrency }) }),
  wasmThreads: () => describeBackend().wasmThreads,
  storedModels: typeof indexedDB === "undefined" ? null : { list: listStoredModels, read: readStoredModel },
});

expose(api);

export type Api = typeof api;

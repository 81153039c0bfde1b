/**
 * The trainer api's dependencies in a browser worker: backend probes and start-up, the dataset
 * fetched with progress and kept in the Cache API, device facts for run records. Uses worker
 * globals only (fetch, caches, navigator, OffscreenCanvas), no DOM.
 */
import * as tf from "@tensorflow/tfjs";
import { wasmThreadCount } from "../../lib/backends/thread-count.ts";
import { describeBackend, startPlannedBackend } from "../../lib/backends/use-backend.ts";
import { probeBackends } from "../../lib/backends/probe.ts";
import { loadServedDataset } from "./served-dataset.ts";
import type { TrainerDeps } from "./api.ts";

/** The dependencies of `createTrainerApi` in a browser worker. */
export function createBrowserTrainerDeps(): TrainerDeps {
  return {
    probeBackends,
    async activateBackend(name, config) {
      // wasm on every core but one when the page is cross-origin isolated (thread-count.ts), else one.
      const wasmThreads = config.wasmThreads ?? wasmThreadCount({ isolated: globalThis.crossOriginIsolated, cores: globalThis.navigator?.hardwareConcurrency });
      await startPlannedBackend(name, { wasmPaths: config.wasmPaths, wasmThreads });
    },
    wasmThreads: () => describeBackend().wasmThreads,
    crossOriginIsolated: () => globalThis.crossOriginIsolated === true,
    loadDataset: (config, onProgress) => loadServedDataset(config.dataUrl, onProgress),
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

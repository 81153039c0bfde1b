/**
 * The trainer api's dependencies in a browser worker: backend probes and start-up, the dataset
 * fetched with progress and kept in the Cache API, device facts for run records. Uses worker
 * globals only (fetch, caches, navigator, OffscreenCanvas), no DOM.
 */
import * as tf from "@tensorflow/tfjs";
import { wasmThreadCount } from "../../lib/backends/thread-count.ts";
import { describeBackend, startPlannedBackend } from "../../lib/backends/use-backend.ts";
import { probeBackends } from "../../lib/backends/probe.ts";
import { sharedWasmMemory, startKernelHelpers, stopKernelHelpers } from "../../lib/backends/kernels/wasm/helper-threads.ts";
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
      if (name === "wasm") startHelpers(describeBackend().wasmThreads ?? 1);
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

/**
 * With wasm on several threads, the JavaScript kernels' loops get helper workers beside XNNPACK's
 * (one fewer than the threads; kernels/wasm/helper-threads.ts); on one thread, none.
 */
function startHelpers(threads: number): void {
  const memory = sharedWasmMemory(tf.backend());
  if (memory === undefined || threads < 2) {
    stopKernelHelpers();
    return;
  }
  const spawn = () => new Worker(new URL("../kernel-helper/kernel-helper.worker.ts", import.meta.url), { type: "module", name: "fashion-mnist-kernel-helper" });
  startKernelHelpers(memory, threads - 1, spawn);
}

/**
 * Page of the worker-overhead bench: trains the same row (1) through the site's comlink trainer
 * worker, as a reader's rerun does, and (2) in a plain worker calling `train` directly, and
 * returns each run's per-epoch images/s.
 */
import { proxy, wrap } from "comlink";
import type { BackendName } from "../../../src/lib/backends/names.ts";
import type { Protocol } from "../../../src/lib/study/schema.ts";
import type { Api } from "../../../src/workers/trainer/trainer.worker.ts";

interface BenchRequest {
  backend: BackendName;
  rowId: string;
  protocol: Protocol;
  /** wasm: XNNPACK threads of the trainer worker (the page is cross-origin isolated). */
  wasmThreads?: number;
}

const dataUrl = new URL("data/fashion-mnist/", location.href).href;
const wasmPaths = new URL("data/tfjs-wasm/", location.href).href;

async function viaComlink(request: BenchRequest) {
  const worker = new Worker(new URL("../../../src/workers/trainer/trainer.worker.ts", import.meta.url), { type: "module" });
  try {
    const api = wrap<Api>(worker);
    await api.init({ dataUrl, wasmPaths, ...(request.wasmThreads !== undefined ? { wasmThreads: request.wasmThreads } : {}) });
    const data = await api.loadData();
    if (!data.ok) throw new Error(data.failure.detail);
    let batches = 0;
    // The same callbacks as the panel: every batch and epoch crosses to the page.
    const outcome = await api.train(
      { rowId: request.rowId, protocol: { ...request.protocol, name: "custom" }, backend: request.backend },
      proxy({ onBatch: () => void batches++, onEpoch: () => {}, onPhase: () => {} }),
    );
    if (outcome.status !== "finished") throw new Error(outcome.status === "failed" ? outcome.failure.detail : "cancelled");
    return { epochs: outcome.record.epochs, batchesSeen: batches, wasmThreads: outcome.record.environment.wasmThreads };
  } finally {
    worker.terminate();
  }
}

async function direct(request: BenchRequest) {
  const worker = new Worker(new URL("./direct.worker.ts", import.meta.url), { type: "module" });
  try {
    const result = await new Promise<{ ok: boolean; epochs?: { imagesPerSecond: number; seconds: number }[]; error?: string }>((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => resolve({ ok: false, error: e.message });
      worker.postMessage({ dataUrl, wasmPaths, ...request });
    });
    if (!result.ok) throw new Error(result.error);
    return { epochs: result.epochs! };
  } finally {
    worker.terminate();
  }
}

(window as unknown as { runBench: unknown }).runBench = async (mode: "comlink" | "direct", request: BenchRequest) =>
  mode === "comlink" ? viaComlink(request) : direct(request);
(window as unknown as { benchFacts: unknown }).benchFacts = () => ({ cores: navigator.hardwareConcurrency, isolated: crossOriginIsolated });
(window as unknown as { benchReady: boolean }).benchReady = true;

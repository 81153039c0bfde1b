/**
 * The rerun worker's api: pick a backend, load the dataset once, train one tuning-table row with
 * the core `runRow`, cancel within one batch, report tf.memory(), export the trained model.
 * `src/workers/trainer/trainer.worker.ts` exposes it with comlink; tests drive it over a MessageChannel.
 *
 * Everything it returns is plain data (structured-clonable). Expected failures (no backend, the
 * download failed, out of memory, ...) come back as `{ failure }` values rather than thrown errors,
 * because comlink keeps only an error's message and the panel needs the kind. Progress goes out
 * through callbacks (comlink proxies on the page) that are not awaited: training never waits for
 * the page, and a page that went away cannot stall it.
 */
import * as tf from "@tensorflow/tfjs";
import { releaseProxy, transfer } from "comlink";
import {
  explainChoice,
  planBackends,
  startFirstBackend,
  type BackendAssessment,
  type BackendChoice,
  type BackendName,
  type BackendProbes,
} from "../../lib/backends/choice.ts";
import { modelToFiles } from "../../lib/model/model-io.ts";
import { runRow, type RunEnvironment } from "../../lib/model/run-row.ts";
import { configFromRowId, rowId as rowIdOf } from "../../lib/study/study.ts";
import { protocolSchema } from "../../lib/study/schema.ts";
import type {
  BackendSelection,
  DataProgress,
  DataResult,
  ExportedModel,
  LoadedData,
  MemoryReport,
  TrainCallbacks,
  TrainerConfig,
  TrainerDeps,
  TrainOutcome,
  TrainRequest,
} from "./api-types.ts";
import { describeFailure, type FailurePhase, type TrainerFailure } from "./failure.ts";

export type * from "./api-types.ts";

/**
 * Call a callback that may be a comlink proxy, without waiting for it and without unhandled
 * rejections. @returns the call's settled promise (for a final flush), or null.
 */
function notify<A>(callback: ((arg: A) => unknown) | undefined, arg: A): Promise<unknown> | null {
  if (!callback) return null;
  try {
    const result = callback(arg);
    if (result && typeof (result as Promise<unknown>).then === "function") return (result as Promise<unknown>).then(undefined, () => {});
  } catch {
    // A callback's failure must not stop training.
  }
  return null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with null once `signal` aborts (never, when it does not). */
const whenAborted = (signal: AbortSignal) =>
  new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    else signal.addEventListener("abort", () => resolve(null), { once: true });
  });

/**
 * Make the api. State (backend, dataset, trained model, current training) lives in the closure:
 * one api per worker, one training at a time.
 */
export function createTrainerApi(deps: TrainerDeps) {
  let config: TrainerConfig | null = null;
  let probes: BackendProbes | null = null;
  let selection: BackendSelection | null = null;
  let data: Promise<LoadedData> | null = null;
  const dataListeners = new Set<(p: DataProgress) => void>();
  let controller: AbortController | null = null;
  let busy = false;
  let model: { model: tf.LayersModel; runId: string; rowId: string } | null = null;
  let baselineTensors: number | null = null;

  const requireConfig = (): TrainerConfig => {
    if (!config) throw new Error("trainer: call init({ dataUrl, wasmPaths }) first");
    return config;
  };

  const memory = (): MemoryReport => {
    const m = tf.memory() as tf.MemoryInfo & { unreliable?: boolean };
    return {
      numTensors: m.numTensors,
      numBytes: m.numBytes,
      numDataBuffers: m.numDataBuffers,
      unreliable: Boolean(m.unreliable),
      backend: selection?.backend ?? null,
      baselineTensors,
      modelKept: model !== null,
    };
  };

  const releaseModel = () => {
    model?.model.dispose();
    model = null;
  };

  const busyFailure = (): TrainerFailure => ({
    kind: "busy",
    message: "A training is already running in this tab; wait for it to finish or cancel it.",
    detail: "trainer busy",
    retryOnOtherBackend: false,
  });

  async function startBackend(choice: BackendChoice): Promise<BackendSelection> {
    const cfg = requireConfig();
    probes ??= await deps.probeBackends();
    const plan = planBackends(probes, choice);
    const { backend: active, attempts } = await startFirstBackend(
      plan.candidates,
      (candidate) => {
        // The kept model's tensors live on the old backend.
        releaseModel();
        return deps.activateBackend(candidate, cfg);
      },
      (candidate) => selection?.backend === candidate && tf.getBackend() === candidate,
    );
    const explanation = explainChoice(plan, attempts);
    const assessment = plan.assessments.find((a) => a.backend === active);
    const result: BackendSelection = {
      backend: active,
      choice,
      explanation,
      attempts,
      assessments: plan.assessments,
      ...(active === "webgl" || active === "webgpu" ? { device: assessment?.device } : {}),
    };
    const threads = active === "wasm" ? deps.wasmThreads?.() : undefined;
    if (threads !== undefined) result.wasmThreads = threads;
    const isolated = deps.crossOriginIsolated?.();
    if (isolated !== undefined) result.crossOriginIsolated = isolated;
    if (!active) {
      result.failure = {
        kind: "no-backend",
        message:
          choice === "auto"
            ? "No TensorFlow.js backend could start in this browser, so training cannot run here."
            : `${choice} could not start in this browser. Pick another backend.`,
        detail: explanation,
        retryOnOtherBackend: choice !== "auto",
      };
      selection = null;
    } else {
      selection = result;
    }
    return result;
  }

  function loadDatasetOnce(onProgress?: (p: DataProgress) => void): Promise<LoadedData> {
    const cfg = requireConfig();
    if (onProgress) dataListeners.add(onProgress);
    if (!data) {
      data = deps.loadDataset(cfg, (p) => dataListeners.forEach((listener) => listener(p)));
      // A failed load is forgotten so that a retry fetches again.
      data.catch(() => {
        data = null;
      });
    }
    const settled = data;
    return settled.finally(() => {
      if (onProgress) dataListeners.delete(onProgress);
    });
  }

  function environment(backend: BackendName): RunEnvironment {
    const facts = deps.deviceFacts();
    const env: RunEnvironment = { runtime: "browser", backend, tfjsVersion: tf.version.tfjs };
    if (facts.userAgent) env.userAgent = facts.userAgent;
    if (facts.cores && facts.cores > 0) env.cores = Math.round(facts.cores);
    if (facts.platform) env.platform = facts.platform;
    if (selection?.device) env.gpu = selection.device;
    if (backend === "wasm" && selection?.wasmThreads !== undefined) env.wasmThreads = selection.wasmThreads;
    return env;
  }

  const api = {
    /** Set the URLs the worker fetches from. Call once, before anything else. */
    init(options: TrainerConfig): { tfjsVersion: string } {
      for (const name of ["dataUrl", "wasmPaths"] as const) {
        const url = options[name];
        if (typeof url !== "string" || !/^(https?|file):\/\/.+\/$/.test(url)) {
          throw new Error(`trainer init: ${name} must be an absolute URL ending in "/", got ${String(url)}`);
        }
      }
      const threads = options.wasmThreads;
      if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
        throw new Error(`trainer init: wasmThreads must be a positive integer, got ${String(threads)}`);
      }
      config = { dataUrl: options.dataUrl, wasmPaths: options.wasmPaths, ...(threads !== undefined ? { wasmThreads: threads } : {}) };
      return { tfjsVersion: tf.version.tfjs };
    },

    /** The probes and the automatic plan, without starting any backend. */
    async probeBackends(): Promise<{ probes: BackendProbes; assessments: BackendAssessment[]; candidates: BackendName[] }> {
      probes ??= await deps.probeBackends();
      const plan = planBackends(probes, "auto");
      return { probes, assessments: plan.assessments, candidates: plan.candidates };
    },

    /** Start a backend: the reader's choice, or the fastest that works ("auto"). */
    async selectBackend(choice: BackendChoice = "auto"): Promise<BackendSelection> {
      if (busy) {
        return { backend: selection?.backend ?? null, choice, explanation: "", attempts: [], assessments: [], failure: busyFailure() };
      }
      return startBackend(choice);
    },

    /** Load the dataset (once per worker; later calls return the same data at once). */
    async loadData(onProgress?: (progress: DataProgress) => void): Promise<DataResult> {
      try {
        return { ok: true, info: (await loadDatasetOnce(onProgress ? (p) => notify(onProgress, p) : undefined)).info };
      } catch (error) {
        return { ok: false, failure: describeFailure(error, "data") };
      }
    },

    /** Train and evaluate one row; progress goes to `callbacks`. One training at a time. */
    async train(request: TrainRequest, callbacks: TrainCallbacks = {}): Promise<TrainOutcome> {
      if (busy) return { status: "failed", failure: busyFailure(), memory: memory() };
      const modelConfig = configFromRowId(request.rowId);
      if (rowIdOf(modelConfig) !== request.rowId) throw new Error(`Row id "${request.rowId}" is not canonical (expected "${rowIdOf(modelConfig)}")`);
      const protocol = protocolSchema.parse(request.protocol);
      busy = true;
      controller = new AbortController();
      // Callbacks use their own message port, so the outcome could overtake them; the outcome is
      // sent only once the page has answered the last callback (or after a second, if it cannot).
      let last: Promise<unknown> | null = null;
      const send = <A>(callback: ((arg: A) => unknown) | undefined, arg: A) => {
        last = notify(callback, arg) ?? last;
      };
      const signal = controller.signal;
      let phase: FailurePhase = "backend";
      try {
        send(callbacks.onPhase, "backend");
        const wanted = request.backend ?? selection?.choice ?? "auto";
        if (!selection || selection.choice !== wanted || tf.getBackend() !== selection.backend) {
          const picked = await startBackend(wanted);
          send(callbacks.onBackend, picked);
          if (picked.failure) return { status: "failed", failure: picked.failure, memory: memory() };
        } else {
          send(callbacks.onBackend, selection);
        }
        const backend = selection!.backend!;

        phase = "data";
        send(callbacks.onPhase, "data");
        // A cancel while the files download answers at once; the download goes on into the cache.
        const dataset = await Promise.race([loadDatasetOnce((p) => send(callbacks.onDataProgress, p)), whenAborted(signal)]);
        if (!dataset || signal.aborted) return { status: "cancelled", epochs: [], backend, memory: memory() };

        phase = "train";
        releaseModel();
        baselineTensors = tf.memory().numTensors;
        const result = await runRow({
          config: modelConfig,
          protocol,
          trainSet: dataset.train,
          testSet: dataset.test,
          environment: environment(backend),
          source: "reader",
          signal,
          onPhase: (phase) => {
            // "done": the record is made, so a cancel from now on is answered "too late" (cancel() is false).
            if (phase === "done") controller = null;
            send(callbacks.onPhase, phase);
          },
          onBatch: (p) => send(callbacks.onBatch, p),
          onEpoch: (r) => send(callbacks.onEpoch, r),
        });
        controller = null;
        if (result.aborted || !result.record) {
          result.model.dispose();
          return { status: "cancelled", epochs: result.epochs, backend, memory: memory() };
        }
        model = { model: result.model, runId: result.record.runId, rowId: result.record.rowId };
        return { status: "finished", record: result.record, backend, memory: memory() };
      } catch (error) {
        const backend = selection?.backend ?? undefined;
        const failure = describeFailure(error, phase, { backend, contextLost: deps.isContextLost?.() ?? false });
        return { status: "failed", failure, memory: memory() };
      } finally {
        if (last) await Promise.race([last, sleep(1000)]);
        busy = false;
        controller = null;
        // Close the callbacks' message port (a comlink proxy); a no-op for plain objects.
        (callbacks as { [releaseProxy]?: () => void })[releaseProxy]?.();
      }
    },

    /** Stop the running training before its next batch. @returns whether one was running (false once it has finished). */
    cancel(): boolean {
      if (!controller) return false;
      controller.abort();
      return true;
    },

    /** tf.memory() and what the api holds. */
    memory,

    /** Whether the worker answers, and what it is doing (a watchdog's ping). */
    status(): { busy: boolean; backend: string | null; dataLoaded: boolean } {
      return { busy, backend: selection?.backend ?? null, dataLoaded: data !== null };
    },

    /** The latest trained model in the tfjs format (weights transferred), or null when none is held. */
    async exportModel(): Promise<ExportedModel | null> {
      if (!model) return null;
      const files = await modelToFiles(model.model, "weights.bin");
      const bytes = files.weights;
      const weights =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
          ? (bytes.buffer as ArrayBuffer)
          : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      const exported: ExportedModel = { runId: model.runId, rowId: model.rowId, modelJson: files.modelJson, weights };
      return transfer(exported, [weights]);
    },

    /** Free the held model's tensors. */
    disposeModel(): void {
      releaseModel();
    },
  };
  return api;
}

/** The api's type, for `wrap<TrainerApi>` on the page. */
export type TrainerApi = ReturnType<typeof createTrainerApi>;

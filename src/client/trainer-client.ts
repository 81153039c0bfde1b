/**
 * The page's handle on the rerun worker: creates it on first use, passes it the site's URLs,
 * forwards progress, and survives its failures. A worker that errors or stops answering a
 * cancel is terminated and replaced on the next run; callbacks it still delivers after that
 * (Chromium delivers some up to ~1.7 s after terminate()) are ignored, and a pending call is
 * raced against the worker's death so that it always settles.
 */
import { proxy, wrap, type Remote } from "comlink";
import type { BackendChoice } from "../lib/backends/choice.ts";
import type { BackendSelection, DataProgress, ExportedModel, MemoryReport, TrainOutcome, RerunPhase, TrainRequest } from "../workers/trainer/api.ts";
import { workerCrashFailure } from "../workers/trainer/failure.ts";
import type { EpochRecord } from "../lib/study/schema.ts";
import type { BatchProgress } from "../lib/model/train.ts";
import type { Api } from "../workers/trainer/trainer.worker.ts";

/** How long a cancelled run may take to stop by itself before its worker is terminated. */
export const CANCEL_GRACE_MS = 3_000;

/** Progress handlers of one run. */
export interface RunHandlers {
  onPhase?(phase: RerunPhase): void;
  onBackend?(selection: BackendSelection): void;
  onDataProgress?(progress: DataProgress): void;
  onBatch?(progress: BatchProgress): void;
  onEpoch?(record: EpochRecord): void;
}

/** A run's outcome, plus `terminated` when the worker had to be killed to stop it. */
export type ClientOutcome = TrainOutcome | { status: "cancelled"; epochs: EpochRecord[]; backend: string | null; memory: null; terminated: true };

interface Live {
  worker: Worker;
  api: Remote<Api>;
  /** Resolves with a reason when the worker dies (error event) or is terminated. */
  died: Promise<string>;
  kill(reason: string): void;
  ready: Promise<unknown>;
}

/** The URLs the worker needs, from the site's base URL (import.meta.env.BASE_URL) and the page location. */
export function trainerUrls(baseUrl: string, location: string): { dataUrl: string; wasmPaths: string } {
  const base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`, location);
  return { dataUrl: new URL("data/fashion-mnist/", base).href, wasmPaths: new URL("data/tfjs-wasm/", base).href };
}

/** Options of {@link createTrainerClient}. */
export interface TrainerClientOptions {
  /** The site's base URL (import.meta.env.BASE_URL). */
  baseUrl: string;
  /** The page's URL, against which the base resolves (default: location.href). */
  pageUrl?: string;
  /** Make the worker (tests pass a fake). */
  createWorker?: () => Worker;
  /** How long a cancelled run may take to stop before its worker is terminated (default CANCEL_GRACE_MS). */
  cancelGraceMs?: number;
}

/** Create the client. Nothing starts until the first call. */
export function createTrainerClient(options: TrainerClientOptions) {
  const graceMs = options.cancelGraceMs ?? CANCEL_GRACE_MS;
  const makeWorker =
    options.createWorker ??
    (() => new Worker(new URL("../workers/trainer/trainer.worker.ts", import.meta.url), { type: "module", name: "fashion-mnist-trainer" }));
  let live: Live | null = null;
  let token = 0;
  let running: { token: number; promise: Promise<ClientOutcome>; settleCancelled: (o: ClientOutcome) => void; note: { backend: string | null } } | null = null;

  function start(): Live {
    if (live) return live;
    const worker = makeWorker();
    let kill!: (reason: string) => void;
    let dead = false;
    const died = new Promise<string>((resolve) => {
      kill = (reason: string) => {
        if (dead) return;
        dead = true;
        worker.terminate();
        resolve(reason);
      };
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      const where = event.filename ? ` (${event.filename}:${event.lineno})` : "";
      current.kill(`the worker failed: ${event.message || "script error"}${where}`);
    });
    worker.addEventListener("messageerror", () => current.kill("the worker sent a message that could not be read"));
    const api = wrap<Api>(worker);
    const current: Live = {
      worker,
      api,
      died,
      kill: (reason) => {
        if (live === current) live = null;
        kill(reason);
      },
      ready: Promise.race([api.init(trainerUrls(options.baseUrl, options.pageUrl ?? location.href)), died.then((r) => Promise.reject(new Error(r)))]),
    };
    live = current;
    return current;
  }

  /** Race a worker call against the worker's death. */
  async function call<T>(f: (api: Remote<Api>) => Promise<T>): Promise<T> {
    const w = start();
    await w.ready;
    return Promise.race([f(w.api), w.died.then((reason) => Promise.reject(new Error(reason)))]);
  }

  const client = {
    /** Whether a run is in progress. */
    get busy(): boolean {
      return running !== null;
    },

    /** Train one row. Resolves with the outcome; never rejects for worker failures (they become `failed`). */
    run(request: TrainRequest, handlers: RunHandlers): Promise<ClientOutcome> {
      if (running) throw new Error("a rerun is already running in this tab");
      const mine = ++token;
      // Late callbacks from a terminated worker, or from a run that was given up, are dropped.
      const guard =
        <A>(f: ((a: A) => void) | undefined) =>
        (a: A) => {
          if (mine === token && f) f(a);
        };
      const callbacks = proxy({
        onPhase: guard(handlers.onPhase),
        onBackend: guard(handlers.onBackend),
        onDataProgress: guard(handlers.onDataProgress),
        onBatch: guard(handlers.onBatch),
        onEpoch: guard(handlers.onEpoch),
      });
      let settleCancelled!: (o: ClientOutcome) => void;
      const note = { backend: null as string | null };
      const cancelled = new Promise<ClientOutcome>((resolve) => (settleCancelled = resolve));
      const work = (async (): Promise<ClientOutcome> => {
        const w = start();
        try {
          await w.ready;
          const outcome = await Promise.race([w.api.train(request, callbacks), w.died.then((reason) => Promise.reject(new Error(reason)))]);
          // After failures that may leave the worker's state damaged, start afresh next time.
          if (outcome.status === "failed" && ["out-of-memory", "webgl-context-lost", "unexpected", "diverged"].includes(outcome.failure.kind)) {
            w.kill("replaced after a failure");
          }
          return outcome;
        } catch (error) {
          w.kill("crashed");
          const reason = error instanceof Error ? error.message : String(error);
          return {
            status: "failed",
            failure: workerCrashFailure(reason, note.backend ?? undefined),
            memory: { numTensors: 0, numBytes: 0, numDataBuffers: 0, unreliable: true, backend: null, baselineTensors: null, modelKept: false },
          };
        }
      })();
      const promise = Promise.race([work, cancelled]).finally(() => {
        if (running?.token === mine) running = null;
      });
      running = { token: mine, promise, settleCancelled, note };
      return promise;
    },

    /** Record the backend of the running run (for failure reports). */
    noteBackend(backend: string | null): void {
      if (running) running.note.backend = backend;
    },

    /**
     * Cancel the running run: ask the worker to stop before its next batch; if it has not
     * stopped within CANCEL_GRACE_MS (a long evaluation, a hung GPU), terminate it.
     */
    async cancel(): Promise<void> {
      const run = running;
      if (!run) return;
      const w = live;
      if (w) void w.api.cancel().catch(() => {});
      const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs));
      const result = await Promise.race([run.promise.then(() => "settled" as const), timer]);
      if (result === "timeout" && running?.token === run.token) {
        token++;
        w?.kill("terminated after a cancel");
        run.settleCancelled({ status: "cancelled", epochs: [], backend: run.note.backend, memory: null, terminated: true });
      }
    },

    /** Probe backends in the worker (no backend is started). */
    probe: () => call((api) => api.probeBackends()),
    /** The worker's tf.memory(). */
    memory: (): Promise<MemoryReport> => call((api) => api.memory()),
    /** Start a backend ahead of a run. */
    selectBackend: (choice: BackendChoice) => call((api) => api.selectBackend(choice)),
    /** The latest trained model (weights transferred), or null. */
    exportModel: (): Promise<ExportedModel | null> => call((api) => api.exportModel()),
    /** Free the latest trained model in the worker. */
    disposeModel: () => call((api) => api.disposeModel()),

    /** Terminate the worker (a later call starts a fresh one). */
    terminate(): void {
      token++;
      live?.kill("terminated");
    },
  };
  return client;
}

/** The client's type. */
export type TrainerClient = ReturnType<typeof createTrainerClient>;

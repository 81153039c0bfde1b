/**
 * The page's handle on the Grad-CAM worker: every call is raced against the worker's death (an
 * error event, an unreadable message, or terminate()), so that a call to a dead worker rejects
 * with a message saying so instead of waiting forever, as a bare comlink wrap would.
 */
import { wrap, type Remote } from "comlink";
import type { Api } from "../../workers/gradcam/gradcam.worker.ts";

/** Options of {@link createGradCamClient}. */
export interface GradCamClientOptions {
  /** Make the worker (tests pass a fake). */
  createWorker?: () => Worker;
}

/** The reason a dead worker's calls reject with, from its error event. */
export function workerFailureMessage(event: { message?: string; filename?: string; lineno?: number }): string {
  const where = event.filename ? ` (${event.filename}:${event.lineno})` : "";
  return `The Grad-CAM worker failed: ${event.message || "see the browser console"}${where}. Reload the page to start it again.`;
}

/** Start the worker and wrap it. */
export function createGradCamClient(options: GradCamClientOptions = {}) {
  const worker = options.createWorker
    ? options.createWorker()
    : new Worker(new URL("../../workers/gradcam/gradcam.worker.ts", import.meta.url), { type: "module", name: "fashion-mnist-gradcam" });
  let kill!: (reason: string) => void;
  let dead = false;
  /** Resolves with a reason when the worker dies or is terminated. */
  const died = new Promise<string>((resolve) => {
    kill = (reason) => {
      if (dead) return;
      dead = true;
      worker.terminate();
      resolve(reason);
    };
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    kill(workerFailureMessage(event));
  });
  worker.addEventListener("messageerror", () => kill("The Grad-CAM worker sent a message that could not be read. Reload the page to start it again."));
  const api = wrap<Api>(worker);
  const call = <T>(f: (api: Remote<Api>) => Promise<T>): Promise<T> => Promise.race([f(api), died.then((reason) => Promise.reject(new Error(reason)))]);

  return {
    /** Resolves with the reason once the worker has died. */
    died,
    /** Start a backend and load a model. */
    init: (options: Parameters<Api["init"]>[0]) => call((a) => a.init(options)),
    /** Load the test split (labels come back; images stay in the worker). */
    loadTestSet: (manifestUrl: string) => call((a) => a.loadTestSet(manifestUrl)),
    /** Grad-CAM of one test image at each of `layers`. */
    compare: (index: number, layers: string[], targetClass?: number) => call((a) => a.compare(index, layers, targetClass)),
    /** The test images the model gets wrong. */
    misclassified: () => call((a) => a.misclassified()),
    /** The models the reader trained, kept in this browser. */
    listStoredModels: () => call((a) => a.listStoredModels()),
    /** Terminate the worker: pending and later calls reject. */
    terminate: () => kill("The Grad-CAM worker was stopped."),
  };
}

/** The client's type. */
export type GradCamClient = ReturnType<typeof createGradCamClient>;

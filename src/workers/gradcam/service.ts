/**
 * What the Grad-CAM worker does, without the worker: choose a backend (probes and planBackends,
 * as the trainer does), load a model (the shipped pretrained weights, model files handed over, or
 * a reader's rerun from IndexedDB), load the test split, and compute Grad-CAM maps for test images
 * by index. The worker exposes this object with comlink; tests call it directly or over a
 * MessageChannel. Only plain objects and typed arrays go in and out.
 */
import * as tf from "@tensorflow/tfjs";
import { scaleToUnit } from "../../lib/data/splits.ts";
import { computeGradCam, gradCamLayers, type GradCamResult } from "../../lib/model/gradcam.ts";
import { predictSet } from "../../lib/model/metrics.ts";
import { modelFromFiles, type ModelFiles } from "../../lib/model/model-io.ts";
import { createDataFetcher, manifestFileFetcher } from "../../lib/data/cached-fetch.ts";
import { loadPreparedSplit, parsePreparedManifest, type FashionMnistSplit } from "../../lib/data/prepared.ts";
import { misclassifiedOf } from "../../lib/model/run-row.ts";
import { planBackends, startFirstBackend, type BackendProbes } from "../../lib/backends/choice.ts";
import { BACKEND_LABELS, type BackendChoice, type BackendName } from "../../lib/backends/names.ts";
import type { LoadedStoredModel, StoredModelInfo } from "../../lib/storage/reruns-db.ts";
import { runRecordSchema, type RunRecord } from "../../lib/study/schema.ts";

export type { BackendChoice, BackendName, StoredModelInfo };

/** Where the model comes from. */
export type ModelSource =
  /** tfjs `model.json` at a URL (weights beside it), with the run record it came from, if any. */
  | { kind: "url"; url: string; runUrl?: string }
  /** Model files handed over, e.g. from a finished rerun (weights as bytes). */
  | { kind: "files"; files: { modelJson: Record<string, unknown>; weights: ArrayBuffer | Uint8Array }; label?: string }
  /** A reader's rerun stored in IndexedDB (src/lib/storage/reruns-db.ts), by run id. */
  | { kind: "stored"; runId: string };

/** Options of {@link GradCamService.init}. */
export interface InitOptions {
  /**
   * Backend to use (default "auto": the fastest the probes find, in planBackends' order). When a
   * named backend is unavailable or cannot start, the automatic order is tried after it.
   */
  backend?: BackendChoice;
  /** URL of the folder with the tfjs wasm binaries, ending in "/". */
  wasmPaths?: string;
  model: ModelSource;
}

/** The loaded model, as the page shows it. */
export interface ModelInfo {
  /** The model's name, e.g. `cnn-32-64-3-64` (the row id for the study's models). */
  name: string;
  family: "cnn" | "resnet" | "other";
  /** Grad-CAM target layers in network order. */
  layers: string[];
  parameters: number;
  /** Backend in use. */
  backend: BackendName;
  /** What was asked for: a backend, or "auto". */
  backendChoice: BackendChoice;
  /**
   * Why the backend in use is not the one asked for (unavailable, or it could not start), or why
   * "auto" did not get its first pick; null when neither happened.
   */
  backendNote: string | null;
  /** wasm only: XNNPACK threads the backend runs on (more than 1 in a cross-origin-isolated page). */
  wasmThreads?: number;
  /** From the model's run record (published with the shipped model, or kept with a rerun); else null. */
  run: { runId: string; protocol: string; testAccuracy: number; bestEpoch: number; misclassifiedListed: number } | null;
}

/** A Grad-CAM map of one test image, with the image and its label. */
export interface GradCamView extends GradCamResult {
  /** Index in the official 10,000-image test set. */
  index: number;
  /** True class 0..9. */
  label: number;
  /** The image: 784 grey-scale bytes (0..255), row-major 28x28. */
  pixels: Uint8Array;
  /** Wall-clock time of the Grad-CAM computation in the worker, ms. */
  milliseconds: number;
}

/** A misclassified test image. */
export type Misclassified = NonNullable<RunRecord["misclassified"]>[number];

/** What the service needs from its host (the worker's globals, or fakes in tests). */
export interface GradCamServiceDeps {
  fetch: (url: string) => Promise<Response>;
  /** The Cache API, shared with the trainer's dataset files (src/lib/data/cached-fetch.ts); absent or null: none. */
  caches?: CacheStorage | null;
  /** What the browser offers (src/lib/backends/probe.ts's probeBackends); called once. */
  probeBackends: () => Promise<BackendProbes>;
  /** Makes `name` the active tfjs backend (use-backend.ts's startPlannedBackend); throws with the reason it cannot. */
  activateBackend: (name: BackendName, options: { wasmPaths?: string }) => Promise<unknown>;
  /** XNNPACK threads of the running wasm backend (use-backend.ts's describeBackend); absent: not told. */
  wasmThreads?: () => number | undefined;
  /** The reader's stored models (src/lib/storage/reruns-db.ts); absent or null: there are none. */
  storedModels?: StoredModelsReader | null;
}

/** Read access to the reader's stored models, as src/lib/storage/reruns-db.ts gives it. */
export interface StoredModelsReader {
  /** The stored models, newest first, without weights. */
  list(): Promise<StoredModelInfo[]>;
  /** One stored model with its files, or undefined. */
  read(runId: string): Promise<LoadedStoredModel | undefined>;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

const HINT_MODEL = "the site was built without it; the maintainer publishes it with `npm run reproduce -- cnn-32-64-3-64 --save-model`";
const HINT_DATA = "the site was built without the Fashion-MNIST data; run `npm run data` before `npm run build`";

/** Creates the service; one model and one test set at a time. */
export function createGradCamService(deps: GradCamServiceDeps) {
  let probes: BackendProbes | null = null;
  let backend: BackendName | null = null;
  let backendRequest: BackendChoice | null = null;
  let backendNote: string | null = null;
  let model: tf.LayersModel | null = null;
  let run: RunRecord | null = null;
  let test: FashionMnistSplit | null = null;
  let misclassifiedCache: Misclassified[] | null = null;

  const fetchOk = async (url: string, what: string, hint: string): Promise<Response> => {
    let response: Response;
    try {
      response = await deps.fetch(url);
    } catch (error) {
      throw new Error(`Could not fetch ${what} from ${url}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) throw new Error(`${what} was not found at ${url} (HTTP ${response.status}): ${hint}`);
    return response;
  };

  const loadFromUrl = async (url: string): Promise<tf.LayersModel> => {
    const modelJson = (await (await fetchOk(url, "The pretrained model", HINT_MODEL)).json()) as Record<string, unknown>;
    const groups = (modelJson.weightsManifest ?? []) as { paths: string[] }[];
    const parts = await Promise.all(
      groups
        .flatMap((g) => g.paths)
        .map(async (path) => {
          const weightsUrl = new URL(path, url).href;
          return new Uint8Array(await (await fetchOk(weightsUrl, "The model's weights", HINT_MODEL)).arrayBuffer());
        }),
    );
    const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (weights.set(p, offset), offset + p.length), 0);
    return modelFromFiles({ modelJson, weights });
  };

  const loadRun = async (url: string): Promise<RunRecord | null> => {
    const response = await deps.fetch(url).catch(() => null);
    if (!response?.ok) return null;
    const parsed = runRecordSchema.safeParse(await response.json().catch(() => null));
    return parsed.success ? parsed.data : null;
  };

  /**
   * Starts the first backend that works, in planBackends' order for the choice; a named backend
   * that is unavailable or fails is followed by the automatic order. Sets backend and backendNote.
   */
  const selectBackend = async (choice: BackendChoice, wasmPaths: string | undefined): Promise<void> => {
    probes ??= await deps.probeBackends();
    const plan = planBackends(probes, choice);
    const auto = choice === "auto" ? plan : planBackends(probes, "auto");
    const order = [...new Set([...plan.candidates, ...auto.candidates])];
    backend = null;
    const started = await startFirstBackend(order, (name) => deps.activateBackend(name, { wasmPaths }));
    const attempts = started.attempts;
    backend = started.backend;
    const failures = attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.error}`);
    if (backend === null) {
      throw new Error(`No TensorFlow.js backend could start here (${failures.length ? failures.join("; ") : "none is available"})`);
    }
    if (choice !== "auto" && plan.candidates.length === 0) {
      const reason = plan.assessments.find((a) => a.backend === choice)?.reason ?? "";
      backendNote = `${BACKEND_LABELS[choice]} is not available here, so ${backend} is used (${reason.replace(/\.$/, "")})`;
    } else if (failures.length) {
      backendNote = `${choice === "auto" ? order[0] : choice} could not start, so ${backend} is used (${failures[0]})`;
    } else {
      backendNote = null;
    }
  };

  const requireModel = (): tf.LayersModel => {
    if (!model) throw new Error("No model loaded: call init() first");
    return model;
  };
  const requireImage = (index: number): { pixels: Uint8Array; label: number } => {
    if (!test) throw new Error("No test images loaded: call loadTestSet() first");
    if (!Number.isInteger(index) || index < 0 || index >= test.count) {
      throw new Error(`Test image index must be an integer in 0..${test.count - 1}, got ${index}`);
    }
    return { pixels: test.images.slice(index * 784, (index + 1) * 784), label: test.labels[index] };
  };

  /**
   * Grad-CAM of test image `index` at `layer` for `targetClass` (default: the predicted class).
   * @throws on an unknown layer or an index outside the test set
   */
  const compute = async (index: number, layer: string, targetClass?: number): Promise<GradCamView> => {
    const current = requireModel();
    const { pixels, label } = requireImage(index);
    const start = performance.now();
    const result = await computeGradCam(current, scaleToUnit(pixels), { layer, targetClass });
    return { ...result, index, label, pixels, milliseconds: performance.now() - start };
  };

  return {
    /**
     * Selects the backend (first call, or when it changes) and loads the model, replacing any
     * previous one.
     * @throws when the model cannot be fetched or read, naming the URL and what to do
     */
    async init(options: InitOptions): Promise<ModelInfo> {
      const requested = options.backend ?? "auto";
      if (backend === null || backendRequest !== requested) {
        // The model's tensors live on the old backend.
        model?.dispose();
        model = null;
        backendRequest = null;
        await selectBackend(requested, options.wasmPaths);
        backendRequest = requested;
      }
      const active = backend!;
      const source = options.model;
      let next: tf.LayersModel;
      let nextRun: RunRecord | null = null;
      if (source.kind === "url") {
        [next, nextRun] = await Promise.all([loadFromUrl(source.url), source.runUrl ? loadRun(source.runUrl) : null]);
      } else if (source.kind === "files") {
        const w = source.files.weights;
        const weights = w instanceof Uint8Array ? w : new Uint8Array(w);
        next = await modelFromFiles({ modelJson: source.files.modelJson, weights } satisfies ModelFiles);
      } else {
        let stored: LoadedStoredModel | undefined;
        try {
          stored = await deps.storedModels?.read(source.runId);
        } catch (error) {
          throw new Error(`Your rerun "${source.runId}" could not be read from this browser's storage: ${errorText(error)}`, { cause: error });
        }
        if (!stored) throw new Error(`Your rerun "${source.runId}" is no longer in this browser's storage`);
        next = await modelFromFiles(stored.files);
        const record = runRecordSchema.safeParse(stored.record);
        nextRun = record.success ? record.data : null;
      }
      model?.dispose();
      model = next;
      run = nextRun;
      misclassifiedCache = null;
      const layers = gradCamLayers(next);
      if (layers.length === 0) throw new Error(`Model "${next.name}" has no convolutional layer Grad-CAM can target`);
      return {
        name: next.name,
        family: layers.includes("conv1") ? "cnn" : layers.includes("stem_relu") ? "resnet" : "other",
        layers,
        parameters: next.countParams(),
        backend: active,
        backendChoice: requested,
        ...(active === "wasm" && deps.wasmThreads?.() !== undefined ? { wasmThreads: deps.wasmThreads()! } : {}),
        backendNote,
        run: run && {
          runId: run.runId,
          protocol: run.protocol.name,
          testAccuracy: run.metrics.test.accuracy,
          bestEpoch: run.bestEpoch,
          misclassifiedListed: run.misclassified?.length ?? 0,
        },
      };
    },

    /**
     * Loads the 10,000 test images and labels from the prepared data.
     * @param manifestUrl absolute URL of public/data/fashion-mnist/manifest.json as served
     * @returns the number of images and every label (0..9)
     */
    async loadTestSet(manifestUrl: string): Promise<{ count: number; labels: Uint8Array }> {
      const manifest = parsePreparedManifest(await (await fetchOk(manifestUrl, "The test images' manifest", HINT_DATA)).json());
      const fetcher = createDataFetcher({ dataUrl: new URL(".", manifestUrl).href, fetch: deps.fetch, caches: deps.caches ?? null });
      const fetchFile = manifestFileFetcher(manifest, fetcher);
      test = await loadPreparedSplit(
        (path) => fetchFile(path).catch((error: unknown) => Promise.reject(new Error(`${errorText(error)}: ${HINT_DATA}`, { cause: error }))),
        manifest,
        "test",
      );
      misclassifiedCache = null;
      return { count: test.count, labels: test.labels.slice() };
    },

    /** One test image: 784 bytes (0..255) and its label. */
    async image(index: number): Promise<{ index: number; label: number; pixels: Uint8Array }> {
      return { index, ...requireImage(index) };
    },

    compute,

    /** Grad-CAM of one image at several layers (default: every target layer), in network order. */
    async compare(index: number, layers?: string[], targetClass?: number): Promise<GradCamView[]> {
      const views: GradCamView[] = [];
      for (const layer of layers ?? gradCamLayers(requireModel())) views.push(await compute(index, layer, targetClass));
      return views;
    },

    /**
     * Misclassified test images, most confident mistakes first: from the shipped model's run
     * record when it lists them, else found by classifying the whole test set (a few seconds).
     */
    async misclassified(limit = 500): Promise<Misclassified[]> {
      if (run?.misclassified?.length) return run.misclassified.slice(0, limit);
      if (!misclassifiedCache) {
        const current = requireModel();
        if (!test) throw new Error("No test images loaded: call loadTestSet() first");
        const predictions = await predictSet(current, test, 250);
        misclassifiedCache = misclassifiedOf(test.labels, predictions!, test.count) ?? [];
      }
      return misclassifiedCache.slice(0, limit);
    },

    /** The reader's reruns stored in this browser, newest first (no weights). */
    async listStoredModels(): Promise<StoredModelInfo[]> {
      if (!deps.storedModels) return [];
      try {
        return await deps.storedModels.list();
      } catch (error) {
        // Storage that cannot be read (private mode, quota, a blocked upgrade) only means no reader models.
        console.warn(`Grad-CAM: your stored reruns cannot be listed: ${errorText(error)}`);
        return [];
      }
    },

    /** Frees the model's tensors. */
    dispose(): void {
      model?.dispose();
      model = null;
    },
  };
}

/** The service's api, as the page sees it through comlink. */
export type GradCamService = ReturnType<typeof createGradCamService>;

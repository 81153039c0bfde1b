/**
 * The Grad-CAM page's state, in one object: what the reader picked (image, layer, target class,
 * model, backend), what the worker returned for it, and what the URL asked for that cannot be
 * shown. Pure: the page (gradcam-page.ts) holds one GradCamState and draws from it.
 */
import type { BackendChoice } from "../../lib/backends/names.ts";
import type { GradCamView, Misclassified, ModelInfo } from "../../workers/gradcam/service.ts";
import { keyFromParam, paramFromKey } from "./model-key.ts";
import { checkBackendParam, checkTargetParam } from "./url-params.ts";

/** Everything the page shows, and what it asked the worker for. */
export interface GradCamState {
  /** Test image shown; ?image= is checked once the test set's size is known. */
  index: number;
  /** Layer shown; null until the model's layers are known (?layer= is checked then). */
  layer: string | null;
  /** Class explained; null: the predicted class. */
  target: number | null;
  /** The model menu's value (see model-key.ts); null when there is no model to show. */
  modelKey: string | null;
  /** The key shown when ?model= is absent: the first published model's, or null. */
  defaultKey: string | null;
  /** ?model= as the URL gave it, for the message when it names no model. */
  modelParam: string | null;
  backend: BackendChoice;
  /** The loaded model; null before the first load. */
  info: ModelInfo | null;
  /** Test labels, one per test image (empty before the test set is loaded). */
  labels: Uint8Array;
  /** Every layer's map for the current image and target. */
  views: GradCamView[];
  /** The model's wrong test images, once asked for. */
  misclassified: Misclassified[] | null;
  /** A sentence appended to the next model description (the model ?model= named was missing), then cleared. */
  notice: string;
  /** What the URL asked for that cannot be shown, by parameter: shown until the reader changes that pick. */
  urlProblems: Map<string, string>;
}

/** The state before anything is loaded, from the page's URL parameters. */
export function initialState(params: URLSearchParams, classCount: number, shippedRowIds: readonly string[]): GradCamState {
  const urlProblems = new Map<string, string>();
  const target = checkTargetParam(params.get("target"), classCount);
  if (target.problem) urlProblems.set("target", target.problem);
  // ?backend=<name> asks for one backend; absent (or "auto"): the fastest the worker's probes find.
  const backend = checkBackendParam(params.get("backend"));
  if (backend.problem) urlProblems.set("backend", backend.problem);
  const modelParam = params.get("model");
  return {
    index: 0,
    layer: null,
    target: target.value,
    modelKey: keyFromParam(modelParam, shippedRowIds),
    defaultKey: keyFromParam(null, shippedRowIds),
    modelParam,
    backend: backend.value,
    info: null,
    labels: new Uint8Array(0),
    views: [],
    misclassified: null,
    notice: "",
    urlProblems,
  };
}

/**
 * Settle the image and layer before a computation: the index clamped to the test set, and the
 * deepest layer (the usual Grad-CAM target: the coarsest but most class-specific map) when none
 * or an unknown one is picked.
 */
export function settlePicks(state: GradCamState): void {
  state.index = Math.min(Math.max(0, Math.trunc(state.index)), Math.max(0, state.labels.length - 1));
  const layers = state.info?.layers ?? [];
  if (layers.length && (!state.layer || !layers.includes(state.layer))) state.layer = layers[layers.length - 1];
}

/** The view of the picked layer, else the first. */
export function currentView(state: GradCamState): GradCamView | undefined {
  return state.views.find((v) => v.layer === state.layer) ?? state.views[0];
}

/**
 * The page's query for a state: ?image=&layer=&target=&model=&backend=, defaults left out, other
 * parameters of `current` kept.
 */
export function searchFor(state: GradCamState, current: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(current);
  next.set("image", String(state.index));
  if (state.layer) next.set("layer", state.layer);
  if (state.target === null) next.delete("target");
  else next.set("target", String(state.target));
  const model = paramFromKey(state.modelKey, state.defaultKey);
  if (model === null) next.delete("model");
  else next.set("model", model);
  if (state.backend === "auto") next.delete("backend");
  else next.set("backend", state.backend);
  return next;
}

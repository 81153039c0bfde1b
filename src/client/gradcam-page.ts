/**
 * DOM glue of the Grad-CAM tool (src/components/GradCamTool.astro): starts the worker, wires the
 * controls, draws the maps and keeps the URL (?image=&layer=&target=&model=&backend=) in sync.
 * TensorFlow.js is only ever imported by the worker.
 */
import { wrap, type Remote } from "comlink";
import { BACKEND_LABELS, parseBackendChoice, type BackendChoice } from "../lib/backends/names.ts";
import { describeThreads } from "../lib/backends/thread-count.ts";
import type { GradCamView, Misclassified, ModelInfo, ModelSource } from "../workers/gradcam/service.ts";
import {
  colorize,
  colormapGradient,
  enlargeNearest,
  greyToRgba,
  overlay,
  resizeBilinear,
  topK,
  COLORMAP_NAMES,
  type ColormapName,
} from "../lib/charts/heatmap.ts";
import { createRng, randomInt } from "../lib/data/random.ts";
import { formatCount, formatPercent } from "../lib/format.ts";
import type { StoredModelInfo } from "../lib/storage/reruns-db.ts";
import type { Api } from "../workers/gradcam/gradcam.worker.ts";
import { storedModelLabel } from "./gradcam/model-label.ts";
import { checkBackendParam, checkImageParam, checkLayerParam, checkTargetParam } from "./gradcam/url-params.ts";

/** Rendered into data-config by GradCamTool.astro. */
interface Config {
  base: string;
  classNames: string[];
  /** Pretrained models published with this build (paths relative to the base). */
  shipped: { rowId: string; label: string; modelPath: string; runPath: string | null }[];
}

const SIDE = 28;
const BIG = 6; // main panels: 168 px
const SMALL = 4; // side-by-side tiles: 112 px

const LAYER_LABELS: Record<string, string> = {
  conv1: "conv1 (first convolution)",
  conv2: "conv2 (second convolution)",
  stem_relu: "stem_relu (stem, before pooling)",
};
const layerLabel = (name: string) => LAYER_LABELS[name] ?? name.replace(/^block(\d+)_out$/, "$& (output of residual block $1)");

function start(root: HTMLElement): void {
  const config = JSON.parse(root.dataset.config ?? "{}") as Config;
  const names = config.classNames;
  const el = <T extends HTMLElement>(key: string) => {
    const found = root.querySelector<T>(`[data-gradcam="${key}"]`);
    if (!found) throw new Error(`Grad-CAM markup lacks [data-gradcam="${key}"]`);
    return found;
  };
  const status = el<HTMLParagraphElement>("status");
  const errorBox = el<HTMLParagraphElement>("error");
  const urlProblemBox = el<HTMLElement>("url-problem");
  const form = el<HTMLFormElement>("controls");
  const modelSelect = el<HTMLSelectElement>("model");
  const backendSelect = el<HTMLSelectElement>("backend");
  const modelInfo = el<HTMLParagraphElement>("model-info");
  const indexInput = el<HTMLInputElement>("index");
  const classSelect = el<HTMLSelectElement>("class");
  const layerSelect = el<HTMLSelectElement>("layer");
  const targetSelect = el<HTMLSelectElement>("target");
  const colormapSelect = el<HTMLSelectElement>("colormap");
  const alphaInput = el<HTMLInputElement>("alpha");
  const imageCanvas = el<HTMLCanvasElement>("image");
  const heatmapCanvas = el<HTMLCanvasElement>("heatmap");
  const overlayCanvas = el<HTMLCanvasElement>("overlay");
  const imageCaption = el<HTMLElement>("image-caption");
  const heatmapCaption = el<HTMLElement>("heatmap-caption");
  const predicted = el<HTMLElement>("predicted");
  const truth = el<HTMLElement>("truth");
  const top3 = el<HTMLOListElement>("top3");
  const legendBar = el<HTMLElement>("legend-bar");
  const emptyNote = el<HTMLElement>("empty-note");
  const compare = el<HTMLElement>("compare");
  const controls = Array.from(root.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>("form [disabled]"));

  const url = (path: string) => new URL(`${config.base}${path}`, location.href).href;
  const params = new URLSearchParams(location.search);
  const rng = createRng(Date.now() >>> 0); // reader-facing "random" picks; reproducibility not wanted here

  let api: Remote<Api> | null = null;
  let info: ModelInfo | null = null;
  let labels: Uint8Array = new Uint8Array(0);
  let views: GradCamView[] = [];
  // What the URL asked for that cannot be shown, by parameter: shown until the reader changes that pick.
  const urlProblems = new Map<string, string>();
  const renderUrlProblems = () => {
    urlProblemBox.replaceChildren(
      ...Array.from(urlProblems.values(), (text) => {
        const p = document.createElement("p");
        p.textContent = text;
        return p;
      }),
    );
    urlProblemBox.hidden = urlProblems.size === 0;
  };
  const noteUrlProblem = (name: string, problem: string | undefined) => {
    if (!problem) return;
    urlProblems.set(name, problem);
    renderUrlProblems();
  };
  const settleUrlProblem = (...names: string[]) => {
    if (names.map((name) => urlProblems.delete(name)).some(Boolean)) renderUrlProblems();
  };
  // ?image= is checked once the test set's size is known, ?layer= once the model's layers are.
  let index = 0;
  let layer: string | null = null;
  const targetCheck = checkTargetParam(params.get("target"), names.length);
  let target: number | null = targetCheck.value;
  noteUrlProblem("target", targetCheck.problem);
  // Model keys: "shipped:<row id>" or "run:<run id>"; ?model= holds the row or run id, absent for the default.
  const defaultKey = config.shipped.length ? `shipped:${config.shipped[0].rowId}` : null;
  const modelParam = params.get("model");
  let modelKey: string | null = !modelParam
    ? defaultKey
    : config.shipped.some((m) => m.rowId === modelParam)
      ? `shipped:${modelParam}`
      : `run:${modelParam}`;
  const isShipped = (key: string | null) => key?.startsWith("shipped:") ?? false;
  // ?backend=<name> asks for one backend; absent (or "auto"): the fastest the worker's probes find.
  const backendCheck = checkBackendParam(params.get("backend"));
  let backend: BackendChoice = backendCheck.value;
  noteUrlProblem("backend", backendCheck.problem);
  let misclassified: Misclassified[] | null = null;
  let ticket = 0;
  let notice = "";

  const setStatus = (text: string) => void (status.textContent = text);
  const showError = (error: unknown) => {
    errorBox.textContent = error instanceof Error ? error.message : String(error);
    errorBox.hidden = false;
    setStatus("");
    root.setAttribute("aria-busy", "false");
  };
  const clearError = () => void (errorBox.hidden = true);
  const enable = (on: boolean) => controls.forEach((c) => (c.disabled = !on));

  const syncUrl = () => {
    const next = new URLSearchParams(location.search);
    next.set("image", String(index));
    if (layer) next.set("layer", layer);
    if (target === null) next.delete("target");
    else next.set("target", String(target));
    if (!modelKey || modelKey === defaultKey) next.delete("model");
    else next.set("model", modelKey.slice(modelKey.indexOf(":") + 1));
    if (backend === "auto") next.delete("backend");
    else next.set("backend", backend);
    history.replaceState(history.state, "", `${location.pathname}?${next}${location.hash}`);
  };

  const paint = (canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, side: number) => {
    canvas.width = canvas.height = side;
    canvas.getContext("2d")!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, side, side), 0, 0);
  };
  const drawView = (view: GradCamView, scale: number, imageCanvasOrNull: HTMLCanvasElement | null, heat: HTMLCanvasElement, over: HTMLCanvasElement) => {
    const side = SIDE * scale;
    const colormap = colormapSelect.value as ColormapName;
    const pixels = enlargeNearest(view.pixels, SIDE, scale);
    const smooth = resizeBilinear(view.heatmap, SIDE, SIDE, side, side);
    if (imageCanvasOrNull) paint(imageCanvasOrNull, greyToRgba(pixels), side);
    paint(heat, colorize(smooth, colormap), side);
    paint(over, overlay(pixels, smooth, Number(alphaInput.value), colormap), side);
  };

  const draw = () => {
    const view = views.find((v) => v.layer === layer) ?? views[0];
    if (!view) return;
    drawView(view, BIG, imageCanvas, heatmapCanvas, overlayCanvas);
    legendBar.style.background = colormapGradient(colormapSelect.value as ColormapName);
    const [h, w] = view.rawShape;
    const correct = view.predicted === view.label;
    imageCaption.textContent = `Test image #${view.index}`;
    imageCanvas.setAttribute("aria-label", `Test image ${view.index}, a ${names[view.label]}`);
    heatmapCaption.textContent = `Grad-CAM at ${view.layer} (${h}×${w}) for “${names[view.targetClass]}”`;
    heatmapCanvas.setAttribute("aria-label", `Grad-CAM heat map at layer ${view.layer} for class ${names[view.targetClass]}`);
    predicted.textContent = names[view.predicted];
    truth.textContent = `True class: ${names[view.label]} — ${correct ? "correct" : "misclassified"}`;
    top3.replaceChildren(
      ...topK(view.probabilities, 3).map(({ index: c, probability }) => {
        const li = document.createElement("li");
        li.textContent = `${names[c]}: ${(probability * 100).toFixed(1)}%`;
        const bar = document.createElement("span");
        bar.className = "bar";
        bar.style.width = `${Math.max(1, probability * 100)}%`;
        li.append(bar);
        return li;
      }),
    );
    emptyNote.hidden = view.maxEvidence > 0;
    emptyNote.textContent = `Nothing at ${view.layer} counts in favour of “${names[view.targetClass]}” for this image, so the map is empty.`;
    compare.replaceChildren(
      ...views.map((v) => {
        const figure = document.createElement("figure");
        const heat = document.createElement("canvas");
        const over = document.createElement("canvas");
        heat.setAttribute("role", "img");
        heat.setAttribute("aria-label", `Heat map at ${v.layer}`);
        over.setAttribute("role", "img");
        over.setAttribute("aria-label", `Heat map at ${v.layer} over the image`);
        heat.dataset.layer = over.dataset.layer = v.layer;
        drawView(v, SMALL, null, heat, over);
        const caption = document.createElement("figcaption");
        caption.textContent = `${layerLabel(v.layer)}, ${v.rawShape[0]}×${v.rawShape[1]}${v.maxEvidence > 0 ? "" : ": no positive evidence"}`;
        figure.append(heat, over, caption);
        return figure;
      }),
    );
  };

  /** Computes every layer's map for the current image and target, then draws. */
  const show = async () => {
    if (!api || !info) return;
    const mine = ++ticket;
    index = Math.min(Math.max(0, Math.trunc(index)), Math.max(0, labels.length - 1));
    indexInput.value = String(index);
    // Default: the deepest layer, the usual Grad-CAM target (the coarsest but most class-specific map).
    if (!layer || !info.layers.includes(layer)) layer = info.layers[info.layers.length - 1];
    layerSelect.value = layer;
    targetSelect.value = target === null ? "" : String(target);
    syncUrl();
    root.setAttribute("aria-busy", "true");
    setStatus(`Computing Grad-CAM for test image #${index}…`);
    try {
      const computed = await api.compare(index, info.layers, target ?? undefined);
      if (mine !== ticket) return;
      clearError();
      views = computed;
      draw();
      const total = computed.reduce((s, v) => s + v.milliseconds, 0);
      setStatus(`${computed.length} maps in ${total.toFixed(0)} ms on ${info.backend} (${(total / computed.length).toFixed(0)} ms per map).`);
      root.setAttribute("aria-busy", "false");
    } catch (error) {
      if (mine === ticket) showError(error);
    }
  };

  const describeModel = (m: ModelInfo) => {
    const on = `running on ${describeThreads(BACKEND_LABELS[m.backend], m.wasmThreads !== undefined && m.wasmThreads > 1 ? m.wasmThreads : undefined)}${m.backendChoice === "auto" && !m.backendNote ? " (picked automatically)" : ""}`;
    const parts = [`${m.name}`, `${formatCount(m.parameters)} parameters`, on];
    if (m.backendNote) parts.push(m.backendNote);
    if (!isShipped(modelKey)) parts.push("trained by you in this browser");
    if (m.run) {
      parts.push(`test accuracy ${formatPercent(m.run.testAccuracy)} (run ${m.run.runId}, ${m.run.protocol} protocol, best epoch ${m.run.bestEpoch})`);
    } else if (isShipped(modelKey)) {
      parts.push("no run record was published with it");
    }
    modelInfo.textContent = parts.join(" · ") + notice;
    notice = "";
  };

  const sourceFor = (key: string): ModelSource => {
    const shipped = config.shipped.find((m) => `shipped:${m.rowId}` === key);
    if (!shipped) return { kind: "stored", runId: key.slice("run:".length) };
    return { kind: "url", url: url(shipped.modelPath), runUrl: shipped.runPath ? url(shipped.runPath) : undefined };
  };

  const loadModel = async () => {
    if (!modelKey) {
      throw new Error(
        "No pretrained model was published with this build of the site (the maintainer adds one with " +
          "`npm run reproduce -- cnn-32-64-3-64 --save-model`), and this browser holds no model you trained: train one with Rerun on a tuning table.",
      );
    }
    setStatus(isShipped(modelKey) ? "Loading the pretrained model…" : "Loading your model…");
    info = await api!.init({ backend, wasmPaths: url("data/tfjs-wasm/"), model: sourceFor(modelKey) });
    misclassified = null;
    layerSelect.replaceChildren(
      ...info.layers.map((name) => {
        const option = document.createElement("option");
        option.value = name;
        option.textContent = layerLabel(name);
        return option;
      }),
    );
    describeModel(info);
  };

  const listStored = async () => {
    const stored: StoredModelInfo[] = await api!.listStoredModels();
    for (const m of stored) {
      const option = document.createElement("option");
      option.value = `run:${m.runId}`;
      const when = m.createdAt ? new Date(m.createdAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
      option.textContent = storedModelLabel(m, when);
      option.title = `${option.textContent} (run ${m.runId})`;
      modelSelect.append(option);
    }
    const available = Array.from(modelSelect.options, (o) => o.value);
    if (modelKey && !available.includes(modelKey)) {
      notice = ` (the model "${modelParam}" is not in this browser's storage, so this is another one)`;
      modelKey = available[0] ?? null;
      const instead = modelKey ? modelSelect.options[available.indexOf(modelKey)].textContent : null;
      noteUrlProblem("model", `?model=${modelParam} is not a model published with this site or kept in this browser; ${instead ? `showing ${instead}` : "no model to show"}.`);
    }
    modelKey ??= available[0] ?? null;
    if (modelKey) modelSelect.value = modelKey;
    titleModel();
  };
  // A long label may be cut by the menu's width: its full text is the menu's tooltip.
  const titleModel = () => void (modelSelect.title = modelSelect.selectedOptions[0]?.textContent ?? "");

  const boot = async () => {
    setStatus("Starting TensorFlow.js in a worker…");
    const worker = new Worker(new URL("../workers/gradcam/gradcam.worker.ts", import.meta.url), { type: "module" });
    worker.addEventListener("error", (event) => showError(`The Grad-CAM worker failed to start: ${event.message || "see the browser console"}`));
    api = wrap<Api>(worker);
    backendSelect.value = backend;
    try {
      await listStored();
      const [, test] = await Promise.all([loadModel(), api.loadTestSet(url("data/fashion-mnist/manifest.json"))]);
      labels = test.labels;
      indexInput.max = String(test.count - 1);
      const image = checkImageParam(params.get("image"), test.count);
      index = image.value;
      noteUrlProblem("image", image.problem);
      const layerCheck = checkLayerParam(params.get("layer"), info!.layers);
      layer = layerCheck.value;
      noteUrlProblem("layer", layerCheck.problem);
      enable(true);
      await show();
    } catch (error) {
      showError(error);
    }
  };

  const pickFrom = (candidates: number[]) => {
    if (candidates.length === 0) return;
    settleUrlProblem("image");
    index = candidates[randomInt(rng, candidates.length)];
    void show();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    settleUrlProblem("image");
    index = Number(indexInput.value);
    void show();
  });
  el<HTMLButtonElement>("random").addEventListener("click", () => pickFrom(Array.from(labels.keys())));
  el<HTMLButtonElement>("random-class").addEventListener("click", () => {
    const c = Number(classSelect.value);
    pickFrom(Array.from(labels.keys()).filter((i) => labels[i] === c));
  });
  el<HTMLButtonElement>("random-wrong").addEventListener("click", async () => {
    try {
      if (!misclassified) {
        setStatus("Finding the misclassified test images (classifying all of them once)…");
        misclassified = await api!.misclassified();
      }
      if (misclassified.length === 0) setStatus("This model classifies every test image correctly.");
      pickFrom(misclassified.map((m) => m.index));
    } catch (error) {
      showError(error);
    }
  });
  layerSelect.addEventListener("change", () => {
    layer = layerSelect.value;
    settleUrlProblem("layer");
    syncUrl();
    draw(); // every layer's map is already computed
  });
  targetSelect.addEventListener("change", () => {
    target = targetSelect.value === "" ? null : Number(targetSelect.value);
    settleUrlProblem("target");
    void show();
  });
  colormapSelect.addEventListener("change", draw);
  alphaInput.addEventListener("input", draw);
  const reload = async () => {
    enable(false);
    try {
      clearError();
      await loadModel();
      enable(true);
      await show();
    } catch (error) {
      showError(error);
      enable(true);
    }
  };
  modelSelect.addEventListener("change", () => {
    modelKey = modelSelect.value;
    titleModel();
    settleUrlProblem("model", "layer");
    void reload();
  });
  backendSelect.addEventListener("change", () => {
    backend = parseBackendChoice(backendSelect.value) ?? "auto";
    settleUrlProblem("backend");
    void reload();
  });
  if (!COLORMAP_NAMES.includes(colormapSelect.value as ColormapName)) colormapSelect.value = COLORMAP_NAMES[0];

  void boot();
}

const root = document.querySelector<HTMLElement>("[data-gradcam-root]");
if (root) start(root);

/**
 * DOM glue of the Grad-CAM tool (src/components/GradCamTool.astro): starts the worker, wires the
 * controls, draws the maps and keeps the URL (?image=&layer=&target=&model=&backend=) in sync.
 * The state lives in gradcam/state.ts, the words in gradcam/view-model.ts, the drawing in
 * gradcam/render.ts, model keys in gradcam/model-key.ts, the worker behind gradcam/gradcam-client.ts;
 * TensorFlow.js is only ever imported by the worker.
 */
import { parseBackendChoice } from "../lib/backends/names.ts";
import { COLORMAP_NAMES, type ColormapName } from "../lib/charts/heatmap.ts";
import { createRng, randomInt } from "../lib/data/random.ts";
import { formatDateTime } from "../lib/format.ts";
import { findElements } from "./gradcam/elements.ts";
import { createGradCamClient, type GradCamClient } from "./gradcam/gradcam-client.ts";
import { isShippedKey, runKey, sourceForKey, type ShippedModel } from "./gradcam/model-key.ts";
import { storedModelLabel } from "./gradcam/model-label.ts";
import { renderProblems, renderViews } from "./gradcam/render.ts";
import { initialState, searchFor, settlePicks } from "./gradcam/state.ts";
import { checkImageParam, checkLayerParam } from "./gradcam/url-params.ts";
import { computedStatus, describeModel, layerLabel } from "./gradcam/view-model.ts";

/** Rendered into data-config by GradCamTool.astro. */
interface Config {
  base: string;
  classNames: string[];
  /** Pretrained models published with this build (paths relative to the base). */
  shipped: ShippedModel[];
}

const NO_MODEL =
  "No pretrained model was published with this build of the site (the maintainer adds one with " +
  "`npm run reproduce -- cnn-32-64-3-64 --save-model`), and this browser holds no model you trained: train one with Rerun on a tuning table.";

function start(root: HTMLElement): void {
  const config = JSON.parse(root.dataset.config ?? "{}") as Config;
  const names = config.classNames;
  const ui = findElements(root);
  const url = (path: string) => new URL(`${config.base}${path}`, location.href).href;
  const params = new URLSearchParams(location.search);
  const rng = createRng(Date.now() >>> 0); // reader-facing "random" picks; reproducibility not wanted here
  const state = initialState(
    params,
    names.length,
    config.shipped.map((m) => m.rowId),
  );
  let client: GradCamClient | null = null;
  let ticket = 0;

  const renderUrlProblems = () => renderProblems(ui.urlProblemBox, state.urlProblems);
  const noteUrlProblem = (name: string, problem: string | undefined) => {
    if (!problem) return;
    state.urlProblems.set(name, problem);
    renderUrlProblems();
  };
  const settleUrlProblem = (...names: string[]) => {
    if (names.map((name) => state.urlProblems.delete(name)).some(Boolean)) renderUrlProblems();
  };

  const setStatus = (text: string) => void (ui.status.textContent = text);
  const showError = (error: unknown) => {
    ui.errorBox.textContent = error instanceof Error ? error.message : String(error);
    ui.errorBox.hidden = false;
    setStatus("");
    root.setAttribute("aria-busy", "false");
  };
  const clearError = () => void (ui.errorBox.hidden = true);
  const enable = (on: boolean) => ui.controls.forEach((c) => (c.disabled = !on));
  const syncUrl = () =>
    history.replaceState(history.state, "", `${location.pathname}?${searchFor(state, new URLSearchParams(location.search))}${location.hash}`);

  const draw = () => renderViews(ui, state, names);

  /** Computes every layer's map for the current image and target, then draws. */
  const show = async () => {
    if (!client || !state.info) return;
    const mine = ++ticket;
    settlePicks(state);
    ui.indexInput.value = String(state.index);
    ui.layerSelect.value = state.layer!;
    ui.targetSelect.value = state.target === null ? "" : String(state.target);
    syncUrl();
    root.setAttribute("aria-busy", "true");
    setStatus(`Computing Grad-CAM for test image #${state.index}…`);
    try {
      const computed = await client.compare(state.index, state.info.layers, state.target ?? undefined);
      if (mine !== ticket) return;
      clearError();
      state.views = computed;
      draw();
      setStatus(computedStatus(computed, state.info.backend));
      root.setAttribute("aria-busy", "false");
    } catch (error) {
      if (mine === ticket) showError(error);
    }
  };

  const loadModel = async () => {
    if (!state.modelKey) throw new Error(NO_MODEL);
    const shipped = isShippedKey(state.modelKey);
    setStatus(shipped ? "Loading the pretrained model…" : "Loading your model…");
    const info = await client!.init({ backend: state.backend, wasmPaths: url("data/tfjs-wasm/"), model: sourceForKey(state.modelKey, config.shipped, url) });
    state.info = info;
    state.misclassified = null;
    ui.layerSelect.replaceChildren(
      ...info.layers.map((name) => {
        const option = document.createElement("option");
        option.value = name;
        option.textContent = layerLabel(name);
        return option;
      }),
    );
    ui.modelInfo.textContent = describeModel(info, shipped, state.notice);
    state.notice = "";
  };

  // A long label may be cut by the menu's width: its full text is the menu's tooltip.
  const titleModel = () => void (ui.modelSelect.title = ui.modelSelect.selectedOptions[0]?.textContent ?? "");

  const listStored = async () => {
    for (const m of await client!.listStoredModels()) {
      const option = document.createElement("option");
      option.value = runKey(m.runId);
      option.textContent = storedModelLabel(m, m.createdAt ? formatDateTime(m.createdAt) : "");
      option.title = `${option.textContent} (run ${m.runId})`;
      ui.modelSelect.append(option);
    }
    const available = Array.from(ui.modelSelect.options, (o) => o.value);
    if (state.modelKey && !available.includes(state.modelKey)) {
      state.notice = ` (the model "${state.modelParam}" is not in this browser's storage, so this is another one)`;
      state.modelKey = available[0] ?? null;
      const instead = state.modelKey ? ui.modelSelect.options[available.indexOf(state.modelKey)].textContent : null;
      noteUrlProblem(
        "model",
        `?model=${state.modelParam} is not a model published with this site or kept in this browser; ${instead ? `showing ${instead}` : "no model to show"}.`,
      );
    }
    state.modelKey ??= available[0] ?? null;
    if (state.modelKey) ui.modelSelect.value = state.modelKey;
    titleModel();
  };

  const boot = async () => {
    setStatus("Starting TensorFlow.js in a worker…");
    client = createGradCamClient();
    // A worker that dies while nothing waits on it still says so.
    void client.died.then(showError);
    ui.backendSelect.value = state.backend;
    try {
      await listStored();
      const [, test] = await Promise.all([loadModel(), client.loadTestSet(url("data/fashion-mnist/manifest.json"))]);
      state.labels = test.labels;
      ui.indexInput.max = String(test.count - 1);
      const image = checkImageParam(params.get("image"), test.count);
      state.index = image.value;
      noteUrlProblem("image", image.problem);
      const layer = checkLayerParam(params.get("layer"), state.info!.layers);
      state.layer = layer.value;
      noteUrlProblem("layer", layer.problem);
      enable(true);
      await show();
    } catch (error) {
      showError(error);
    }
  };

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

  const pickFrom = (candidates: number[]) => {
    if (candidates.length === 0) return;
    settleUrlProblem("image");
    state.index = candidates[randomInt(rng, candidates.length)];
    void show();
  };

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    settleUrlProblem("image");
    state.index = Number(ui.indexInput.value);
    void show();
  });
  ui.random.addEventListener("click", () => pickFrom(Array.from(state.labels.keys())));
  ui.randomClass.addEventListener("click", () => {
    const c = Number(ui.classSelect.value);
    pickFrom(Array.from(state.labels.keys()).filter((i) => state.labels[i] === c));
  });
  ui.randomWrong.addEventListener("click", async () => {
    try {
      if (!state.misclassified) {
        setStatus("Finding the misclassified test images (classifying all of them once)…");
        state.misclassified = await client!.misclassified();
      }
      if (state.misclassified.length === 0) setStatus("This model classifies every test image correctly.");
      pickFrom(state.misclassified.map((m) => m.index));
    } catch (error) {
      showError(error);
    }
  });
  ui.layerSelect.addEventListener("change", () => {
    state.layer = ui.layerSelect.value;
    settleUrlProblem("layer");
    syncUrl();
    draw(); // every layer's map is already computed
  });
  ui.targetSelect.addEventListener("change", () => {
    state.target = ui.targetSelect.value === "" ? null : Number(ui.targetSelect.value);
    settleUrlProblem("target");
    void show();
  });
  ui.colormapSelect.addEventListener("change", draw);
  ui.alphaInput.addEventListener("input", draw);
  ui.modelSelect.addEventListener("change", () => {
    state.modelKey = ui.modelSelect.value;
    titleModel();
    settleUrlProblem("model", "layer");
    void reload();
  });
  ui.backendSelect.addEventListener("change", () => {
    state.backend = parseBackendChoice(ui.backendSelect.value) ?? "auto";
    settleUrlProblem("backend");
    void reload();
  });
  if (!COLORMAP_NAMES.includes(ui.colormapSelect.value as ColormapName)) ui.colormapSelect.value = COLORMAP_NAMES[0];

  if (state.urlProblems.size) renderUrlProblems();
  void boot();
}

const root = document.querySelector<HTMLElement>("[data-gradcam-root]");
if (root) start(root);

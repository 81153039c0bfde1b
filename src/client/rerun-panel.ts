/**
 * The rerun panel: pressing Rerun on a tuning row opens it and trains that row in the worker, with
 * the preset and backend chosen in the panel (preset also from ?preset=). It shows the backend
 * picked and why, dataset download progress, a progress bar (epoch, images/s, ETA), live loss and
 * accuracy curves, Cancel, and at the end the reader's numbers beside the original study's and
 * ours. One training at a time per tab: further requests queue up (listed, removable). Finished
 * runs are kept in IndexedDB with their curve and model.
 *
 * Loaded by dynamic import on the first Rerun click (src/client/rerun-boot.ts), so report pages
 * ship none of this, comlink or Plot before interaction. Plot itself is imported when the first
 * chart is drawn.
 */
import { BACKEND_LABELS, BACKEND_NAMES, type BackendAssessment, type BackendChoice, type BackendName } from "../lib/backends/choice.ts";
import { batchPointOf, thinPoints, type BatchPoint } from "../lib/charts/curve-points.ts";
import type { PresetName, RerunPageData, RowReference } from "../lib/study/rerun-reference.ts";
import { comparisonHeads, comparisonNote, sameProtocolReference } from "../lib/study/same-protocol.ts";
import type { EpochRecord, RunRecord } from "../lib/study/schema.ts";
import type { BatchProgress } from "../lib/model/train.ts";
import type { BackendSelection, DataProgress, MemoryReport, TrainPhase } from "../workers/trainer/api.ts";
import type { TrainerFailure } from "../workers/trainer/failure.ts";
import { downloadModel, downloadRunJson, getRerunModel, RERUN_SAVED_EVENT, saveRerun } from "./rerun-store.ts";
import { createTrainerClient, type ClientOutcome, type TrainerClient } from "./trainer-client.ts";
import { wrap, type Remote } from "comlink";
import type { Api as ChartApi } from "../workers/charts/chart.worker.ts";

/** Options of {@link createRerunPanel}. */
export interface RerunPanelOptions {
  /** The site's base URL (import.meta.env.BASE_URL). */
  baseUrl: string;
  data: RerunPageData;
  /** Initial preset (from ?preset=); default "quick". */
  preset?: PresetName;
  /** Initial backend choice (from ?backend=); default "auto". */
  backend?: BackendChoice;
  /** Where the panel is attached (default document.body). */
  container?: HTMLElement;
  /** For tests and benchmarks: a trainer client to use instead of a fresh one. */
  client?: TrainerClient;
}

interface QueueItem {
  rowId: string;
  preset: PresetName;
  backend: BackendChoice;
}

const PRESET_NAMES: readonly PresetName[] = ["full", "quick", "smoke"];
const PRESET_LABELS: Record<PresetName, string> = { full: "Full", quick: "Quick", smoke: "Smoke" };
const PHASE_TEXT: Record<TrainPhase, string> = {
  backend: "Starting the backend…",
  data: "Loading Fashion-MNIST…",
  split: "Splitting the data…",
  build: "Building the model…",
  train: "Training",
  "evaluate-validation": "Evaluating on the validation images…",
  "evaluate-test": "Evaluating on the test images…",
  "evaluate-train": "Evaluating on the training images…",
  done: "Finished",
};
const CHART_INTERVAL_MS = 2_000;
const MEMORY_INTERVAL_MS = 2_000;
const PROGRESS_INTERVAL_MS = 250;
/** Chart width in px (the panel scales it down on narrow screens; no layout is read to size it). */
const CHART_WIDTH = 400;
const CHART_HEIGHT = 180;

/** Seconds as "1h02m", "3m05s" or "12s"; "--" when unknown. */
function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** A fraction as a percentage with two decimals, e.g. 0.92013 -> "92.01%". */
const formatPercent = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;
const formatMB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
/** 54000 -> "54,000" (without Intl, whose first use costs the main thread tens of milliseconds). */
const count = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Describe a protocol preset in a few words: "5,400 training images, 3 epochs". */
function describePreset(data: RerunPageData, preset: PresetName): string {
  const p = data.presets[preset];
  return `${count(p.trainImages)} training images, ${p.epochs} epoch${p.epochs === 1 ? "" : "s"}, batch ${p.batchSize}`;
}

type Attrs = Record<string, string | number | boolean | undefined>;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

// The charts are drawn by Observable Plot in their own worker; the page only inserts SVG markup.
let chartWorker: Remote<ChartApi> | null = null;
const chartApi = (): Remote<ChartApi> =>
  (chartWorker ??= wrap<ChartApi>(new Worker(new URL("../workers/charts/chart.worker.ts", import.meta.url), { type: "module", name: "fashion-mnist-charts" })));

/** Resolve after the current task, so that the work after it runs in a task of its own. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** Resolve after the next frame has been rendered, so that DOM changes made after it lay out and paint in a frame of their own. */
const afterNextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/** Create the panel (hidden until the first request). */
export function createRerunPanel(options: RerunPanelOptions) {
  const { data } = options;
  const client = options.client ?? createTrainerClient({ baseUrl: options.baseUrl });
  let preset: PresetName = options.preset ?? "quick";
  let backendChoice: BackendChoice = options.backend ?? "auto";
  const queue: QueueItem[] = [];
  let current: QueueItem | null = null;
  /** True from a run's start until its outcome arrives (progress messages are accepted). */
  let training = false;
  let lastItem: QueueItem | null = null;
  let assessments: BackendAssessment[] | null = null;

  // Run state, reset per run.
  let batches: BatchPoint[] = [];
  let epochs: EpochRecord[] = [];
  let epochsTotal = 1;
  let chartTimer: ReturnType<typeof setTimeout> | null = null;
  let lastChartAt = 0;
  let activeBackend: string | null = null;

  // ---- DOM ----
  const titleId = "rerun-panel-title";
  const title = h("h2", { id: titleId, text: "Rerun" });
  const subtitle = h("p", { class: "rerun-sub" });
  const minimise = h("button", { type: "button", class: "rerun-icon", "aria-expanded": "true", "aria-label": "Minimise the rerun panel", text: "–" });
  const close = h("button", { type: "button", class: "rerun-icon", "aria-label": "Close the rerun panel", text: "×" });
  const header = h("header", { class: "rerun-head" }, h("div", {}, title, subtitle), h("div", { class: "rerun-head-buttons" }, minimise, close));

  const presetInputs = new Map<PresetName, HTMLInputElement>();
  const presetFieldset = h("fieldset", { class: "rerun-presets" }, h("legend", { text: "Protocol" }));
  for (const name of PRESET_NAMES) {
    const input = h("input", { type: "radio", name: "rerun-preset", value: name, checked: name === preset });
    input.addEventListener("change", () => {
      if (input.checked) preset = name;
    });
    presetInputs.set(name, input);
    presetFieldset.append(
      h("label", {}, input, h("span", { class: "rerun-preset-name", text: PRESET_LABELS[name] }), h("span", { class: "rerun-preset-desc", text: describePreset(data, name) })),
    );
  }
  const backendSelect = h("select", { id: "rerun-backend", name: "rerun-backend" }, h("option", { value: "auto", text: "Automatic (fastest that works)" }));
  for (const name of BACKEND_NAMES) backendSelect.append(h("option", { value: name, text: BACKEND_LABELS[name] }));
  backendSelect.value = backendChoice;
  backendSelect.addEventListener("change", () => {
    backendChoice = backendSelect.value as BackendChoice;
  });
  const settings = h("div", { class: "rerun-settings" }, presetFieldset, h("label", { class: "rerun-backend", for: "rerun-backend" }, "Backend ", backendSelect));

  const status = h("p", { class: "rerun-status", role: "status", "aria-live": "polite", text: "" });
  const backendInfo = h("details", { class: "rerun-backend-info", hidden: true }, h("summary", {}), h("div", {}));
  const bar = h("div", { class: "rerun-bar-fill" });
  const progress = h(
    "div",
    { class: "rerun-progress", role: "progressbar", "aria-label": "Training progress", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0, "aria-valuetext": "Not started" },
    bar,
  );
  const progressText = h("p", { class: "rerun-progress-text", text: "" });
  const lossChart = h("div", { class: "rerun-chart", "data-chart": "loss" });
  const accuracyChart = h("div", { class: "rerun-chart", "data-chart": "accuracy" });
  const legend = h(
    "p",
    { class: "rerun-legend", "aria-hidden": "true" },
    h("span", { class: "rerun-swatch rerun-swatch-training" }),
    "Training (after each batch)",
    h("span", { class: "rerun-swatch rerun-swatch-validation" }),
    "Validation (after each epoch)",
  );
  const charts = h("div", { class: "rerun-charts" }, legend, lossChart, accuracyChart);
  const cancel = h("button", { type: "button", class: "rerun-button rerun-cancel", text: "Cancel" });
  const again = h("button", { type: "button", class: "rerun-button rerun-primary", text: "Run again", hidden: true });
  const actions = h("div", { class: "rerun-actions" }, cancel, again);
  const failureBox = h("div", { class: "rerun-failure", role: "alert", hidden: true });
  const result = h("div", { class: "rerun-result", hidden: true });
  const queueBox = h("div", { class: "rerun-queue", hidden: true });
  const memoryLine = h("p", { class: "rerun-memory", text: "" });
  const body = h("div", { class: "rerun-body" }, settings, status, backendInfo, progress, progressText, actions, failureBox, result, charts, queueBox, memoryLine);
  const panel = h("section", { class: "rerun-panel", "aria-labelledby": titleId, hidden: true, "data-state": "idle" }, header, body);
  (options.container ?? document.body).append(panel);

  minimise.addEventListener("click", () => {
    const collapsed = panel.toggleAttribute("data-collapsed");
    minimise.setAttribute("aria-expanded", String(!collapsed));
    minimise.textContent = collapsed ? "+" : "–";
    minimise.setAttribute("aria-label", collapsed ? "Expand the rerun panel" : "Minimise the rerun panel");
  });
  close.addEventListener("click", () => {
    if (current) return void minimise.click();
    panel.hidden = true;
  });
  cancel.addEventListener("click", () => {
    if (!current) return;
    cancel.disabled = true;
    status.textContent = "Cancelling…";
    void client.cancel();
  });
  again.addEventListener("click", () => {
    if (lastItem) request(lastItem.rowId);
  });

  // ---- view helpers ----
  function setControlsEnabled(enabled: boolean): void {
    for (const input of presetInputs.values()) input.disabled = !enabled;
    backendSelect.disabled = !enabled;
  }

  function setProgress(fraction: number, text: string): void {
    const pct = Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10;
    progress.setAttribute("aria-valuenow", String(pct));
    progress.setAttribute("aria-valuetext", text);
    bar.style.transform = `scaleX(${pct / 100})`;
  }

  // Progress is written at most every PROGRESS_INTERVAL_MS, in a frame, however fast batches arrive:
  // each write costs the page a style, paint and composite.
  let pendingBatch: BatchProgress | null = null;
  let progressShownAt = 0;
  function showBatch(p: BatchProgress): void {
    const first = pendingBatch === null;
    pendingBatch = p;
    if (!first) return;
    const wait = Math.max(0, PROGRESS_INTERVAL_MS - (performance.now() - progressShownAt));
    setTimeout(() => requestAnimationFrame(writeBatch), wait);
  }
  function writeBatch(): void {
    progressShownAt = performance.now();
    const q = pendingBatch;
    pendingBatch = null;
    if (!q || !training) return;
    const text = `Epoch ${q.epoch} of ${q.epochs} · batch ${q.batch} of ${q.batchesPerEpoch} · ${q.imagesPerSecond > 0 ? `${count(Math.round(q.imagesPerSecond))} images/s` : "measuring speed"} · ETA ${formatDuration(q.etaSeconds)}`;
    progressText.textContent = `${text} · loss ${q.loss.toFixed(3)}, accuracy ${formatPercent(q.accuracy)}`;
    setProgress(q.fraction, `${text}, ${Math.round(q.fraction * 100)}%`);
  }

  // The worker's tensor count while it trains, every few seconds (it answers between batches).
  let memoryAskedAt = 0;
  function pollMemory(): void {
    const now = performance.now();
    if (now - memoryAskedAt < MEMORY_INTERVAL_MS) return;
    memoryAskedAt = now;
    client
      .memory()
      .then((m) => {
        if (training) showMemory(m);
      })
      .catch(() => {});
  }

  function showMemory(memory: MemoryReport | null): void {
    if (!memory) {
      memoryLine.textContent = "Worker: stopped (it will restart for the next run).";
      panel.removeAttribute("data-tensors");
      return;
    }
    panel.dataset.tensors = String(memory.numTensors);
    if (training) panel.dataset.peakTensors = String(Math.max(memory.numTensors, Number(panel.dataset.peakTensors ?? 0)));
    if (memory.baselineTensors !== null) panel.dataset.baselineTensors = String(memory.baselineTensors);
    const baseline = memory.baselineTensors !== null ? ` (${memory.baselineTensors} before training)` : "";
    memoryLine.textContent = `Worker memory: ${count(memory.numTensors)} tensors${baseline}, ${formatMB(memory.numBytes)}${memory.modelKept ? ", trained model held" : ""}.`;
  }

  function showBackend(selection: BackendSelection): void {
    activeBackend = selection.backend;
    client.noteBackend(selection.backend);
    if (selection.assessments.length) assessments = selection.assessments;
    annotateBackendOptions();
    if (!selection.backend) return;
    const summary = backendInfo.querySelector("summary")!;
    summary.textContent = `Backend: ${BACKEND_LABELS[selection.backend]}${selection.device ? ` (${selection.device})` : ""}`;
    const detail = backendInfo.querySelector("div")!;
    detail.replaceChildren(
      h("p", { text: selection.explanation }),
      h("ul", {}, ...selection.assessments.map((a) => h("li", { text: `${BACKEND_LABELS[a.backend]}: ${a.reason}` }))),
    );
    backendInfo.hidden = false;
    panel.dataset.backend = selection.backend;
  }

  function annotateBackendOptions(): void {
    if (!assessments) return;
    for (const a of assessments) {
      const option = backendSelect.querySelector<HTMLOptionElement>(`option[value="${a.backend}"]`);
      if (!option) continue;
      option.textContent = `${BACKEND_LABELS[a.backend]}${!a.available ? " (unavailable)" : a.software ? " (software GPU: slow)" : ""}`;
      option.disabled = !a.available;
    }
  }

  function scheduleCharts(force = false): void {
    if (chartTimer !== null && !force) return;
    const wait = force ? 0 : Math.max(0, CHART_INTERVAL_MS - (performance.now() - lastChartAt));
    if (chartTimer !== null) clearTimeout(chartTimer);
    chartTimer = setTimeout(() => {
      chartTimer = null;
      void drawCharts();
    }, wait);
  }

  let drawing = false;
  let redraw = false;
  async function drawCharts(): Promise<void> {
    if (drawing) {
      redraw = true;
      return;
    }
    drawing = true;
    try {
      lastChartAt = performance.now();
      const item = current ?? lastItem;
      const reference = item ? data.rows[item.rowId]?.original : undefined;
      const markup = await chartApi().renderLiveCharts({
        batches: thinPoints(batches, 200),
        epochs,
        epochsTotal,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        reference: reference ? { label: `Original study ${formatPercent(reference.valAccuracy)} (val.)`, value: reference.valAccuracy } : undefined,
      });
      lossChart.innerHTML = markup.loss;
      // The second chart in a frame of its own: no frame lays out and paints both.
      await afterNextFrame();
      accuracyChart.innerHTML = markup.accuracy;
    } catch (error) {
      lossChart.textContent = `The charts could not be drawn (${error instanceof Error ? error.message : String(error)}).`;
    } finally {
      drawing = false;
      if (redraw) {
        redraw = false;
        scheduleCharts();
      }
    }
  }

  function renderQueue(): void {
    queueBox.hidden = queue.length === 0;
    if (queue.length === 0) return queueBox.replaceChildren();
    const clear = h("button", { type: "button", class: "rerun-link", text: "Clear queue" });
    clear.addEventListener("click", () => {
      queue.length = 0;
      renderQueue();
    });
    queueBox.replaceChildren(
      h("p", { text: `Queued (one training at a time in this tab): ${queue.length}` }, " ", clear),
      h(
        "ol",
        {},
        ...queue.map((item, i) => {
          const remove = h("button", { type: "button", class: "rerun-link", "aria-label": `Remove ${item.rowId} from the queue`, text: "remove" });
          remove.addEventListener("click", () => {
            queue.splice(i, 1);
            renderQueue();
          });
          return h("li", {}, `${item.rowId} · ${PRESET_LABELS[item.preset]} · ${item.backend === "auto" ? "automatic backend" : BACKEND_LABELS[item.backend]} `, remove);
        }),
      ),
    );
  }

  function showFailure(failure: TrainerFailure, item: QueueItem): void {
    const retry = h("button", { type: "button", class: "rerun-button rerun-primary", text: "Retry" });
    retry.addEventListener("click", () => start({ ...item }));
    const others: HTMLButtonElement[] = [];
    if (failure.retryOnOtherBackend) {
      const candidates = (assessments ?? []).filter((a) => a.available && a.backend !== (failure.backend ?? activeBackend));
      for (const a of candidates) {
        const b = h("button", { type: "button", class: "rerun-button", text: `Retry on ${BACKEND_LABELS[a.backend]}`, "data-retry-backend": a.backend });
        b.addEventListener("click", () => {
          backendSelect.value = a.backend;
          backendChoice = a.backend;
          start({ ...item, backend: a.backend });
        });
        others.push(b);
      }
    }
    failureBox.replaceChildren(
      h("p", { class: "rerun-failure-title", text: failure.message }),
      h("details", {}, h("summary", { text: "Details" }), h("code", { text: failure.detail })),
      h("div", { class: "rerun-actions" }, retry, ...others),
    );
    failureBox.dataset.kind = failure.kind;
    failureBox.hidden = false;
  }

  function comparisonRow(label: string, mine: string, ours: string, theirs: string, attrs: Attrs = {}): HTMLTableRowElement {
    return h("tr", {}, h("th", { scope: "row", text: label }), h("td", { ...attrs, text: mine }), h("td", { text: ours }), h("td", { text: theirs }));
  }

  function showResult(record: RunRecord, reference: RowReference | undefined): void {
    const m = record.metrics;
    // Ours is our published record of the same preset only (never another protocol's).
    const ours = sameProtocolReference(reference, record.protocol, data.presets);
    const heads = comparisonHeads(record.protocol);
    const orig = reference?.original;
    const dash = "—";
    const table = h(
      "table",
      { class: "rerun-compare", "data-protocol": record.protocol.name },
      h("caption", { text: `${record.rowId}: your rerun (${PRESET_LABELS[record.protocol.name as PresetName] ?? record.protocol.name}, ${record.environment.backend}) beside ours (this site's pipeline, same protocol) and the original study` }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "" }), h("th", { scope: "col", text: heads.mine }), h("th", { scope: "col", text: heads.ours }), h("th", { scope: "col", text: heads.original }))),
      h(
        "tbody",
        {},
        comparisonRow("Validation accuracy", formatPercent(m.validation.accuracy), ours ? formatPercent(ours.valAccuracy) : `no ${record.protocol.name} record`, orig ? formatPercent(orig.valAccuracy) : "not published", {
          "data-result": "val-accuracy",
        }),
        comparisonRow("Test accuracy", formatPercent(m.test.accuracy), ours ? formatPercent(ours.testAccuracy) : dash, orig?.test ? formatPercent(orig.test.accuracy) : dash, { "data-result": "test-accuracy" }),
        comparisonRow("Test loss", m.test.loss.toFixed(4), ours ? ours.testLoss.toFixed(4) : dash, orig?.test ? orig.test.loss.toFixed(4) : dash, { "data-result": "test-loss" }),
        comparisonRow("Test F1 (weighted)", formatPercent(m.test.f1), ours ? formatPercent(ours.testF1) : dash, orig?.test ? formatPercent(orig.test.f1) : dash),
      ),
    );
    const note = comparisonNote(record.protocol, ours, data.presets);
    const json = h("button", { type: "button", class: "rerun-button", text: "Download run (JSON)" });
    json.addEventListener("click", () => downloadRunJson(record));
    const model = h("button", { type: "button", class: "rerun-button", text: "Download model (tfjs)" });
    model.addEventListener("click", async () => {
      const stored = await getRerunModel(record.runId);
      if (stored) downloadModel(stored);
    });
    result.replaceChildren(
      table,
      h("p", { class: "rerun-note", text: `${note} Trained in ${formatDuration(record.wallTimeSeconds)}; kept epoch ${record.bestEpoch} of ${record.epochs.length}. Saved in this browser (Your reruns).` }),
      h("div", { class: "rerun-actions" }, json, model),
    );
    result.hidden = false;
  }

  // ---- runs ----
  function resetRunView(item: QueueItem): void {
    batches = [];
    epochs = [];
    memoryAskedAt = 0;
    delete panel.dataset.peakTensors;
    epochsTotal = data.presets[item.preset].epochs;
    const reference = data.rows[item.rowId];
    title.textContent = `Rerun ${item.rowId}`;
    subtitle.textContent = `${reference?.description ?? item.rowId} · ${PRESET_LABELS[item.preset]}: ${describePreset(data, item.preset)}`;
    panel.dataset.row = item.rowId;
    panel.dataset.preset = item.preset;
    failureBox.hidden = true;
    result.hidden = true;
    again.hidden = true;
    cancel.hidden = false;
    cancel.disabled = false;
    progressText.textContent = "";
    setProgress(0, "Starting");
    scheduleCharts(true);
  }

  let revealed = false;
  /**
   * Show the panel. The first time, it appears in three frames (head and progress, then the
   * settings, then the charts), so that no frame lays out and paints all of it.
   */
  async function reveal(): Promise<void> {
    if (!panel.hidden) return;
    const first = !revealed;
    revealed = true;
    if (first) settings.hidden = charts.hidden = true;
    panel.hidden = false;
    if (!first) return;
    await afterNextFrame();
    settings.hidden = false;
    await afterNextFrame();
    charts.hidden = false;
  }

  async function start(item: QueueItem): Promise<void> {
    if (current) return;
    current = item;
    lastItem = item;
    training = true;
    const shown = reveal();
    panel.dataset.state = "running";
    setControlsEnabled(false);
    resetRunView(item);
    status.textContent = PHASE_TEXT.backend;
    // Showing the panel and starting the worker in separate tasks keeps each one short.
    await shown;
    await nextTask();
    const t0 = performance.now();
    let dataShownAt = 0;
    let outcome: ClientOutcome;
    try {
      outcome = await client.run(
        { rowId: item.rowId, protocol: data.presets[item.preset], backend: item.backend },
        {
          onPhase: (phase) => {
            status.textContent = PHASE_TEXT[phase];
            if (phase === "evaluate-validation") setProgress(1, "Training done, evaluating");
          },
          onBackend: showBackend,
          onDataProgress: (p: DataProgress) => {
            // Downloads report every chunk; the status line changes at most every PROGRESS_INTERVAL_MS.
            const now = performance.now();
            if (p.stage === "download" && now - dataShownAt < PROGRESS_INTERVAL_MS && p.bytes < p.totalBytes) return;
            dataShownAt = now;
            if (p.stage === "download" && p.totalBytes > 0) {
              status.textContent =
                p.cachedBytes >= p.bytes && p.bytes > 0
                  ? "Reading Fashion-MNIST from this browser's cache…"
                  : `Downloading Fashion-MNIST: ${formatMB(p.bytes)} of ${formatMB(p.totalBytes)}`;
            } else if (p.stage === "decode") status.textContent = "Checking and decoding Fashion-MNIST…";
          },
          onBatch: (p: BatchProgress) => {
            batches.push(batchPointOf(p));
            showBatch(p);
            scheduleCharts();
            pollMemory();
          },
          onEpoch: (r: EpochRecord) => {
            epochs.push(r);
            scheduleCharts(true);
          },
        },
      );
    } catch (error) {
      outcome = { status: "failed", failure: { kind: "unexpected", message: "The rerun could not start.", detail: String(error), retryOnOtherBackend: false }, memory: { numTensors: 0, numBytes: 0, numDataBuffers: 0, unreliable: true, backend: null, baselineTensors: null, modelKept: false } };
    }
    // Progress still queued for a frame is stale now.
    training = false;
    cancel.hidden = true;
    if (outcome.status === "finished") {
      const record = outcome.record;
      epochs = record.epochs;
      setProgress(1, "Finished");
      status.textContent = `Finished in ${formatDuration((performance.now() - t0) / 1000)} on ${BACKEND_LABELS[outcome.backend]}.`;
      const last = record.epochs[record.epochs.length - 1];
      progressText.textContent = `Trained ${count(record.protocol.trainImages)} images × ${record.epochs.length} epoch${record.epochs.length === 1 ? "" : "s"}${last ? ` · ${count(last.imagesPerSecond)} images/s in the last epoch` : ""} · evaluated on ${count(record.protocol.validationImages)} validation and ${count(record.protocol.testImages)} test images`;
      showMemory(outcome.memory);
      // The result table in a frame of its own, the final charts after it.
      await afterNextFrame();
      showResult(record, data.rows[record.rowId]);
      await afterNextFrame();
      scheduleCharts(true);
      // Saved before the run counts as over, so that a next run cannot take the model's place first.
      await keep(record);
    }
    current = null;
    // After a failure the alert's Retry buttons take its place.
    again.hidden = outcome.status === "failed";
    setControlsEnabled(true);
    panel.dataset.state = outcome.status;
    if (outcome.status === "cancelled") {
      status.textContent = "Cancelled. Nothing was kept.";
      setProgress(Number(progress.getAttribute("aria-valuenow")) / 100, "Cancelled");
      showMemory(outcome.memory);
    } else if (outcome.status === "failed") {
      status.textContent = "Stopped: see below.";
      showFailure(outcome.failure, item);
      showMemory(outcome.failure.kind === "worker-crashed" ? null : outcome.memory);
      renderQueue();
      return; // the queue waits until the reader retries
    }
    renderQueue();
    const next = queue.shift();
    if (next) {
      renderQueue();
      void start(next);
    }
  }

  /** Store the record, its curve and its model; then free the model in the worker. */
  async function keep(record: RunRecord): Promise<void> {
    try {
      const exported = await client.exportModel();
      await saveRerun(
        record,
        { runId: record.runId, batches: thinPoints(batches, 500) },
        exported ? { runId: exported.runId, rowId: exported.rowId, createdAt: new Date().toISOString(), modelJson: exported.modelJson, weights: exported.weights } : undefined,
      );
      await client.disposeModel();
      showMemory(await client.memory());
      panel.dataset.saved = record.runId;
      document.dispatchEvent(new CustomEvent(RERUN_SAVED_EVENT, { detail: { runId: record.runId, rowId: record.rowId } }));
    } catch (error) {
      const note = h("p", { class: "rerun-note", text: `This run could not be saved in the browser (${error instanceof Error ? error.message : String(error)}); download it now to keep it.` });
      result.append(note);
    }
  }

  /** Open the panel for a row and train it now, or queue it behind the running one. */
  function request(rowId: string): void {
    if (!data.rows[rowId]) {
      void reveal();
      status.textContent = `Unknown row "${rowId}": nothing to rerun.`;
      return;
    }
    const item: QueueItem = { rowId, preset, backend: backendChoice };
    panel.removeAttribute("data-collapsed");
    if (!current) {
      void start(item);
      return;
    }
    void reveal();
    if (current.rowId === rowId || queue.some((q) => q.rowId === rowId)) {
      status.textContent = `${rowId} is already ${current.rowId === rowId ? "training" : "queued"}.`;
      return;
    }
    queue.push(item);
    renderQueue();
  }

  return {
    request,
    /** Queue several rows (a table's "Rerun all"); the first starts at once when idle. */
    requestAll(rowIds: readonly string[]): void {
      for (const id of rowIds) request(id);
    },
    /** Set the preset used by the next requests. */
    setPreset(name: PresetName): void {
      preset = name;
      const input = presetInputs.get(name);
      if (input) input.checked = true;
    },
    element: panel,
    client,
  };
}

/** The panel's type. */
export type RerunPanel = ReturnType<typeof createRerunPanel>;

/**
 * The view binding of the rerun panel: finds the parts of the server-rendered markup
 * (src/components/RerunPanel.astro) and fills and toggles them: header, settings, status line,
 * backend explanation, progress bar (written at most every PROGRESS_INTERVAL_MS, in a frame),
 * worker memory line, queue list, and the three-frame first reveal. It holds no run logic and no
 * state of its own: `render` reflects the panel's state (panel-state.ts), and the reader's clicks
 * go to `PanelViewActions`.
 */
import { BACKEND_LABELS, type BackendAssessment, type BackendChoice } from "../../lib/backends/choice.ts";
import { describeThreads } from "../../lib/backends/thread-count.ts";
import { formatCount, formatEta, formatLoss, formatMB, formatPercent } from "../../lib/format.ts";
import { PRESET_LABELS } from "../../lib/study/preset-text.ts";
import type { PresetName } from "../../lib/study/preset-names.ts";
import type { BatchProgress } from "../../lib/model/train.ts";
import type { BackendSelection, MemoryReport } from "../../workers/trainer/api.ts";
import { afterNextFrame } from "./frames.ts";
import { isBusy, isTraining, type PanelState } from "./panel-state.ts";
import { fromTemplate, part } from "./parts.ts";
import type { QueueItem } from "./run-queue.ts";

/** Least time between two writes of the progress bar and line, in ms. */
export const PROGRESS_INTERVAL_MS = 250;

/** What the reader's clicks ask for. */
export interface PanelViewActions {
  /** Start the runs being chosen (Start, or Enter in the settings while choosing). */
  start(): void;
  /** The panel was closed (the close button or Escape), not minimised. */
  closed?(): void;
  cancel(): void;
  /** "Run again": the latest row, with the current settings. */
  again(): void;
  removeQueued(index: number): void;
  clearQueue(): void;
  /** The panel's current state (during a run Close only minimises; Enter starts only while choosing). */
  state(): PanelState;
}

/** One queued request as listed: "cnn-32-64-3-64 · Quick · automatic backend". */
export function queueLabel(item: QueueItem): string {
  return `${item.rowId} · ${PRESET_LABELS[item.preset]} · ${item.backend === "auto" ? "automatic backend" : BACKEND_LABELS[item.backend]}`;
}

/** The progress line of a batch, without and with the running loss and accuracy. */
export function batchText(p: BatchProgress): { short: string; long: string } {
  const speed = p.imagesPerSecond > 0 ? `${formatCount(p.imagesPerSecond)} images/s` : "measuring speed";
  const short = `Epoch ${p.epoch} of ${p.epochs} · batch ${p.batch} of ${p.batchesPerEpoch} · ${speed} · ETA ${formatEta(p.etaSeconds)}`;
  return { short, long: `${short} · loss ${formatLoss(p.loss, 3)}, accuracy ${formatPercent(p.accuracy)}` };
}

/** What the panel shows while the reader chooses how to run (before Start). */
export interface ChoiceView {
  title: string;
  subtitle: string;
  /** Per preset, the rough time a run takes (e.g. "about 2 min"); a preset left out shows none. */
  estimates: Partial<Record<PresetName, string>>;
  /** Where the estimates come from (empty: no note). */
  note: string;
  /** The Start button's text, e.g. "Start" or "Start 24 runs". */
  startLabel: string;
  /** The row, for data-row (one row) or undefined (several). */
  rowId?: string;
}

/** The memory line: "Worker memory: 1,234 tensors (12 before training), 3.4 MB, trained model held." */
export function memoryText(memory: MemoryReport | null): string {
  if (!memory) return "Worker: stopped (it will restart for the next run).";
  const baseline = memory.baselineTensors !== null ? ` (${memory.baselineTensors} before training)` : "";
  return `Worker memory: ${formatCount(memory.numTensors)} tensors${baseline}, ${formatMB(memory.numBytes)}${memory.modelKept ? ", trained model held" : ""}.`;
}

/** Bind the panel `root` (the server-rendered `section.rerun-panel`). */
export function bindPanelView(root: HTMLElement, actions: PanelViewActions) {
  const title = part(root, "title");
  const subtitle = part(root, "subtitle");
  const minimise = part<HTMLButtonElement>(root, "minimise");
  const close = part<HTMLButtonElement>(root, "close");
  const settings = part(root, "settings");
  const presetInputs = [...settings.querySelectorAll<HTMLInputElement>('input[name="rerun-preset"]')];
  const backendSelect = part<HTMLSelectElement>(root, "backend");
  const status = part(root, "status");
  const backendInfo = part<HTMLDetailsElement>(root, "backend-info");
  const progress = part(root, "progress");
  const bar = part(root, "bar");
  const progressText = part(root, "progress-text");
  const cancel = part<HTMLButtonElement>(root, "cancel");
  const start = part<HTMLButtonElement>(root, "start");
  const estimateNote = part(root, "estimate-note");
  const estimateSpans = [...settings.querySelectorAll<HTMLElement>("[data-estimate]")];
  const again = part<HTMLButtonElement>(root, "again");
  const charts = part(root, "charts");
  const queueBox = part(root, "queue");
  const queueCount = part(root, "queue-count");
  const queueList = part(root, "queue-list");
  const memoryLine = part(root, "memory");

  minimise.addEventListener("click", () => {
    const collapsed = root.toggleAttribute("data-collapsed");
    minimise.setAttribute("aria-expanded", String(!collapsed));
    minimise.textContent = collapsed ? "+" : "–";
    minimise.setAttribute("aria-label", collapsed ? "Expand the rerun panel" : "Minimise the rerun panel");
  });
  close.addEventListener("click", () => {
    if (isBusy(actions.state())) return void minimise.click();
    root.hidden = true;
    actions.closed?.();
  });
  start.addEventListener("click", () => actions.start());
  // While choosing, Enter on a preset or the backend menu starts, as the Start button does.
  settings.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || actions.state().kind !== "choosing" || event.defaultPrevented) return;
    event.preventDefault();
    actions.start();
  });
  // Escape does what the close button does (during a run: minimise, never expand again).
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || root.hidden) return;
    if (isBusy(actions.state()) && root.hasAttribute("data-collapsed")) return;
    close.click();
  });
  cancel.addEventListener("click", () => {
    cancel.disabled = true;
    status.textContent = "Cancelling…";
    actions.cancel();
  });
  again.addEventListener("click", () => actions.again());
  part(root, "queue-clear").addEventListener("click", () => actions.clearQueue());
  queueList.addEventListener("click", (event) => {
    const remove = event.target instanceof Element ? event.target.closest<HTMLElement>("[data-queue-index]") : null;
    if (remove) actions.removeQueued(Number(remove.dataset.queueIndex));
  });

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
  /** Batches are written only while the state says training (`render`): later writes of a stopped run are dropped. */
  let acceptBatches = false;
  function writeBatch(): void {
    progressShownAt = performance.now();
    const q = pendingBatch;
    pendingBatch = null;
    if (!q || !acceptBatches) return;
    const text = batchText(q);
    progressText.textContent = text.long;
    setProgress(q.fraction, `${text.short}, ${Math.round(q.fraction * 100)}%`);
  }

  let revealed = false;
  let peakTensors = 0;

  return {
    root,
    /** The loss chart's box. */
    lossChart: part(root, "chart-loss"),
    /** The accuracy chart's box. */
    accuracyChart: part(root, "chart-accuracy"),

    /** The preset picked in the panel. */
    get preset(): PresetName {
      return (presetInputs.find((input) => input.checked)?.value ?? "quick") as PresetName;
    },
    /** Check a preset's radio button. */
    setPreset(name: PresetName): void {
      for (const input of presetInputs) input.checked = input.value === name;
    },
    /** The backend picked in the panel. */
    get backend(): BackendChoice {
      return backendSelect.value as BackendChoice;
    },
    /** Select a backend in the menu. */
    setBackend(choice: BackendChoice): void {
      backendSelect.value = choice;
    },

    /**
     * Reflect the panel's state: `data-state` (its kind), `data-phase` (the run queue's phase),
     * `data-choosing` and Start while choosing, the settings locked while a run is in progress,
     * and whether batch progress is still written. The only writer of these.
     */
    render(state: PanelState): void {
      root.dataset.state = state.kind;
      root.dataset.phase = state.phase;
      const choosing = state.kind === "choosing";
      root.toggleAttribute("data-choosing", choosing);
      start.hidden = !choosing;
      for (const input of presetInputs) input.disabled = isBusy(state);
      backendSelect.disabled = isBusy(state);
      acceptBatches = isTraining(state);
    },
    /** The status line (role=status, announced politely). */
    setStatus(text: string): void {
      status.textContent = text;
    },
    /** Move the bar to `fraction` in [0, 1], with `text` as its aria-valuetext. */
    setProgress,
    /** The bar's position, in [0, 1]. */
    progressFraction: (): number => Number(progress.getAttribute("aria-valuenow")) / 100,
    /** The line under the progress bar. */
    setProgressText(text: string): void {
      progressText.textContent = text;
    },
    /** A batch's progress, shown in a later frame (only the latest of those that arrive meanwhile). */
    showBatch(p: BatchProgress): void {
      const first = pendingBatch === null;
      pendingBatch = p;
      if (!first) return;
      const wait = Math.max(0, PROGRESS_INTERVAL_MS - (performance.now() - progressShownAt));
      setTimeout(() => requestAnimationFrame(writeBatch), wait);
    },

    /**
     * The worker's memory, or null once it has stopped. Sets data-tensors, data-baseline-tensors and,
     * while `training`, data-peak-tensors (the browser tests compare them).
     */
    showMemory(memory: MemoryReport | null, training: boolean): void {
      memoryLine.textContent = memoryText(memory);
      if (!memory) return void root.removeAttribute("data-tensors");
      root.dataset.tensors = String(memory.numTensors);
      if (training) {
        peakTensors = Math.max(memory.numTensors, peakTensors);
        root.dataset.peakTensors = String(peakTensors);
      }
      if (memory.baselineTensors !== null) root.dataset.baselineTensors = String(memory.baselineTensors);
    },

    /** The backend picked and why; marks unavailable backends in the menu. */
    showBackend(selection: BackendSelection, assessments: readonly BackendAssessment[] | null): void {
      if (assessments) this.annotateBackends(assessments);
      if (!selection.backend) return;
      const label = describeThreads(BACKEND_LABELS[selection.backend], selection.wasmThreads);
      // One thread because the page is not cross-origin isolated (the service worker is not active yet, or cannot be).
      const alone = selection.wasmThreads === 1 && selection.crossOriginIsolated === false ? " (this page is not cross-origin isolated, so one thread)" : "";
      part(backendInfo, "backend-summary").textContent = `Backend: ${label}${selection.device ? ` (${selection.device})` : ""}${alone}`;
      if (selection.wasmThreads !== undefined) root.dataset.wasmThreads = String(selection.wasmThreads);
      else delete root.dataset.wasmThreads;
      part(backendInfo, "backend-explanation").textContent = selection.explanation;
      part(backendInfo, "backend-reasons").replaceChildren(
        ...selection.assessments.map((a) => {
          const t = fromTemplate(root, "backend-reason");
          t.node.textContent = `${BACKEND_LABELS[a.backend]}: ${a.reason}`;
          return t.node;
        }),
      );
      backendInfo.hidden = false;
      root.dataset.backend = selection.backend;
    },
    /** Label each backend in the menu with what the probe found, and disable those that cannot run. */
    annotateBackends(assessments: readonly BackendAssessment[]): void {
      for (const a of assessments) {
        const option = backendSelect.querySelector<HTMLOptionElement>(`option[value="${a.backend}"]`);
        if (!option) continue;
        option.textContent = `${BACKEND_LABELS[a.backend]}${!a.available ? " (unavailable)" : a.software ? " (software GPU: slow)" : ""}`;
        option.disabled = !a.available;
      }
    },

    /** List the queued requests (hidden when none). */
    renderQueue(queue: readonly QueueItem[]): void {
      queueBox.hidden = queue.length === 0;
      queueCount.textContent = `Queued (one training at a time in this tab): ${queue.length}`;
      queueList.replaceChildren(
        ...queue.map((item, i) => {
          const t = fromTemplate(root, "queue-item");
          t.field("label").textContent = `${queueLabel(item)} `;
          const remove = t.field("remove");
          remove.setAttribute("aria-label", `Remove ${item.rowId} from the queue`);
          remove.dataset.queueIndex = String(i);
          return t.node;
        }),
      );
    },

    /**
     * Fill the choice before a run: the heading, each preset's time estimate, the Start label, no
     * Cancel or "Run again" (`render` shows Start and marks the state).
     */
    showChoice(choice: ChoiceView): void {
      title.textContent = choice.title;
      subtitle.textContent = choice.subtitle;
      if (choice.rowId) root.dataset.row = choice.rowId;
      else delete root.dataset.row;
      for (const span of estimateSpans) {
        const estimate = choice.estimates[span.dataset.estimate as PresetName];
        span.textContent = estimate ? ` · ${estimate}` : "";
      }
      estimateNote.textContent = choice.note;
      estimateNote.hidden = choice.note === "";
      start.textContent = choice.startLabel;
      cancel.hidden = true;
      again.hidden = true;
      status.textContent = "Choose a protocol, then press Start (or Enter).";
    },
    /** Put the keyboard on the checked preset (arrows pick another, Enter starts, Tab reaches Start). */
    focusPreset(): void {
      (presetInputs.find((input) => input.checked) ?? presetInputs[0])?.focus();
    },

    /** Reset the run's part of the panel for a new run. */
    resetRun(item: QueueItem, heading: { title: string; subtitle: string }): void {
      peakTensors = 0;
      delete root.dataset.peakTensors;
      title.textContent = heading.title;
      subtitle.textContent = heading.subtitle;
      root.dataset.row = item.rowId;
      root.dataset.preset = item.preset;
      again.hidden = true;
      cancel.hidden = false;
      cancel.disabled = false;
      progressText.textContent = "";
      setProgress(0, "Starting");
    },
    /** A run is over: hide Cancel, offer "Run again" unless the failure alert's buttons take its place. */
    endRun(offerAgain: boolean): void {
      cancel.hidden = true;
      again.hidden = !offerAgain;
    },
    /** The outcome has arrived: nothing left to cancel. */
    hideCancel(): void {
      cancel.hidden = true;
    },

    /** Un-minimise the panel. */
    expand(): void {
      if (root.hasAttribute("data-collapsed")) minimise.click();
    },
    /**
     * Show the panel. The first time, it appears in three frames (head and progress, then the
     * settings, then the charts), so that no frame lays out and paints all of it.
     */
    async reveal(): Promise<void> {
      if (!root.hidden) return;
      const first = !revealed;
      revealed = true;
      if (first) settings.hidden = charts.hidden = true;
      root.hidden = false;
      if (!first) return;
      await afterNextFrame();
      settings.hidden = false;
      await afterNextFrame();
      charts.hidden = false;
    },
  };
}

/** The view's type. */
export type PanelView = ReturnType<typeof bindPanelView>;

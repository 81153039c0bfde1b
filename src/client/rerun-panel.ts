/**
 * The rerun panel: pressing Rerun on a tuning row opens it with the row and a choice of preset
 * (the default, or ?preset=, checked; each with its size and a rough time) and backend (also
 * ?backend=), and trains that row in the worker once the reader presses Start (or Enter). It shows the backend
 * picked and why, dataset download progress, a progress bar (epoch, images/s, ETA), live loss and
 * accuracy curves, Cancel, and at the end the reader's numbers beside the original study's and
 * ours. One training at a time per tab: further requests queue up (listed, removable). Finished
 * runs are kept in IndexedDB with their curve and model.
 *
 * The markup is server-rendered by src/components/RerunPanel.astro in a `<template>`; this entry
 * puts a copy in the page and wires its parts (src/client/rerun/: panel-view, result-table,
 * failure-view, chart-drawer) to the panel's state (src/client/rerun/panel-state.ts), the run
 * queue (src/client/rerun/run-queue.ts) and the trainer client. Loaded by dynamic import on the first
 * Rerun click (src/client/rerun-boot.ts), so report pages ship none of this, comlink or Plot before
 * interaction.
 */
import type { BackendAssessment, BackendChoice } from "../lib/backends/choice.ts";
import { wasmThreadCount } from "../lib/backends/thread-count.ts";
import { appendBatchPoint, thinPoints, type BatchPoint } from "../lib/charts/curve-points.ts";
import { formatPercent } from "../lib/format.ts";
import { describeProtocol, PRESET_LABELS } from "../lib/study/preset-text.ts";
import type { PresetName } from "../lib/study/preset-names.ts";
import type { RerunPageData } from "../lib/study/rerun-reference.ts";
import type { EpochRecord, RunRecord } from "../lib/study/schema.ts";
import type { DataProgress } from "../workers/trainer/api.ts";
import { createChartDrawer } from "./rerun/chart-drawer.ts";
import { describeChoice } from "./rerun/choice-text.ts";
import { createFailureView, retryBackends } from "./rerun/failure-view.ts";
import { afterNextFrame, nextTask } from "./rerun/frames.ts";
import { INITIAL_PANEL_STATE, isCancelling, isTraining, transition, type PanelEvent, type PanelState } from "./rerun/panel-state.ts";
import { bindPanelView, PROGRESS_INTERVAL_MS } from "./rerun/panel-view.ts";
import { createResultView } from "./rerun/result-table.ts";
import { dataProgressText, finishedText, PHASE_TEXT, stoppedText, trainedText } from "./rerun/run-text.ts";
import { createRunQueue } from "./rerun/run-queue.ts";
import { RERUNS_CHANGED_EVENT, saveRerun } from "./rerun-store.ts";
import { createTrainerClient, type ClientOutcome, type TrainerClient } from "./trainer-client.ts";

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

const MEMORY_INTERVAL_MS = 2_000;
/** Chart width in px (the panel scales it down on narrow screens; no layout is read to size it). */
const CHART_WIDTH = 400;
const CHART_HEIGHT = 180;

/** A copy of the panel's server-rendered markup (`<template id="rerun-panel-template">`), attached to `container`. */
function instantiatePanel(container: HTMLElement): HTMLElement {
  const template = document.getElementById("rerun-panel-template");
  const section = template instanceof HTMLTemplateElement ? template.content.querySelector<HTMLElement>("[data-rerun-panel]") : null;
  if (!section) throw new Error("this page has no rerun panel markup (#rerun-panel-template): include RerunPanel.astro");
  const root = document.importNode(section, true);
  container.append(root);
  return root;
}

/** Put a copy of the panel's markup in the page and bind it (shown on the first request). */
export function createRerunPanel(options: RerunPanelOptions) {
  const { data } = options;
  const root = instantiatePanel(options.container ?? document.body);
  const client = options.client ?? createTrainerClient({ baseUrl: options.baseUrl });
  let assessments: BackendAssessment[] | null = null;
  let activeBackend: string | null = null;
  /** The panel's one state: changed only by `dispatch`, shown only by `view.render`. */
  let state: PanelState = INITIAL_PANEL_STATE;

  // Run state, reset per run.
  let batches: BatchPoint[] = [];
  let epochs: EpochRecord[] = [];
  let epochsTotal = 1;
  /** Batches per epoch, from the run's first batch report (undefined before it). */
  let batchesPerEpoch: number | undefined;
  let memoryAskedAt = 0;
  /** Training speed (images/s) of this tab's latest finished run of each row: the best base for its estimates. */
  const measured = new Map<string, number>();

  const view = bindPanelView(root, {
    start: () => dispatch({ type: "start" }),
    closed: () => dispatch({ type: "close" }),
    cancel: () => void queue.cancel(),
    again: () => {
      const last = queue.state.last;
      if (last) startRows([last.rowId]);
    },
    removeQueued: (index) => queue.remove(index),
    clearQueue: () => queue.clear(),
    state: () => state,
  });
  if (options.preset) view.setPreset(options.preset);
  if (options.backend) view.setBackend(options.backend);
  const result = createResultView(root, data.presets);
  const failure = createFailureView(root, {
    retry: (backend) => {
      const failed = queue.state.last;
      if (!failed) return;
      if (backend) view.setBackend(backend);
      queue.retry({ ...failed, backend: backend ?? failed.backend });
    },
  });
  const charts = createChartDrawer({
    loss: view.lossChart,
    accuracy: view.accuracyChart,
    request: () => {
      const item = queue.state.current ?? queue.state.last;
      const reference = item ? data.rows[item.rowId]?.original : undefined;
      return {
        batches: thinPoints(batches, 200),
        epochs,
        epochsTotal,
        batchesPerEpoch,
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        reference: reference ? { label: `Original study ${formatPercent(reference.valAccuracy)} (val.)`, value: reference.valAccuracy } : undefined,
      };
    },
  });

  // The worker's tensor count while it trains, every few seconds (it answers between batches).
  function pollMemory(): void {
    const now = performance.now();
    if (now - memoryAskedAt < MEMORY_INTERVAL_MS) return;
    memoryAskedAt = now;
    client
      .memory()
      .then((m) => {
        if (isTraining(state)) view.showMemory(m, true);
      })
      .catch(() => {});
  }

  /** Store the record, its curve and its model; then free the model in the worker. */
  async function keep(record: RunRecord): Promise<void> {
    try {
      const exported = await client.exportModel();
      await saveRerun(
        record,
        { runId: record.runId, batches: thinPoints(batches, 500) },
        exported
          ? { runId: exported.runId, rowId: exported.rowId, createdAt: new Date().toISOString(), modelJson: exported.modelJson, weights: exported.weights }
          : undefined,
      );
      await client.disposeModel();
      view.showMemory(await client.memory(), isTraining(state));
      root.dataset.saved = record.runId;
      document.dispatchEvent(new CustomEvent(RERUNS_CHANGED_EVENT, { detail: { runId: record.runId, rowId: record.rowId } }));
    } catch (error) {
      result.showSaveError(error);
    }
  }

  let startedAt = 0;
  let dataShownAt = 0;

  const queue = createRunQueue({
    trainer: client,
    requestOf: (item) => ({ rowId: item.rowId, protocol: data.presets[item.preset], backend: item.backend }),
    hooks: {
      onChange(queueState, effect) {
        dispatch({ type: "phase", phase: queueState.phase });
        view.renderQueue(queueState.queue);
        if (effect?.type === "refused") view.setStatus(`${effect.rowId} is already ${effect.reason === "training" ? "training" : "queued"}.`);
      },

      async prepare(item) {
        dispatch({ type: "prepared" });
        const shown = view.reveal();
        batches = [];
        batchesPerEpoch = undefined;
        epochs = [];
        memoryAskedAt = 0;
        dataShownAt = 0;
        epochsTotal = data.presets[item.preset].epochs;
        view.resetRun(item, {
          title: `Rerun ${item.rowId}`,
          subtitle: `${data.rows[item.rowId]?.description ?? item.rowId} · ${PRESET_LABELS[item.preset]}: ${describeProtocol(data.presets[item.preset])}`,
        });
        failure.hide();
        result.hide();
        view.setStatus(PHASE_TEXT.backend);
        charts.schedule(true);
        // Showing the panel and starting the worker in separate tasks keeps each one short.
        await shown;
        await nextTask();
        startedAt = performance.now();
      },

      handlers: () => ({
        onPhase: (phase) => {
          view.setStatus(PHASE_TEXT[phase]);
          if (phase === "evaluate-validation") view.setProgress(1, "Training done, evaluating");
          // The record is made: nothing is left to cancel (the outcome follows once the last progress is delivered).
          if (phase === "done") view.hideCancel();
        },
        onBackend: (selection) => {
          activeBackend = selection.backend;
          client.noteBackend(selection.backend);
          if (selection.assessments.length) assessments = selection.assessments;
          view.showBackend(selection, assessments);
        },
        onDataProgress: (p: DataProgress) => {
          // Downloads report every chunk; the status line changes at most every PROGRESS_INTERVAL_MS.
          const now = performance.now();
          if (p.stage === "download" && now - dataShownAt < PROGRESS_INTERVAL_MS && p.bytes < p.totalBytes) return;
          dataShownAt = now;
          const text = dataProgressText(p);
          if (text !== null) view.setStatus(text);
        },
        onBatch: (p) => {
          batchesPerEpoch = p.batchesPerEpoch;
          const added = appendBatchPoint(batches, p);
          view.showBatch(p);
          if (added) charts.schedule();
          pollMemory();
        },
        onEpoch: (r) => {
          epochs.push(r);
          charts.schedule(true);
        },
      }),

      async settle(outcome: ClientOutcome) {
        // Progress still queued for a frame is stale now.
        dispatch({ type: "answered" });
        view.hideCancel();
        if (outcome.status === "finished") {
          const record = outcome.record;
          // A Cancel pressed after the worker had finished: said so, and the result is kept.
          const cancelTooLate = isCancelling(state);
          epochs = record.epochs;
          const speed = record.epochs.reduce((s, e) => s + e.imagesPerSecond, 0) / Math.max(1, record.epochs.length);
          if (speed > 0) measured.set(record.rowId, speed);
          view.setProgress(1, "Finished");
          view.setStatus(finishedText((performance.now() - startedAt) / 1000, outcome.backend, record, cancelTooLate));
          view.setProgressText(trainedText(record));
          view.showMemory(outcome.memory, false);
          // The result table in a frame of its own, the final charts after it.
          await afterNextFrame();
          result.show(record, data.rows[record.rowId]);
          await afterNextFrame();
          charts.schedule(true);
          // Saved before the run counts as over, so that a next run cannot take the model's place first.
          await keep(record);
        }
        // After a failure the alert's Retry buttons take the place of "Run again".
        view.endRun(outcome.status !== "failed");
        if (outcome.status === "cancelled") {
          view.setStatus("Cancelled. Nothing was kept.");
          view.setProgressText(stoppedText(view.progressFraction()));
          view.setProgress(view.progressFraction(), "Cancelled");
          view.showMemory(outcome.memory, false);
        } else if (outcome.status === "failed") {
          view.setStatus("Stopped: see below.");
          failure.show(outcome.failure, retryBackends(outcome.failure, assessments ?? [], activeBackend));
          view.showMemory(outcome.failure.kind === "worker-crashed" ? null : outcome.memory, false);
        }
      },
    },
  });

  /** Move the panel's state by `event`, show it, and carry out what the transition asks for. */
  function dispatch(event: PanelEvent): void {
    const next = transition(state, event);
    if (next.state !== state) {
      state = next.state;
      view.render(state);
    }
    if (next.effect?.type === "choose") choose(next.effect.rows);
    else if (next.effect?.type === "enqueue") startRows(next.effect.rows);
  }

  /** Train `rows` with the panel's preset and backend: the first now when nothing runs, the others queued. */
  function startRows(rows: readonly string[]): void {
    view.expand();
    for (const rowId of rows) {
      const effect = queue.enqueue({ rowId, preset: view.preset, backend: view.backend });
      if (effect?.type !== "start") void view.reveal();
    }
  }

  /** Fill the choice of preset and backend for `rows`, with each preset's rough time, and put the keyboard on it. */
  function choose(rows: readonly string[]): void {
    // Our records' speeds are scaled to the wasm threads this page's worker will get.
    const threads = wasmThreadCount({ isolated: globalThis.crossOriginIsolated, cores: navigator.hardwareConcurrency });
    view.showChoice(describeChoice(rows, data, measured, { threads }));
    failure.hide();
    result.hide();
    void view.reveal().then(() => {
      if (state.kind === "choosing" && state.rows === rows) view.focusPreset();
    });
  }

  /**
   * Pressing Rerun on `rows`: while a run is in progress they are queued behind it with the panel's
   * preset and backend; otherwise the panel shows the choice and training waits for Start.
   */
  function requestRows(rows: readonly string[]): void {
    view.expand();
    const unknown = rows.filter((id) => !data.rows[id]);
    if (unknown.length || rows.length === 0) {
      void view.reveal();
      view.setStatus(rows.length === 0 ? "No rows to rerun." : `Unknown row "${unknown[0]}": nothing to rerun.`);
      return;
    }
    dispatch({ type: "request", rows: [...rows] });
  }

  view.render(state);

  return {
    /** Pressing Rerun on a row: the choice of preset opens (or the row is queued behind a running one). */
    request: (rowId: string): void => requestRows([rowId]),
    /** A table's "Rerun all": one choice for all rows, run in turn after Start (queued behind a running one). */
    requestAll(rowIds: readonly string[]): void {
      requestRows(rowIds);
    },
    /** Start the runs being chosen, as the Start button does (no-op when no choice is showing). */
    start: (): void => dispatch({ type: "start" }),
    /** Set the preset used by the next requests. */
    setPreset(name: PresetName): void {
      view.setPreset(name);
    },
    element: root,
    client,
    /** The run queue (its state and lifecycle). */
    queue,
  };
}

/** The panel's type. */
export type RerunPanel = ReturnType<typeof createRerunPanel>;

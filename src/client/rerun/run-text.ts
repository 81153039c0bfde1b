/**
 * What the rerun panel says during and after a run, without any DOM: the status line for each
 * step of the worker, dataset download progress, and the lines that end a finished or cancelled
 * run. The panel's texts before a run are in choice-text.ts, those of a batch and the worker's
 * memory in panel-view.ts.
 */
import { BACKEND_LABELS, type BackendName } from "../../lib/backends/choice.ts";
import { describeThreads } from "../../lib/backends/thread-count.ts";
import { formatCount, formatDuration, formatMB, formatPlural } from "../../lib/format.ts";
import type { RunRecord } from "../../lib/study/schema.ts";
import type { DataProgress, RerunPhase } from "../../workers/trainer/api.ts";

/** The status line while the worker is in each step of a run. */
export const PHASE_TEXT: Readonly<Record<RerunPhase, string>> = {
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

/** The status line for dataset progress, or null when it says nothing new (a download without a known size). */
export function dataProgressText(p: DataProgress): string | null {
  if (p.stage === "download" && p.totalBytes > 0) {
    return p.cachedBytes >= p.bytes && p.bytes > 0
      ? "Reading Fashion-MNIST from this browser's cache…"
      : `Downloading Fashion-MNIST: ${formatMB(p.bytes)} of ${formatMB(p.totalBytes)}`;
  }
  return p.stage === "decode" ? "Checking and decoding Fashion-MNIST…" : null;
}

/**
 * The status line of a finished run: "Finished in 1 min 5 s on WebAssembly (2 threads)."
 * @param seconds wall time from the run's start to its record
 * @param cancelTooLate a Cancel was pressed after the worker had finished: the result is kept, and said so
 */
export function finishedText(seconds: number, backend: BackendName, record: RunRecord, cancelTooLate: boolean): string {
  const on = describeThreads(BACKEND_LABELS[backend], backend === "wasm" ? record.environment.wasmThreads : undefined);
  return `Finished in ${formatDuration(seconds)} on ${on}.${cancelTooLate ? " Cancel came after training had finished, so the result is kept." : ""}`;
}

/** The line under the progress bar of a finished run: images, epochs, the last epoch's speed, evaluation sizes. */
export function trainedText(record: RunRecord): string {
  const last = record.epochs[record.epochs.length - 1];
  const speed = last ? ` · ${formatCount(last.imagesPerSecond)} images/s in the last epoch` : "";
  return `Trained ${formatCount(record.protocol.trainImages)} images × ${formatPlural(record.epochs.length, "epoch")}${speed} · evaluated on ${formatCount(record.protocol.validationImages)} validation and ${formatCount(record.protocol.testImages)} test images`;
}

/** The line under the progress bar of a cancelled run (the last batch's line, with its ETA, is stale). */
export function stoppedText(fraction: number): string {
  return `Stopped at ${Math.round(fraction * 100)}% of training.`;
}

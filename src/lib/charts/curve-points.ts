/**
 * Points of a live training curve, without any charting code, so the page can collect them
 * before the chart module (Observable Plot) has loaded.
 */
import type { BatchProgress } from "../model/train.ts";

/** One training point: where in training (in epochs, fractional) and the running loss/accuracy. */
export interface BatchPoint {
  /** Epochs done, fractional: epoch - 1 + batch / batchesPerEpoch, in (0, epochs]. */
  x: number;
  loss: number;
  /** In [0, 1]. */
  accuracy: number;
}

/**
 * The chart point of a batch's progress report, placed at the batch its loss and accuracy are as
 * of (`lossBatch`, which lags `batch` on WebGPU/WebGL), not at the batch just trained.
 */
export function batchPointOf(progress: BatchProgress): BatchPoint {
  const batch = progress.lossBatch ?? progress.batch;
  return { x: progress.epoch - 1 + batch / progress.batchesPerEpoch, loss: progress.loss, accuracy: progress.accuracy };
}

/**
 * Add a batch's point to a curve unless it adds nothing: on WebGPU/WebGL several reports in a
 * row carry the same (not yet re-read) totals, and one point per read is what the curve has.
 * @param points the curve so far, in training order (appended to in place)
 * @returns whether a point was added
 */
export function appendBatchPoint(points: BatchPoint[], progress: BatchProgress): boolean {
  if (!(progress.batch >= 1) || !Number.isFinite(progress.loss) || !Number.isFinite(progress.accuracy)) return false;
  const point = batchPointOf(progress);
  const last = points[points.length - 1];
  if (last && point.x <= last.x) return false;
  points.push(point);
  return true;
}

/** How a live curve's x axis reads. */
export interface CurveAxis {
  /** Multiply a point's x (epochs, fractional) by this to place it. */
  scale: number;
  /** [0, end] in the axis' unit. */
  domain: [number, number];
  label: string;
}

/**
 * The x axis of a live curve: in epochs, or, for a one-epoch run (a smoke run) whose batches per
 * epoch are known, in batches, so that its curve is not squeezed between the ticks 0 and 1.
 * @param epochs epochs the run trains (>= 1)
 * @param batchesPerEpoch batches in an epoch, when known
 */
export function curveAxis(epochs: number, batchesPerEpoch?: number): CurveAxis {
  const total = Math.max(1, Math.round(epochs));
  if (total === 1 && batchesPerEpoch !== undefined && batchesPerEpoch >= 1) {
    return { scale: batchesPerEpoch, domain: [0, batchesPerEpoch], label: `Batch (of ${batchesPerEpoch}, one epoch)` };
  }
  return { scale: 1, domain: [0, total], label: "Epoch" };
}

/**
 * At most `max` points spread evenly over `points` (first and last kept), so a full run's
 * thousands of batches draw as fast as a smoke run's dozen.
 */
export function thinPoints<T>(points: readonly T[], max: number): T[] {
  if (max < 2) throw new Error(`thinPoints: max must be at least 2, got ${max}`);
  if (points.length <= max) return points.slice();
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]);
  return out;
}

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

/** The chart point of a batch's progress report. */
export function batchPointOf(progress: BatchProgress): BatchPoint {
  return { x: progress.epoch - 1 + progress.batch / progress.batchesPerEpoch, loss: progress.loss, accuracy: progress.accuracy };
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


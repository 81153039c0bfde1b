/**
 * How long a reader's rerun of a preset will train, from the best evidence this site has: our
 * published record of that preset (its training time, not its wall time), unless another record of
 * the row trained faster per thread (records made beside other processes are slow, and every preset
 * trains the same batches), scaled from the threads it ran on to the threads the reader's wasm
 * backend will get. Pure; the rerun panel words the result (src/client/rerun/choice-text.ts).
 */
import type { ReproducedReference, RowReference } from "./rerun-reference.ts";
import type { PresetName } from "./preset-names.ts";

/**
 * Speed-up of wasm training on `threads` XNNPACK threads over one thread, assumed: threads^0.7
 * (2 threads: 1.62x, as measured in Node on 2 idle cores, docs/wasm.md; 7 threads: 3.9x). Thread
 * pools scale less than linearly: every operator waits for its slowest thread.
 * @param threads XNNPACK threads, >= 1
 */
export function threadSpeedup(threads: number): number {
  return threads <= 1 ? 1 : threads ** 0.7;
}

/** The record an estimate rests on, and the speed it gives. */
export interface SpeedEvidence {
  /** Protocol of the record ("full", "quick", "smoke"). */
  protocol: string;
  /** Images/s expected for the reader: the record's, scaled to the reader's threads. */
  imagesPerSecond: number;
  /** "training time": the record's trainSeconds; "epoch speed": its median epoch speed (older pages). */
  basis: "training time" | "epoch speed";
  backend: string;
  runtime?: string;
  /** Threads the record trained on (wasm), and the threads the speed was scaled to, when scaled. */
  recordThreads?: number;
  scaledToThreads?: number;
}

/** The record's own speed: trained images over training time, else its median epoch speed. */
function ownSpeed(ref: ReproducedReference): { imagesPerSecond: number; basis: SpeedEvidence["basis"] } | null {
  if (ref.trainSeconds !== undefined && ref.trainSeconds > 0 && ref.trainedImages !== undefined && ref.trainedImages > 0) {
    return { imagesPerSecond: ref.trainedImages / ref.trainSeconds, basis: "training time" };
  }
  return ref.imagesPerSecond !== undefined && ref.imagesPerSecond > 0 ? { imagesPerSecond: ref.imagesPerSecond, basis: "epoch speed" } : null;
}

/**
 * The speed a preset's estimate starts from: our record of that preset, or the row's record that
 * trained fastest per thread when that is faster (or the preset has none), scaled from its threads
 * to `readerThreads` when both are known and it ran on wasm.
 * @param readerThreads wasm threads the reader's worker will run (thread-count.ts); undefined: unknown, not scaled
 * @returns null when the row has no record with a speed
 */
export function presetEvidence(row: RowReference | undefined, preset: PresetName, readerThreads?: number): SpeedEvidence | null {
  // The preset's own record first; another record of the row wins only when it trained faster per
  // thread (every preset trains the same batches, so a slower record was slowed by the machine).
  const candidates = [row?.byPreset?.[preset], row?.byPreset?.full, row?.byPreset?.quick, row?.byPreset?.smoke, row?.reproduced].filter(
    (r): r is ReproducedReference => r !== undefined && ownSpeed(r) !== null,
  );
  const perThread = (r: ReproducedReference) => ownSpeed(r)!.imagesPerSecond / (r.backend === "wasm" ? threadSpeedup(r.wasmThreads ?? 1) : 1);
  const ref = candidates.reduce<ReproducedReference | undefined>((best, r) => (best === undefined || perThread(r) > perThread(best) ? r : best), undefined);
  if (!ref) return null;
  const speed = ownSpeed(ref)!;
  const evidence: SpeedEvidence = { protocol: ref.protocol, imagesPerSecond: speed.imagesPerSecond, basis: speed.basis, backend: ref.backend };
  if (ref.runtime) evidence.runtime = ref.runtime;
  if (ref.backend === "wasm") {
    const recordThreads = ref.wasmThreads ?? 1;
    evidence.recordThreads = recordThreads;
    if (readerThreads !== undefined && readerThreads !== recordThreads) {
      evidence.imagesPerSecond = (speed.imagesPerSecond / threadSpeedup(recordThreads)) * threadSpeedup(readerThreads);
      evidence.scaledToThreads = readerThreads;
    }
  }
  return evidence;
}

/**
 * Running loss and accuracy totals of an epoch kept on the device, read back without stalling it.
 *
 * Reading a number from a GPU backend waits for every queued kernel: doing that after each batch
 * (as `trainOnBatch` does) leaves the GPU idle while the CPU dispatches the next batch. Here each
 * batch adds its totals on the device (two kernels), and a read of the running totals is started
 * only when the previous one has finished, so on WebGPU/WebGL the reported values lag the
 * training by a few batches. The caller bounds that lag (and how far the CPU may queue work ahead
 * of the GPU) by waiting for the read in flight once it is `maxLag` batches old ({@link DeviceTotals.lag}).
 * On cpu and wasm a read costs nothing and the caller may wait for it every batch.
 */
import * as tf from "@tensorflow/tfjs";
import type { StepTotals } from "./train-step.ts";

/** The totals of the batches covered by the latest finished read. */
export interface KnownTotals {
  /** Sum of per-image cross-entropy (nats). */
  lossSum: number;
  /** Images predicted correctly. */
  correct: number;
  /** Images covered. */
  images: number;
  /** Batches covered (the 1-based number of the last one). */
  batches: number;
}

/** Device-side running totals of one epoch; call {@link DeviceTotals.close} when done. */
export class DeviceTotals {
  private loss: tf.Scalar | null = null;
  private correct: tf.Scalar | null = null;
  private images = 0;
  private batches = 0;
  private reading: Promise<void> | null = null;
  private readingBatches = 0;
  private readonly underRead = new Set<tf.Tensor>();
  /** Totals as of the latest finished read (all zero before the first). */
  known: KnownTotals = { lossSum: 0, correct: 0, images: 0, batches: 0 };

  /** Adds one batch's totals (and takes ownership of them). @param images the batch size */
  add(totals: StepTotals, images: number): void {
    if (this.loss === null || this.correct === null) {
      this.loss = totals.lossSum;
      this.correct = totals.correct;
    } else {
      const loss = tf.add(this.loss, totals.lossSum) as tf.Scalar;
      const correct = tf.add(this.correct, totals.correct) as tf.Scalar;
      this.release(this.loss);
      this.release(this.correct);
      totals.lossSum.dispose();
      totals.correct.dispose();
      this.loss = loss;
      this.correct = correct;
    }
    this.images += images;
    this.batches++;
  }

  /** Whether a read is in flight. */
  get pending(): boolean {
    return this.reading !== null;
  }

  /** Batches added since the read in flight was started (0 when none is in flight). */
  get lag(): number {
    return this.reading === null ? 0 : this.batches - this.readingBatches;
  }

  /**
   * Starts reading the running totals unless a read is in flight or nothing was added.
   * @returns the read in flight (resolves when `known` is updated), or null when none
   */
  read(): Promise<void> | null {
    if (this.reading !== null) return this.reading;
    const loss = this.loss;
    const correct = this.correct;
    if (loss === null || correct === null) return null;
    const images = this.images;
    const batches = this.batches;
    this.readingBatches = batches;
    this.underRead.add(loss);
    this.underRead.add(correct);
    this.reading = Promise.all([loss.data(), correct.data()])
      .then(([l, c]) => {
        this.known = { lossSum: l[0], correct: c[0], images, batches };
      })
      .finally(() => {
        for (const t of [loss, correct]) {
          this.underRead.delete(t);
          if (t !== this.loss && t !== this.correct) t.dispose();
        }
        this.reading = null;
      });
    return this.reading;
  }

  /** Waits for any read in flight, then reads the totals of every batch added. */
  async settle(): Promise<KnownTotals> {
    if (this.reading !== null) await this.reading;
    if (this.known.batches !== this.batches) await this.read();
    return this.known;
  }

  /** Waits for any read in flight and frees the device tensors. */
  async close(): Promise<void> {
    if (this.reading !== null) await this.reading.catch(() => undefined);
    this.loss?.dispose();
    this.correct?.dispose();
    this.loss = null;
    this.correct = null;
  }

  private release(t: tf.Tensor): void {
    if (!this.underRead.has(t)) t.dispose();
  }
}

/**
 * Training throughput and the time left, for the progress a run reports after every batch.
 * Throughput is measured over a sliding window of recent batches, so that the first batches
 * (kernel warm-up) stop counting once the window has moved past them.
 */

/** Images per second over the last `size` batches. */
export class ThroughputWindow {
  private readonly batches: { t: number; images: number }[] = [];
  private readonly size: number;

  constructor(size = 20) {
    this.size = size;
  }

  /**
   * Records a batch of `images` finished at `t` (milliseconds).
   * @returns images per second over the window, counted from the end of its oldest batch (0 until two batches)
   */
  add(t: number, images: number): number {
    this.batches.push({ t, images });
    if (this.batches.length > this.size) this.batches.shift();
    const span = this.batches.length > 1 ? (t - this.batches[0].t) / 1000 : 0;
    return span > 0 ? this.batches.slice(1).reduce((s, b) => s + b.images, 0) / span : 0;
  }
}

/** What a run's ETA depends on besides its throughput. */
export interface EtaPlan {
  /** Training batches of the whole run, and the batch size. */
  totalBatches: number;
  batchSize: number;
  epochs: number;
  /** Images of one validation pass, run after every epoch; null when there is none. */
  validationImages: number | null;
}

/** The run's estimated seconds left, from training throughput and the validation passes timed so far. */
export class EtaEstimator {
  private readonly throughput = new ThroughputWindow();
  private validationSeconds = 0;
  private validations = 0;
  private readonly plan: EtaPlan;

  constructor(plan: EtaPlan) {
    this.plan = plan;
  }

  /** Counts one validation pass that took `seconds`. */
  addValidation(seconds: number): void {
    this.validationSeconds += seconds;
    this.validations++;
  }

  /**
   * Records a finished training batch.
   * @param t its end, in milliseconds
   * @param batchesDone training batches finished in the whole run, this one included
   * @param epochsFinished epochs whose record is complete
   * @returns throughput over the recent batches, and seconds left (null before three batches)
   */
  addBatch(t: number, images: number, batchesDone: number, epochsFinished: number): { imagesPerSecond: number; etaSeconds: number | null } {
    const { totalBatches, batchSize, epochs, validationImages } = this.plan;
    const imagesPerSecond = this.throughput.add(t, images);
    const remainingImages = (totalBatches - batchesDone) * batchSize;
    // Before the first validation pass is timed, guess one at three times the training speed.
    const validationEstimate =
      validationImages !== null
        ? (this.validationSeconds / Math.max(1, this.validations) || validationImages / Math.max(imagesPerSecond, 1) / 3) * (epochs - epochsFinished)
        : 0;
    const etaSeconds = batchesDone >= 3 && imagesPerSecond > 0 ? remainingImages / imagesPerSecond + validationEstimate : null;
    return { imagesPerSecond, etaSeconds };
  }
}

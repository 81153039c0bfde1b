/**
 * Which epoch's weights a run ends with: the one with the best validation accuracy (as
 * keras-tuner reports the best epoch) or the last. The keeper owns a copy of the best epoch's
 * weights while a later epoch may still replace them, and disposes it.
 */
import * as tf from "@tensorflow/tfjs";
import { saveTensors, type SavedTensor } from "./saved-tensors.ts";

/** How the epoch whose weights a run keeps is chosen. */
export type EpochSelection = "best-val-accuracy" | "last";

export class BestEpochKeeper {
  /** 1-based best epoch so far (0 before any). */
  epoch: number;
  /** Its validation accuracy, or -1. */
  accuracy: number;
  readonly selection: EpochSelection;
  private weights: tf.Tensor[] | null = null;

  /** @param from the best epoch of a run being resumed */
  constructor(selection: EpochSelection, from?: { bestEpoch: number; bestAccuracy: number }) {
    this.selection = selection;
    this.epoch = from?.bestEpoch ?? 0;
    this.accuracy = from?.bestAccuracy ?? -1;
  }

  /** Takes ownership of the best weights of a resumed run. */
  adopt(weights: tf.Tensor[] | null): void {
    this.replace(weights);
  }

  /**
   * Counts a finished epoch.
   * @param valAccuracy its validation accuracy, when validated
   * @param final whether it is the run's last epoch: its weights are the model's, so none are copied
   */
  finish(epoch: number, valAccuracy: number | undefined, model: tf.LayersModel, final: boolean): void {
    if (this.selection === "last") {
      this.epoch = epoch;
    } else if (valAccuracy !== undefined && valAccuracy > this.accuracy) {
      this.accuracy = valAccuracy;
      this.epoch = epoch;
      this.replace(final ? null : model.getWeights().map((w) => w.clone()));
    }
  }

  /** The kept weights as plain data (for a checkpoint), or null when none are kept. */
  async save(): Promise<SavedTensor[] | null> {
    return this.weights ? saveTensors(this.weights) : null;
  }

  /**
   * Puts the best epoch's weights into `model` (it already holds them when that was the last
   * epoch) and says which epoch that is.
   * @param lastEpoch the last finished epoch
   */
  restoreInto(model: tf.LayersModel, lastEpoch: number): number {
    if (this.weights) model.setWeights(this.weights);
    if (this.selection === "best-val-accuracy" && this.epoch === 0) this.epoch = lastEpoch;
    return this.epoch;
  }

  dispose(): void {
    this.replace(null);
  }

  private replace(weights: tf.Tensor[] | null): void {
    this.weights?.forEach((w) => w.dispose());
    this.weights = weights;
  }
}

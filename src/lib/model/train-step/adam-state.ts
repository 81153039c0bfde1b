/**
 * Saving and restoring tfjs Adam's state (the "stock" step's optimiser) for a checkpoint. Its
 * `getWeights()` (iterations, first and second moments) is followed by its running beta powers,
 * which `setWeights` would otherwise recompute as pow(beta, t + 1) and so differ from an
 * uninterrupted run in the last float bit.
 */
import * as tf from "@tensorflow/tfjs";
import { saveTensors, toTensor, type SavedTensor } from "../saved-tensors.ts";
import { adamBetaPowers } from "./tfjs-internals.ts";

/** tfjs Adam's state as plain data. */
export async function saveAdamState(optimizer: tf.Optimizer): Promise<SavedTensor[]> {
  const named = await optimizer.getWeights();
  try {
    const saved = await saveTensors(
      named.map((w) => w.tensor),
      named.map((w) => w.name),
    );
    const { accBeta1, accBeta2 } = adamBetaPowers(optimizer);
    if (accBeta1 && accBeta2) saved.push(...(await saveTensors([accBeta1, accBeta2], ["adam/accBeta1", "adam/accBeta2"])));
    return saved;
  } finally {
    named[0]?.tensor.dispose(); // the iterations scalar is created by getWeights; the moments are the optimiser's own
  }
}

/** Put a state from {@link saveAdamState} back into `optimizer`. */
export async function restoreAdamState(optimizer: tf.Optimizer, saved: readonly SavedTensor[]): Promise<void> {
  const betas = saved.filter((w) => w.name.startsWith("adam/"));
  const named = saved.filter((w) => !w.name.startsWith("adam/")).map((w) => ({ name: w.name, tensor: toTensor(w) }));
  try {
    await optimizer.setWeights(named);
  } finally {
    tf.dispose(named.map((w) => w.tensor));
  }
  const powers = adamBetaPowers(optimizer);
  for (const beta of betas) {
    const target = beta.name === "adam/accBeta1" ? powers.accBeta1 : powers.accBeta2;
    if (target) tf.tidy(() => target.assign(toTensor(beta) as tf.Scalar));
  }
}

/**
 * Tensors as plain data, for checkpoints: the weights and optimiser state a resumed run needs.
 */
import * as tf from "@tensorflow/tfjs";

/** A tensor's values as plain data (row-major), for checkpoints. */
export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  values: Float32Array | Int32Array;
}

/**
 * Copy tensors' values out (the tensors are left as they are).
 * @param names one per tensor; default `t0`, `t1`, ...
 * @throws Error for a dtype other than float32 or int32
 */
export async function saveTensors(tensors: readonly tf.Tensor[], names?: readonly string[]): Promise<SavedTensor[]> {
  return Promise.all(
    tensors.map(async (t, i) => {
      if (t.dtype !== "float32" && t.dtype !== "int32") throw new Error(`cannot checkpoint a ${t.dtype} tensor`);
      return {
        name: names?.[i] ?? `t${i}`,
        shape: t.shape.slice(),
        dtype: t.dtype,
        // A copy: some backends hand out their own backing store.
        values: ((await t.data()) as Float32Array | Int32Array).slice(),
      };
    }),
  );
}

/** A new tensor holding a saved tensor's values (the caller disposes of it). */
export const toTensor = (s: SavedTensor): tf.Tensor => tf.tensor(s.values, s.shape, s.dtype);

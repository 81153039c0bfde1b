/** Seeded inputs and an error measure shared by the kernel tests (any backend). */
import { expect } from "vitest";
import { createRng } from "../../src/lib/data/random.ts";

/** Uniform values in [-1, 1) from a seed. */
export function randomValues(shape: number[], seed: number): Float32Array {
  const rng = createRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng() * 2 - 1;
  return values;
}

/** max |a - b| / max |a|: the error relative to the reference's scale. */
export function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i] - actual[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Shared pieces of the wasm-kernel tests (tests/lib/backends/kernels/wasm/): seeded inputs, an
 * error measure, and running the same computation on the `cpu` and `wasm` backends.
 */
import { beforeAll, expect } from "vitest";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmGradientKernels } from "../../src/lib/backends/kernels/wasm/register.ts";
import { randomValues, relativeError } from "./numeric.ts";

export { randomValues, relativeError };

/** The two backends compared. */
export type Backend = "cpu" | "wasm";

/** Runs `f` on the given backend and hands back plain arrays, so results can cross backends. */
export async function onBackend<T>(backend: Backend, f: () => Promise<T>): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  return f();
}

/** Number of buffers the wasm backend holds. */
export function wasmDataIds(): number {
  return tf.findBackend("wasm").numDataIds();
}

/** Registers the project's wasm kernels and starts the wasm backend before the file's tests. */
export function useWasmKernels(): void {
  beforeAll(async () => {
    registerWasmGradientKernels();
    expect(await tf.setBackend("wasm")).toBe(true);
  });
}

/**
 * Runs `f` on a seeded random tensor of `shape` on cpu and on wasm and expects every output of
 * the same shape and within `tolerance` relative error; also that wasm leaves no tensor behind.
 */
export async function compareWithCpu(shape: number[], f: (x: tf.Tensor) => tf.Tensor | tf.Tensor[], seed = 41, tolerance = 1e-5): Promise<void> {
  const run = (backend: Backend) =>
    onBackend(backend, async () => {
      const x = tf.tensor(randomValues(shape, seed), shape);
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => f(x));
      const list = Array.isArray(out) ? out : [out];
      const values = await Promise.all(list.map(async (t) => ({ shape: t.shape, data: await t.data() })));
      tf.dispose(list);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      return values;
    });
  const cpu = await run("cpu");
  const wasm = await run("wasm");
  expect(wasm.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    expect(wasm[i].shape, `output ${i}`).toEqual(cpu[i].shape);
    expect(relativeError(cpu[i].data, wasm[i].data), `output ${i}`).toBeLessThan(tolerance);
  }
}

/** A conv2d padding as `tf.conv2d` takes it. */
export type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

/**
 * dx and dW of sum(conv2d(x, w) * r) for a fixed random r, so every output pixel matters, with
 * the tensors and (on wasm) buffers left behind by the gradient computation.
 */
export async function convGrads(backend: Backend, xShape: number[], wShape: number[], strides: number, pad: Pad, seed: number) {
  return onBackend(backend, async () => {
    const x = tf.tensor4d(randomValues(xShape, seed), xShape as [number, number, number, number]);
    const w = tf.tensor4d(randomValues(wShape, seed + 1), wShape as [number, number, number, number]);
    const outShape = tf.tidy(() => tf.conv2d(x, w, strides, pad).shape);
    const r = tf.tensor(randomValues(outShape, seed + 2), outShape);
    const tensorsBefore = tf.memory().numTensors;
    const dataIdsBefore = backend === "wasm" ? wasmDataIds() : 0;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)
        .mul(r)
        .sum(),
    )([x, w]);
    const result = { dx: await dx.data(), dw: await dw.data(), dxShape: dx.shape, dwShape: dw.shape };
    tf.dispose([dx, dw]);
    const leaked = { tensors: tf.memory().numTensors - tensorsBefore, dataIds: backend === "wasm" ? wasmDataIds() - dataIdsBefore : 0 };
    tf.dispose([x, w, r]);
    return { ...result, leaked };
  });
}

/**
 * When a cancel is answered, by construction: a cancel while the dataset is still loading (the load
 * held open by the test) and a cancel after training has finished (the final progress callback held
 * open by the test). No timing: each test holds the run at the point it needs, then lets it go.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { PIXELS, type ImageSet } from "../../../src/lib/data/splits.ts";
import { FULL_PROTOCOL } from "../../../src/lib/study/study.ts";
import type { Protocol } from "../../../src/lib/study/schema.ts";
import { createTrainerApi, type LoadedData, type TrainerDeps, type TrainPhase } from "../../../src/workers/trainer/api.ts";

function blockSet(count: number): ImageSet {
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    images[i * PIXELS + (i % 10) * 28] = 255;
  }
  return { images, labels, count };
}

const DATA: LoadedData = {
  train: blockSet(200),
  test: blockSet(40),
  info: { trainImages: 200, testImages: 40, servedBytes: 0, cachedBytes: 0, seconds: 0 },
};
const ROW = "cnn-4-4-3-8";
const PROTOCOL: Protocol = { ...FULL_PROTOCOL, name: "custom", epochs: 1, batchSize: 16, trainImages: 32, validationImages: 16, testImages: 16 };
const CONFIG = { dataUrl: "http://localhost/data/fashion-mnist/", wasmPaths: "http://localhost/data/tfjs-wasm/" };

/** A promise and its resolver. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

function deps(loadDataset: TrainerDeps["loadDataset"]): TrainerDeps {
  return {
    probeBackends: async () => ({
      webgpu: { available: false, error: "none" },
      webgl: { available: false, error: "none" },
      wasm: { available: false, error: "none" },
    }),
    activateBackend: async () => void (await tf.setBackend("cpu")),
    loadDataset,
    deviceFacts: () => ({}),
  };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("trainer api: when a cancel is answered", () => {
  it("answers a cancel during the dataset download at once, with nothing trained; the download goes on for the next run", async () => {
    const held = gate<LoadedData>();
    const reached = gate();
    let loads = 0;
    const api = createTrainerApi(
      deps(() => {
        loads++;
        reached.open();
        return held.promise;
      }),
    );
    api.init(CONFIG);
    const outcome = api.train({ rowId: ROW, protocol: PROTOCOL, backend: "cpu" });
    await reached.promise;
    expect(api.cancel()).toBe(true);
    // The load is still held: the outcome must not wait for it.
    const cancelled = await outcome;
    expect(cancelled.status).toBe("cancelled");
    held.open(DATA);
    const next = await api.train({ rowId: ROW, protocol: PROTOCOL, backend: "cpu" });
    expect(next.status).toBe("finished");
    expect(loads).toBe(1);
    await api.disposeModel();
  });

  it("refuses a cancel that arrives after training finished (while the last progress is delivered), and the run stays finished", async () => {
    const api = createTrainerApi(deps(async () => DATA));
    api.init(CONFIG);
    const delivered = gate<void>();
    const phases: TrainPhase[] = [];
    const lateCancel = gate<boolean>();
    const outcome = api.train(
      { rowId: ROW, protocol: PROTOCOL, backend: "cpu" },
      {
        onPhase(phase) {
          phases.push(phase);
          if (phase !== "done") return undefined;
          // The page has not yet answered this callback, so the worker holds the outcome back.
          return Promise.resolve().then(() => {
            lateCancel.open(api.cancel());
            return delivered.promise;
          });
        },
      },
    );
    expect(await lateCancel.promise).toBe(false);
    delivered.open();
    const result = await outcome;
    expect(result.status).toBe("finished");
    expect(phases.at(-1)).toBe("done");
    await api.disposeModel();
  });
});

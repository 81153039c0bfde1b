import * as tf from "@tensorflow/tfjs";
import { proxy, wrap, type Remote } from "comlink";
import { expose } from "comlink";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { BackendProbes } from "../../../src/lib/backends/choice.ts";
import type { BackendName } from "../../../src/lib/backends/names.ts";
import { PIXELS, type ImageSet } from "../../../src/lib/data/splits.ts";
import { modelFromFiles } from "../../../src/lib/model/model-io.ts";
import { FULL_PROTOCOL } from "../../../src/lib/study/study.ts";
import { runRecordSchema, type Protocol } from "../../../src/lib/study/schema.ts";
import type { BatchProgress } from "../../../src/lib/model/train.ts";
import type { RunRowInput } from "../../../src/lib/model/run-row.ts";
import { createTrainerApi, type DataProgress, type LoadedData, type TrainerApi, type TrainerDeps, type TrainPhase } from "../../../src/workers/trainer/api.ts";

/**
 * The api never waits for the page's callbacks, so where the worker's batch loop is when a cancel
 * arrives would depend on speed. The test holds the loop instead: the api's runRow is the real one
 * with `hold.afterBatch` awaited after every batch's own callback (a no-op unless a test sets it).
 */
const hold = vi.hoisted(() => ({ afterBatch: null as ((progress: { batch: number; epoch: number }) => Promise<void>) | null }));
vi.mock("../../../src/lib/model/run-row.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/lib/model/run-row.ts")>();
  return {
    ...real,
    runRow: (input: RunRowInput) =>
      real.runRow({
        ...input,
        onBatch: async (progress: BatchProgress) => {
          await input.onBatch?.(progress);
          await hold.afterBatch?.(progress);
        },
      }),
  };
});

/** A learnable toy set: class c has a bright block at a class-specific place. */
function toySet(count: number, shift = 0): ImageSet {
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = (i + shift) % 10;
    labels[i] = c;
    const r0 = 2 + Math.floor(c / 5) * 12;
    const c0 = 2 + (c % 5) * 5;
    for (let r = r0; r < r0 + 6; r++) for (let k = c0; k < c0 + 4; k++) images[i * PIXELS + r * 28 + k] = 200 + ((i * 7) % 55);
  }
  return { images, labels, count };
}

const TRAIN = toySet(1_200);
const TEST = toySet(200, 3);
const ROW = "cnn-4-4-3-8";
const PROTOCOL: Protocol = {
  ...FULL_PROTOCOL,
  name: "custom",
  epochs: 2,
  batchSize: 16,
  learningRate: 0.01,
  trainImages: 96,
  validationImages: 50,
  testImages: 60,
};
const CONFIG = { dataUrl: "http://localhost/data/fashion-mnist/", wasmPaths: "http://localhost/data/tfjs-wasm/" };

const NO_GPU: BackendProbes = {
  webgpu: { available: false, error: "navigator.gpu is missing" },
  webgl: { available: false, error: "OffscreenCanvas is missing" },
  wasm: { available: true, simd: true },
};

interface Fake {
  deps: TrainerDeps;
  loads: number;
  activated: BackendName[];
  failLoad: boolean;
}

/** Deps where wasm fails to start and cpu works (tfjs's cpu backend in Node). */
function fakeDeps(): Fake {
  const fake: Fake = {
    loads: 0,
    activated: [],
    failLoad: false,
    deps: {
      probeBackends: async () => NO_GPU,
      async activateBackend(name) {
        if (name !== "cpu") throw new Error(`${name} binary not found`);
        fake.activated.push(name);
        await tf.setBackend("cpu");
      },
      async loadDataset(_config, onProgress: (p: DataProgress) => void): Promise<LoadedData> {
        fake.loads++;
        if (fake.failLoad) throw new Error("could not download http://localhost/data/fashion-mnist/train-images.idx.gz: HTTP 404 Not Found");
        onProgress({ stage: "download", bytes: 10, totalBytes: 20, cachedBytes: 0 });
        onProgress({ stage: "ready", bytes: 20, totalBytes: 20, cachedBytes: 0 });
        return { train: TRAIN, test: TEST, info: { trainImages: TRAIN.count, testImages: TEST.count, servedBytes: 20, cachedBytes: 0, seconds: 0 } };
      },
      deviceFacts: () => ({ userAgent: "vitest", cores: 2, platform: "Linux" }),
    },
  };
  return fake;
}

/** Both ends of comlink in this thread, as comlink's own tests do. */
function connect(deps: TrainerDeps): { remote: Remote<TrainerApi>; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  expose(createTrainerApi(deps), port1);
  const remote = wrap<TrainerApi>(port2);
  return {
    remote,
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

let open: (() => void)[] = [];
function start(fake = fakeDeps()) {
  const c = connect(fake.deps);
  open.push(c.close);
  return { ...c, fake };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterEach(() => {
  open.forEach((close) => close());
  open = [];
  hold.afterBatch = null;
});

describe("createTrainerApi over comlink", () => {
  it("picks the first backend that starts and says why the others did not", async () => {
    const { remote } = start();
    await remote.init(CONFIG);
    const selection = await remote.selectBackend("auto");
    expect(selection.backend).toBe("cpu");
    expect(selection.attempts).toEqual([
      { backend: "wasm", ok: false, error: "wasm binary not found" },
      { backend: "cpu", ok: true },
    ]);
    expect(selection.explanation).toMatch(/WebAssembly failed to start \(wasm binary not found\)/);
    expect(selection.explanation).toMatch(/WebGPU unavailable/);
  });

  it("reports a reader's unavailable backend as a failure instead of training elsewhere", async () => {
    const { remote } = start();
    await remote.init(CONFIG);
    const selection = await remote.selectBackend("webgl");
    expect(selection.backend).toBeNull();
    expect(selection.failure?.kind).toBe("no-backend");
    expect(selection.failure?.retryOnOtherBackend).toBe(true);
  });

  it("trains a row through proxy callbacks and returns a schema-valid reader record", async () => {
    const { remote } = start();
    await remote.init(CONFIG);
    const batches: BatchProgress[] = [];
    const epochs: number[] = [];
    const phases: TrainPhase[] = [];
    const outcome = await remote.train(
      { rowId: ROW, protocol: PROTOCOL, backend: "cpu" },
      proxy({
        onBatch: (p: BatchProgress) => void batches.push(p),
        onEpoch: (r: { epoch: number }) => void epochs.push(r.epoch),
        onPhase: (p: TrainPhase) => void phases.push(p),
      }),
    );
    expect(outcome.status).toBe("finished");
    if (outcome.status !== "finished") return;
    const record = runRecordSchema.parse(outcome.record);
    expect(record.source).toBe("reader");
    expect(record.rowId).toBe(ROW);
    expect(record.environment).toMatchObject({ runtime: "browser", backend: "cpu", userAgent: "vitest", cores: 2 });
    expect(record.protocol.trainImages).toBe(96);
    expect(batches).toHaveLength(12);
    expect(batches.at(-1)!.fraction).toBe(1);
    expect(epochs).toEqual([1, 2]);
    expect(phases).toEqual(["backend", "data", "split", "build", "train", "evaluate-validation", "evaluate-test", "done"]);
    expect(outcome.memory.modelKept).toBe(true);
  });

  it("cancels before the next batch and leaves the tensor count at its baseline", async () => {
    const { remote } = start();
    await remote.init(CONFIG);
    await remote.selectBackend("cpu");
    const before = (await remote.memory()).numTensors;
    // The worker stays after its batch 2 until the page's cancel has been answered by the worker.
    let cancelAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (cancelAnswered = resolve));
    const trained: number[] = [];
    hold.afterBatch = async ({ batch }) => {
      trained.push(batch);
      if (trained.length === 2) await answered;
    };
    const delivered: number[] = [];
    let cancelResult: boolean | null = null;
    const outcome = await remote.train(
      { rowId: ROW, protocol: { ...PROTOCOL, epochs: 5 } },
      proxy({
        onBatch: async (p: BatchProgress) => {
          delivered.push(p.batch);
          if (delivered.length === 2) {
            cancelResult = await remote.cancel();
            cancelAnswered();
          }
        },
      }),
    );
    expect(cancelResult).toBe(true);
    expect(outcome.status).toBe("cancelled");
    // Cancelled while the worker sat after batch 2: not one more batch runs or is reported.
    expect(trained).toEqual([1, 2]);
    expect(delivered).toEqual([1, 2]);
    expect(outcome.memory.baselineTensors).toBe(before);
    expect(outcome.memory.numTensors).toBe(before);
    expect(outcome.memory.modelKept).toBe(false);
  });

  it("loads the dataset once per worker", async () => {
    const { remote, fake } = start();
    await remote.init(CONFIG);
    const progress: DataProgress[] = [];
    const first = await remote.loadData(proxy((p: DataProgress) => void progress.push(p)));
    expect(first.ok).toBe(true);
    await remote.train({ rowId: ROW, protocol: { ...PROTOCOL, epochs: 1 }, backend: "cpu" });
    await remote.train({ rowId: ROW, protocol: { ...PROTOCOL, epochs: 1 }, backend: "cpu" });
    expect(fake.loads).toBe(1);
    expect(progress.map((p) => p.stage)).toEqual(["download", "ready"]);
  });

  it("refuses a second training while one runs", async () => {
    const { remote } = start();
    await remote.init(CONFIG);
    const first = remote.train({ rowId: ROW, protocol: PROTOCOL, backend: "cpu" });
    const second = await remote.train({ rowId: ROW, protocol: PROTOCOL, backend: "cpu" });
    expect(second.status).toBe("failed");
    if (second.status === "failed") expect(second.failure.kind).toBe("busy");
    expect((await first).status).toBe("finished");
  });

  it("returns a failed download as plain data and fetches again on retry", async () => {
    const { remote, fake } = start();
    await remote.init(CONFIG);
    fake.failLoad = true;
    const failed = await remote.train({ rowId: ROW, protocol: PROTOCOL, backend: "cpu" });
    expect(failed.status).toBe("failed");
    if (failed.status === "failed") {
      expect(failed.failure.kind).toBe("dataset-download");
      expect(failed.failure.detail).toMatch(/HTTP 404/);
    }
    fake.failLoad = false;
    expect((await remote.train({ rowId: ROW, protocol: { ...PROTOCOL, epochs: 1 }, backend: "cpu" })).status).toBe("finished");
    expect(fake.loads).toBe(2);
  });

  it("reports an error during training and stays usable", async () => {
    const { remote } = start();
    await remote.init(CONFIG);
    const failed = await remote.train({ rowId: "cnn-4-4-13-8", protocol: PROTOCOL, backend: "cpu" });
    expect(failed.status).toBe("failed");
    if (failed.status === "failed") expect(failed.failure.detail).toMatch(/kernel 13 is too large/);
    expect((await remote.status()).busy).toBe(false);
    expect((await remote.train({ rowId: ROW, protocol: { ...PROTOCOL, epochs: 1 }, backend: "cpu" })).status).toBe("finished");
  });

  it("exports the trained model with its weights as a transferred buffer that loads back", async () => {
    const { remote } = start();
    await remote.init(CONFIG);
    expect(await remote.exportModel()).toBeNull();
    const outcome = await remote.train({ rowId: ROW, protocol: { ...PROTOCOL, epochs: 1 }, backend: "cpu" });
    const exported = await remote.exportModel();
    expect(exported).not.toBeNull();
    expect(exported!.weights).toBeInstanceOf(ArrayBuffer);
    expect(exported!.rowId).toBe(ROW);
    if (outcome.status === "finished") {
      expect(exported!.runId).toBe(outcome.record.runId);
      expect(exported!.weights.byteLength).toBe(outcome.record.parameters * 4);
    }
    const model = await modelFromFiles({ modelJson: exported!.modelJson, weights: new Uint8Array(exported!.weights) });
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
    await remote.disposeModel();
    expect((await remote.memory()).modelKept).toBe(false);
  });

  it("rejects init URLs that are not absolute folders", async () => {
    const { remote } = start();
    await expect(remote.init({ ...CONFIG, dataUrl: "/data/fashion-mnist" })).rejects.toThrow(/dataUrl must be an absolute URL ending in "\/"/);
    await expect(remote.init({ ...CONFIG, wasmThreads: 0 })).rejects.toThrow(/wasmThreads must be a positive integer/);
  });

  it("tells the wasm threads in the selection and keeps them in the run record", async () => {
    const fake = fakeDeps();
    const threadsAsked: (number | undefined)[] = [];
    // "wasm" here is tfjs's cpu backend in Node, standing for a threaded wasm start in the worker.
    fake.deps.activateBackend = async (name, config) => {
      threadsAsked.push(config.wasmThreads);
      fake.activated.push(name);
      await tf.setBackend("cpu");
    };
    fake.deps.wasmThreads = () => 3;
    fake.deps.crossOriginIsolated = () => true;
    const { remote } = start(fake);
    await remote.init({ ...CONFIG, wasmThreads: 3 });
    const selection = await remote.selectBackend("wasm");
    expect(selection).toMatchObject({ backend: "wasm", wasmThreads: 3, crossOriginIsolated: true });
    expect(threadsAsked).toEqual([3]);
    const outcome = await remote.train({ rowId: ROW, protocol: PROTOCOL, backend: "wasm" });
    expect(outcome.status).toBe("finished");
    if (outcome.status !== "finished") return;
    expect(runRecordSchema.parse(outcome.record).environment).toMatchObject({ backend: "wasm", wasmThreads: 3 });
  });

  it("gives no thread count for a backend other than wasm", async () => {
    const fake = fakeDeps();
    fake.deps.wasmThreads = () => 3;
    const { remote } = start(fake);
    await remote.init(CONFIG);
    const selection = await remote.selectBackend("cpu");
    expect(selection.wasmThreads).toBeUndefined();
  });
});

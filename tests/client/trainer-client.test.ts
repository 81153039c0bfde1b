import { expose } from "comlink";
import { afterEach, describe, expect, it } from "vitest";
import { createTrainerClient, trainerUrls } from "../../src/client/trainer-client.ts";
import { FULL_PROTOCOL } from "../../src/lib/study/study.ts";
import type { TrainCallbacks, TrainOutcome } from "../../src/workers/trainer/api.ts";

const MEMORY = { numTensors: 3, numBytes: 12, numDataBuffers: 3, unreliable: false, backend: "wasm", baselineTensors: 3, modelKept: false };
const progress = (batch: number) => ({ epoch: 1, epochs: 1, batch, batchesPerEpoch: 1000, loss: 1, accuracy: 0.5, imagesPerSecond: 100, etaSeconds: 10, fraction: batch / 1000 });

/**
 * A stand-in trainer worker over a MessageChannel. `hung` makes train() ignore cancel and keep
 * sending batches, like a worker stuck in a long evaluation; terminate() does not stop the
 * messages already under way, like Chromium delivering callbacks after Worker.terminate().
 */
function fakeWorker(options: { hung: boolean }) {
  const { port1, port2 } = new MessageChannel();
  let cancelled = false;
  let stopped = false;
  const api = {
    init: () => ({ tfjsVersion: "test" }),
    memory: () => MEMORY,
    cancel: () => {
      cancelled = true;
      return true;
    },
    async train(_request: unknown, callbacks: TrainCallbacks): Promise<TrainOutcome> {
      for (let batch = 1; !stopped; batch++) {
        if (cancelled && !options.hung) return { status: "cancelled", epochs: [], backend: "wasm", memory: MEMORY };
        void callbacks.onBatch?.(progress(batch));
        await new Promise((r) => setTimeout(r, 10));
      }
      return { status: "cancelled", epochs: [], backend: "wasm", memory: MEMORY };
    },
  };
  expose(api, port1);
  let terminated = 0;
  const worker = Object.assign(port2, {
    terminate: () => {
      terminated++;
      // Keep sending for a while after terminate(), then stop for good.
      setTimeout(() => {
        stopped = true;
        port1.close();
      }, 300);
    },
  }) as unknown as Worker;
  return { worker, terminations: () => terminated, stop: () => ((stopped = true), port1.close(), port2.close()) };
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((f) => f());
  cleanups = [];
});

const request = { rowId: "cnn-32-64-3-64", protocol: FULL_PROTOCOL };

describe("trainerUrls", () => {
  it("resolves the data and wasm folders against the site's base, at the root or under a sub-path", () => {
    expect(trainerUrls("/", "https://x.test/cnn-tuning/?preset=smoke")).toEqual({ dataUrl: "https://x.test/data/fashion-mnist/", wasmPaths: "https://x.test/data/tfjs-wasm/" });
    expect(trainerUrls("/fm", "https://x.test/fm/reruns/")).toEqual({ dataUrl: "https://x.test/fm/data/fashion-mnist/", wasmPaths: "https://x.test/fm/data/tfjs-wasm/" });
  });
});

describe("createTrainerClient", () => {
  it("cancels through the worker when it stops by itself", async () => {
    const fake = fakeWorker({ hung: false });
    cleanups.push(fake.stop);
    const client = createTrainerClient({ baseUrl: "/", pageUrl: "http://localhost/", createWorker: () => fake.worker, cancelGraceMs: 2_000 });
    let batches = 0;
    const run = client.run(request, { onBatch: () => void batches++ });
    while (batches < 2) await new Promise((r) => setTimeout(r, 5));
    await client.cancel();
    const outcome = await run;
    expect(outcome).toMatchObject({ status: "cancelled", memory: MEMORY });
    expect(fake.terminations()).toBe(0);
    expect(client.busy).toBe(false);
  });

  it("terminates a worker that does not stop within the grace period, settles the run, and ignores its late callbacks", async () => {
    const fake = fakeWorker({ hung: true });
    cleanups.push(fake.stop);
    const client = createTrainerClient({ baseUrl: "/", pageUrl: "http://localhost/", createWorker: () => fake.worker, cancelGraceMs: 100 });
    let batches = 0;
    const run = client.run(request, { onBatch: () => void batches++ });
    while (batches < 2) await new Promise((r) => setTimeout(r, 5));
    await client.cancel();
    const outcome = await run;
    expect(outcome).toMatchObject({ status: "cancelled", terminated: true, memory: null });
    expect(fake.terminations()).toBe(1);
    const seen = batches;
    await new Promise((r) => setTimeout(r, 200)); // the fake keeps sending for 300 ms after terminate()
    expect(batches).toBe(seen);
    expect(client.busy).toBe(false);
  });

  it("turns a worker error event into a worker-crashed failure instead of a promise that never settles", async () => {
    const fake = fakeWorker({ hung: true });
    cleanups.push(fake.stop);
    const client = createTrainerClient({ baseUrl: "/", pageUrl: "http://localhost/", createWorker: () => fake.worker });
    let batches = 0;
    const run = client.run(request, { onBatch: () => void batches++ });
    while (batches < 1) await new Promise((r) => setTimeout(r, 5));
    fake.worker.dispatchEvent(Object.assign(new Event("error", { cancelable: true }), { message: "Out of memory" }));
    const outcome = await run;
    expect(outcome.status).toBe("failed");
    if (outcome.status === "failed") {
      expect(outcome.failure.kind).toBe("worker-crashed");
      expect(outcome.failure.detail).toMatch(/Out of memory/);
    }
    expect(fake.terminations()).toBe(1);
  });

  it("refuses a second run while one is in progress", async () => {
    const fake = fakeWorker({ hung: false });
    cleanups.push(fake.stop);
    const client = createTrainerClient({ baseUrl: "/", pageUrl: "http://localhost/", createWorker: () => fake.worker });
    const run = client.run(request, {});
    expect(() => client.run(request, {})).toThrow(/already running/);
    await client.cancel();
    await run;
  });
});

import { expose } from "comlink";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTrainerClient, trainerUrls } from "../../src/client/trainer-client.ts";
import { FULL_PROTOCOL } from "../../src/lib/study/study.ts";
import type { TrainCallbacks, TrainOutcome } from "../../src/workers/trainer/api.ts";

const MEMORY = { numTensors: 3, numBytes: 12, numDataBuffers: 3, unreliable: false, backend: "wasm", baselineTensors: 3, modelKept: false };
const progress = (batch: number) => ({
  epoch: 1,
  epochs: 1,
  batch,
  batchesPerEpoch: 1000,
  loss: 1,
  accuracy: 0.5,
  imagesPerSecond: 100,
  etaSeconds: 10,
  fraction: batch / 1000,
});

/**
 * A stand-in trainer worker over a MessageChannel, driven batch by batch by the test: train() sends
 * a batch only when `send(n)` allows it, and `send` resolves once the page side has answered each
 * of those callbacks (comlink answers a proxy call after running it), so nothing waits on the clock.
 * `hung` makes train() ignore cancel, like a worker stuck in a long evaluation; terminate() does not
 * stop the fake, like Chromium delivering callbacks after Worker.terminate().
 */
function fakeWorker(options: { hung: boolean }) {
  const { port1, port2 } = new MessageChannel();
  let cancelled = false;
  let terminated = 0;
  const counts = { sent: 0, sentAfterTerminate: 0, answered: 0 };
  let allowed = 0;
  let wake: (() => void) | null = null;
  const wakeTrain = () => {
    wake?.();
    wake = null;
  };
  let answered: { count: number; resolve: () => void }[] = [];
  const stopsOnCancel = () => cancelled && !options.hung;
  const api = {
    init: () => ({ tfjsVersion: "test" }),
    memory: () => MEMORY,
    cancel: () => {
      cancelled = true;
      wakeTrain();
      return true;
    },
    async train(_request: unknown, callbacks: TrainCallbacks): Promise<TrainOutcome> {
      for (;;) {
        while (allowed === 0 && !stopsOnCancel()) await new Promise<void>((resolve) => (wake = resolve));
        if (stopsOnCancel()) return { status: "cancelled", epochs: [], backend: "wasm", memory: MEMORY };
        allowed--;
        counts.sent++;
        if (terminated > 0) counts.sentAfterTerminate++;
        void Promise.resolve(callbacks.onBatch?.(progress(counts.sent))).then(() => {
          counts.answered++;
          answered = answered.filter((w) => (w.count <= counts.answered ? (w.resolve(), false) : true));
        });
      }
    },
  };
  expose(api, port1);
  const worker = Object.assign(port2, {
    terminate: () => {
      terminated++;
    },
  }) as unknown as Worker;
  return {
    worker,
    terminations: () => terminated,
    counts,
    /** Let train() send `n` more batches; resolves when the page has answered all of them. */
    send(n: number): Promise<void> {
      allowed += n;
      wakeTrain();
      const count = counts.sent + n;
      return new Promise((resolve) => answered.push({ count, resolve }));
    },
    stop: () => (port1.close(), port2.close()),
  };
}

let cleanups: (() => void)[] = [];
// The cancel grace period runs on fake timers: it ends only when a test advances them.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => {
  vi.useRealTimers();
  cleanups.forEach((f) => f());
  cleanups = [];
});

const request = { rowId: "cnn-32-64-3-64", protocol: FULL_PROTOCOL };

describe("trainerUrls", () => {
  it("resolves the data and wasm folders against the site's base, at the root or under a sub-path", () => {
    expect(trainerUrls("/", "https://x.test/cnn-tuning/?preset=smoke")).toEqual({
      dataUrl: "https://x.test/data/fashion-mnist/",
      wasmPaths: "https://x.test/data/tfjs-wasm/",
    });
    expect(trainerUrls("/fm", "https://x.test/fm/reruns/")).toEqual({
      dataUrl: "https://x.test/fm/data/fashion-mnist/",
      wasmPaths: "https://x.test/fm/data/tfjs-wasm/",
    });
  });
});

describe("createTrainerClient", () => {
  it("cancels through the worker when it stops by itself", async () => {
    const fake = fakeWorker({ hung: false });
    cleanups.push(fake.stop);
    const client = createTrainerClient({ baseUrl: "/", pageUrl: "http://localhost/", createWorker: () => fake.worker, cancelGraceMs: 2_000 });
    let batches = 0;
    const run = client.run(request, { onBatch: () => void batches++ });
    await fake.send(2);
    expect(batches).toBe(2);
    // The grace period cannot end (its timer never fires here): only the worker's own answer settles the run.
    await client.cancel();
    const outcome = await run;
    expect(outcome).toMatchObject({ status: "cancelled", memory: MEMORY });
    expect(fake.terminations()).toBe(0);
    expect(fake.counts.sent).toBe(2);
    expect(client.busy).toBe(false);
  });

  it("terminates a worker that does not stop within the grace period, settles the run, and ignores its late callbacks", async () => {
    const fake = fakeWorker({ hung: true });
    cleanups.push(fake.stop);
    const client = createTrainerClient({ baseUrl: "/", pageUrl: "http://localhost/", createWorker: () => fake.worker, cancelGraceMs: 100 });
    let batches = 0;
    const run = client.run(request, { onBatch: () => void batches++ });
    let settled = false;
    void run.then(() => (settled = true));
    await fake.send(2);
    expect(batches).toBe(2);
    const cancelling = client.cancel();
    // Until the grace period ends the hung worker keeps the run going, and its batches still count.
    await vi.advanceTimersByTimeAsync(99);
    await fake.send(1);
    expect(settled).toBe(false);
    expect(fake.terminations()).toBe(0);
    expect(batches).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    await cancelling;
    const outcome = await run;
    expect(outcome).toMatchObject({ status: "cancelled", terminated: true, memory: null });
    expect(fake.terminations()).toBe(1);
    // The terminated worker keeps sending: the page answers those callbacks, but no handler sees them.
    await fake.send(3);
    expect(fake.counts.sentAfterTerminate).toBe(3);
    expect(fake.counts.answered).toBe(6);
    expect(batches).toBe(3);
    expect(client.busy).toBe(false);
  });

  it("turns a worker error event into a worker-crashed failure instead of a promise that never settles", async () => {
    const fake = fakeWorker({ hung: true });
    cleanups.push(fake.stop);
    const client = createTrainerClient({ baseUrl: "/", pageUrl: "http://localhost/", createWorker: () => fake.worker });
    let batches = 0;
    const run = client.run(request, { onBatch: () => void batches++ });
    await fake.send(1);
    expect(batches).toBe(1);
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
    expect(await run).toMatchObject({ status: "cancelled", memory: MEMORY });
    expect(fake.terminations()).toBe(0);
  });
});

import { expose } from "comlink";
import { afterEach, describe, expect, it } from "vitest";
import { createGradCamClient, workerFailureMessage } from "../../../src/client/gradcam/gradcam-client.ts";

/**
 * A stand-in Grad-CAM worker over a MessageChannel whose compare() never answers, like a worker
 * that died mid-call; die() fires the error event a crashed worker fires.
 */
function fakeWorker() {
  const { port1, port2 } = new MessageChannel();
  const api = {
    listStoredModels: () => [],
    compare: () => new Promise<never>(() => {}),
  };
  expose(api, port1);
  let terminated = 0;
  const worker = Object.assign(port2, { terminate: () => void terminated++ }) as unknown as Worker;
  return {
    worker,
    die: (message: string) => port2.dispatchEvent(Object.assign(new Event("error", { cancelable: true }), { message })),
    terminations: () => terminated,
    close: () => (port1.close(), port2.close()),
  };
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((f) => f());
  cleanups = [];
});

describe("createGradCamClient", () => {
  it("answers through the worker while it lives", async () => {
    const fake = fakeWorker();
    cleanups.push(fake.close);
    const client = createGradCamClient({ createWorker: () => fake.worker });
    await expect(client.listStoredModels()).resolves.toEqual([]);
  });

  it("rejects a pending call with a clear message when the worker dies, and terminates it", async () => {
    const fake = fakeWorker();
    cleanups.push(fake.close);
    const client = createGradCamClient({ createWorker: () => fake.worker });
    const pending = client.compare(0, ["conv2"]);
    fake.die("out of memory");
    await expect(pending).rejects.toThrow("The Grad-CAM worker failed: out of memory. Reload the page to start it again.");
    await expect(client.died).resolves.toMatch(/out of memory/);
    expect(fake.terminations()).toBe(1);
  });

  it("rejects later calls at once after the worker died", async () => {
    const fake = fakeWorker();
    cleanups.push(fake.close);
    const client = createGradCamClient({ createWorker: () => fake.worker });
    fake.die("");
    await expect(client.compare(1, ["conv1"])).rejects.toThrow(/see the browser console/);
  });

  it("settles a pending call when the worker is terminated", async () => {
    const fake = fakeWorker();
    cleanups.push(fake.close);
    const client = createGradCamClient({ createWorker: () => fake.worker });
    const pending = client.compare(0, ["conv2"]);
    client.terminate();
    await expect(pending).rejects.toThrow(/stopped/);
  });
});

describe("workerFailureMessage", () => {
  it("names the error and where it happened", () => {
    expect(workerFailureMessage({ message: "boom", filename: "gradcam.worker.js", lineno: 3 })).toBe(
      "The Grad-CAM worker failed: boom (gradcam.worker.js:3). Reload the page to start it again.",
    );
  });
});

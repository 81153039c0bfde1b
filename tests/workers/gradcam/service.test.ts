// IndexedDB for the stored-model test: the Grad-CAM worker reads what the rerun panel saved.
import "fake-indexeddb/auto";
import * as tf from "@tensorflow/tfjs";
import { expose, wrap } from "comlink";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaleToUnit } from "../../../src/lib/data/splits.ts";
import { computeGradCam } from "../../../src/lib/model/gradcam.ts";
import type { BackendProbes } from "../../../src/lib/backends/choice.ts";
import type { BackendName } from "../../../src/lib/backends/names.ts";
import { DATA_CACHE_NAME } from "../../../src/lib/data/cached-fetch.ts";
import { fakeCaches } from "../../helpers/fake-web.ts";
import { createGradCamService, type GradCamService, type GradCamServiceDeps } from "../../../src/workers/gradcam/service.ts";
import { predictSet, splitMetrics } from "../../../src/lib/model/metrics.ts";
import { modelToFiles, type ModelFiles } from "../../../src/lib/model/model-io.ts";
import { buildCnn } from "../../../src/lib/model/builders.ts";
import { closeRerunsDb, listStoredModels, readStoredModel, saveRerun } from "../../../src/lib/storage/reruns-db.ts";
import { FULL_PROTOCOL } from "../../../src/lib/study/study.ts";
import type { RunRecord } from "../../../src/lib/study/schema.ts";
import { makeFakeFiles, makeServed, type FakeFiles } from "../../helpers/fake-fashion-mnist.ts";

const BASE = "https://site.test/base/";
const MODEL_URL = `${BASE}data/models/cnn-4-8-3-16/model.json`;
const RUN_URL = `${BASE}data/runs/cnn-4-8-3-16.full.json`;
const MANIFEST_URL = `${BASE}data/fashion-mnist/manifest.json`;

let files: ModelFiles;
let data: FakeFiles;
let model: tf.LayersModel;
const routes = new Map<string, Uint8Array | string>();

/** A run record for the served model whose misclassified list is the given indices. */
function runRecord(misclassified: number[]): RunRecord {
  const labels = Array.from(data.testLabels.values);
  const metrics = splitMetrics(labels, labels, 0.5);
  return {
    schemaVersion: 1,
    runId: "cnn-4-8-3-16.full.test",
    rowId: "cnn-4-8-3-16",
    source: "pipeline",
    config: { family: "cnn", conv1: 4, conv2: 8, kernel: 3, dense: 16 },
    protocol: FULL_PROTOCOL,
    environment: { runtime: "node", backend: "cpu", tfjsVersion: tf.version.tfjs },
    startedAt: "2026-11-24T00:00:00Z",
    finishedAt: "2026-11-24T00:01:00Z",
    wallTimeSeconds: 60,
    parameters: model.countParams(),
    epochs: [{ epoch: 1, loss: 0.5, accuracy: 0.8, seconds: 60, imagesPerSecond: 900 }],
    bestEpoch: 1,
    metrics: { validation: metrics, test: { ...metrics, accuracy: 0.9125 } },
    misclassified: misclassified.map((index) => ({ index, label: labels[index], predicted: (labels[index] + 1) % 10, confidence: 0.9 })),
  };
}

/** What the probes find where only the cpu backend (always there) is offered. */
const CPU_ONLY: BackendProbes = {
  webgpu: { available: false, error: "navigator.gpu is missing" },
  webgl: { available: false, error: "OffscreenCanvas is missing" },
  wasm: { available: false, error: "WebAssembly is missing" },
};

/** A browser without a GPU: software WebGL and WebGPU, wasm with SIMD. */
const NO_GPU: BackendProbes = {
  webgpu: { available: true, isFallbackAdapter: true, description: "SwiftShader" },
  webgl: { available: true, version: 2, renderer: "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))", majorPerformanceCaveat: true },
  wasm: { available: true, simd: true },
};

/** Backend activation that records the names asked for and starts cpu for those in `works`. */
function recordingActivation(works: readonly BackendName[], activated: BackendName[]): GradCamServiceDeps["activateBackend"] {
  return async (name) => {
    activated.push(name);
    if (!works.includes(name)) throw new Error(`${name} is not available`);
    await tf.setBackend("cpu");
  };
}

function deps(overrides: Partial<GradCamServiceDeps> = {}): GradCamServiceDeps {
  return {
    fetch: async (url) => {
      const body = routes.get(url);
      if (body === undefined) return new Response("not found", { status: 404 });
      return new Response(typeof body === "string" ? body : new Uint8Array(body));
    },
    probeBackends: async () => CPU_ONLY,
    activateBackend: async (name) => {
      expect(name).toBe("cpu");
      await tf.setBackend("cpu");
    },
    storedModels: null,
    ...overrides,
  };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  model = buildCnn({ conv1: 4, conv2: 8, kernel: 3, dense: 16 }, 11);
  files = await modelToFiles(model);
  data = makeFakeFiles(2, 6, 3);
  const { manifest, served } = makeServed(data);
  routes.set(MODEL_URL, JSON.stringify(files.modelJson));
  routes.set(new URL("weights.bin", MODEL_URL).href, files.weights);
  routes.set(MANIFEST_URL, JSON.stringify(manifest));
  for (const [path, bytes] of served) routes.set(new URL(path, MANIFEST_URL).href, bytes);
});
afterAll(() => model.dispose());

describe("createGradCamService", () => {
  it("loads the shipped model and its run record from URLs", async () => {
    routes.set(RUN_URL, JSON.stringify(runRecord([4, 1])));
    const service = createGradCamService(deps());
    const info = await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL, runUrl: RUN_URL } });
    expect(info).toMatchObject({
      name: model.name,
      family: "cnn",
      layers: ["conv1", "conv2"],
      backend: "cpu",
      backendChoice: "cpu",
      backendNote: null,
      parameters: model.countParams(),
    });
    expect(info.run).toMatchObject({ testAccuracy: 0.9125, protocol: "full", misclassifiedListed: 2 });
    service.dispose();
  });

  it("computes the same map as computeGradCam, with the image and its label", async () => {
    const service = createGradCamService(deps());
    await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL } });
    const { count, labels } = await service.loadTestSet(MANIFEST_URL);
    expect(count).toBe(6);
    expect(Array.from(labels)).toEqual(Array.from(data.testLabels.values));
    const view = await service.compute(2, "conv2", 7);
    const pixels = data.testImages.values.slice(2 * 784, 3 * 784);
    const direct = await computeGradCam(model, scaleToUnit(pixels), { layer: "conv2", targetClass: 7 });
    expect(Array.from(view.pixels)).toEqual(Array.from(pixels));
    expect(view.label).toBe(data.testLabels.values[2]);
    expect(view.index).toBe(2);
    view.heatmap.forEach((v, i) => expect(v).toBeCloseTo(direct.heatmap[i], 5));
    service.dispose();
  });

  it("compares every target layer in network order", async () => {
    const service = createGradCamService(deps());
    await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL } });
    await service.loadTestSet(MANIFEST_URL);
    const views = await service.compare(0);
    expect(views.map((v) => [v.layer, v.rawShape])).toEqual([
      ["conv1", [26, 26]],
      ["conv2", [11, 11]],
    ]);
    expect(views[0].predicted).toBe(views[1].predicted);
    service.dispose();
  });

  it("lists misclassified images from the run record when it has them", async () => {
    routes.set(RUN_URL, JSON.stringify(runRecord([5, 0, 3])));
    const service = createGradCamService(deps());
    await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL, runUrl: RUN_URL } });
    await service.loadTestSet(MANIFEST_URL);
    expect((await service.misclassified()).map((m) => m.index)).toEqual([5, 0, 3]);
    service.dispose();
  });

  it("finds misclassified images by classifying the test set when there is no run record", async () => {
    const service = createGradCamService(deps());
    await service.init({ backend: "cpu", model: { kind: "files", files: { modelJson: files.modelJson, weights: files.weights.slice().buffer } } });
    await service.loadTestSet(MANIFEST_URL);
    const found = await service.misclassified();
    const set = { images: data.testImages.values, labels: data.testLabels.values, count: 6 };
    const predictions = (await predictSet(model, set))!;
    const wrong = [...set.labels.keys()].filter((i) => predictions.predicted[i] !== set.labels[i]);
    expect(found.map((m) => m.index).sort()).toEqual(wrong.sort());
    found.forEach((m) => expect(m.predicted).toBe(predictions.predicted[m.index]));
    service.dispose();
  });

  it("falls back to the automatic order when the requested backend cannot start, and says why", async () => {
    const activated: BackendName[] = [];
    const service = createGradCamService(deps({ probeBackends: async () => NO_GPU, activateBackend: recordingActivation(["cpu"], activated) }));
    const info = await service.init({ backend: "webgpu", model: { kind: "url", url: MODEL_URL } });
    expect(info.backend).toBe("cpu");
    expect(info.backendChoice).toBe("webgpu");
    expect(info.backendNote).toMatch(/webgpu could not start, so cpu is used \(webgpu: webgpu is not available\)/);
    // After the requested one, planBackends' automatic order: wasm, software WebGL, cpu, software WebGPU.
    expect(activated).toEqual(["webgpu", "wasm", "webgl", "cpu"]);
    service.dispose();
  });

  it("picks the backend automatically by default, in the trainer's order (wasm before software GPUs)", async () => {
    const activated: BackendName[] = [];
    let probed = 0;
    const service = createGradCamService(
      deps({
        probeBackends: async () => (probed++, NO_GPU),
        activateBackend: recordingActivation(["wasm", "cpu"], activated),
      }),
    );
    const info = await service.init({ model: { kind: "url", url: MODEL_URL } });
    expect(info).toMatchObject({ backend: "wasm", backendChoice: "auto", backendNote: null });
    expect(activated).toEqual(["wasm"]);
    // Same choice again: no new probe, no new start; a new choice starts its backend.
    await service.init({ backend: "auto", model: { kind: "url", url: MODEL_URL } });
    expect(activated).toEqual(["wasm"]);
    expect((await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL } })).backend).toBe("cpu");
    expect(activated).toEqual(["wasm", "cpu"]);
    expect(probed).toBe(1);
    service.dispose();
  });

  it("says when the automatic first pick could not start", async () => {
    const activated: BackendName[] = [];
    const service = createGradCamService(deps({ probeBackends: async () => NO_GPU, activateBackend: recordingActivation(["cpu"], activated) }));
    const info = await service.init({ model: { kind: "url", url: MODEL_URL } });
    expect(info.backend).toBe("cpu");
    expect(info.backendNote).toMatch(/^wasm could not start, so cpu is used \(wasm: wasm is not available\)/);
    expect(activated).toEqual(["wasm", "webgl", "cpu"]);
    service.dispose();
  });

  it("tells why a requested backend the browser does not offer is not used", async () => {
    const activated: BackendName[] = [];
    const service = createGradCamService(deps({ activateBackend: recordingActivation(["cpu"], activated) }));
    const info = await service.init({ backend: "webgl", model: { kind: "url", url: MODEL_URL } });
    expect(info.backend).toBe("cpu");
    expect(info.backendNote).toBe("WebGL is not available here, so cpu is used (WebGL unavailable: OffscreenCanvas is missing)");
    expect(activated).toEqual(["cpu"]);
    service.dispose();
  });

  it("fails with every backend's reason when none can start", async () => {
    const service = createGradCamService(deps({ probeBackends: async () => NO_GPU, activateBackend: recordingActivation([], []) }));
    await expect(service.init({ model: { kind: "url", url: MODEL_URL } })).rejects.toThrow(
      /No TensorFlow.js backend could start here \(wasm: wasm is not available; webgl: .*; cpu: .*; webgpu: webgpu is not available\)/,
    );
  });

  it("says how to publish the model when it is missing", async () => {
    const service = createGradCamService(deps());
    await expect(service.init({ backend: "cpu", model: { kind: "url", url: `${BASE}data/models/none/model.json` } })).rejects.toThrow(
      /not found at .*none\/model\.json \(HTTP 404\).*npm run reproduce/,
    );
  });

  it("keeps the test files in the data cache the trainer uses, and reads them from it the next time", async () => {
    const { caches, stores } = fakeCaches();
    const requested: string[] = [];
    const counting = deps({ caches });
    const fetchThrough = counting.fetch;
    counting.fetch = (url) => (requested.push(url), fetchThrough(url));
    for (let i = 0; i < 2; i++) {
      const service = createGradCamService(counting);
      await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL } });
      expect((await service.loadTestSet(MANIFEST_URL)).count).toBe(6);
      service.dispose();
    }
    expect(stores.get(DATA_CACHE_NAME)?.size).toBe(2);
    expect(requested.filter((url) => url.endsWith(".gz"))).toHaveLength(2);
  });

  it("says to run npm run data when the test images are missing", async () => {
    const service = createGradCamService(deps());
    await expect(service.loadTestSet(`${BASE}elsewhere/manifest.json`)).rejects.toThrow(/HTTP 404.*npm run data/);
  });

  it("rejects an index outside the test set", async () => {
    const service = createGradCamService(deps());
    await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL } });
    await service.loadTestSet(MANIFEST_URL);
    await expect(service.compute(6, "conv1")).rejects.toThrow(/0\.\.5, got 6/);
    service.dispose();
  });

  it("reports a stored rerun that is not there, and lists none without IndexedDB", async () => {
    const service = createGradCamService(deps());
    expect(await service.listStoredModels()).toEqual([]);
    await expect(service.init({ backend: "cpu", model: { kind: "stored", runId: "gone" } })).rejects.toThrow(/"gone" is no longer/);
  });

  it("explains with a model the reader trained, as the rerun panel stores it (reruns-db)", async () => {
    const record = { ...runRecord([2]), runId: "cnn-4-8-3-16.smoke.reader", source: "reader" as const };
    const weights = files.weights.slice().buffer;
    await saveRerun(
      record,
      { runId: record.runId, batches: [] },
      { runId: record.runId, rowId: record.rowId, createdAt: record.finishedAt, modelJson: files.modelJson, weights },
    );
    try {
      const service = createGradCamService(deps({ storedModels: { list: listStoredModels, read: readStoredModel } }));
      expect(await service.listStoredModels()).toEqual([
        { runId: record.runId, rowId: "cnn-4-8-3-16", createdAt: "2026-11-24T00:01:00.000Z", protocol: record.protocol.name, testAccuracy: 0.9125 },
      ]);
      const info = await service.init({ backend: "cpu", model: { kind: "stored", runId: record.runId } });
      expect(info).toMatchObject({ name: model.name, layers: ["conv1", "conv2"], run: { runId: record.runId, testAccuracy: 0.9125, misclassifiedListed: 1 } });
      await service.loadTestSet(MANIFEST_URL);
      const view = await service.compute(1, "conv2");
      const direct = await computeGradCam(model, scaleToUnit(data.testImages.values.slice(784, 2 * 784)), { layer: "conv2" });
      view.heatmap.forEach((v, i) => expect(v).toBeCloseTo(direct.heatmap[i], 5));
      service.dispose();
    } finally {
      closeRerunsDb();
    }
  });

  it("lists no stored models when storage cannot be read, and says so when a stored model cannot", async () => {
    const failing = { list: async () => Promise.reject(new Error("quota")), read: async () => Promise.reject(new Error("blocked")) };
    const service = createGradCamService(deps({ storedModels: failing }));
    expect(await service.listStoredModels()).toEqual([]);
    await expect(service.init({ backend: "cpu", model: { kind: "stored", runId: "r" } })).rejects.toThrow(
      /"r" could not be read from this browser's storage: blocked/,
    );
  });

  it("leaves no tensors behind but the model's own weights", async () => {
    const service = createGradCamService(deps());
    const before = tf.memory().numTensors;
    await service.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL } });
    await service.loadTestSet(MANIFEST_URL);
    await service.compare(1);
    await service.misclassified();
    service.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("works through comlink over a MessageChannel", async () => {
    const { port1, port2 } = new MessageChannel();
    expose(createGradCamService(deps()), port1);
    const remote = wrap<GradCamService>(port2);
    try {
      const info = await remote.init({ backend: "cpu", model: { kind: "url", url: MODEL_URL } });
      expect(info.layers).toEqual(["conv1", "conv2"]);
      await remote.loadTestSet(MANIFEST_URL);
      const view = await remote.compute(3, "conv1");
      expect(view.heatmap).toBeInstanceOf(Float32Array);
      expect(view.heatmap).toHaveLength(784);
      expect(view.probabilities).toHaveLength(10);
      await remote.dispose();
    } finally {
      port1.close();
      port2.close();
    }
  });
});

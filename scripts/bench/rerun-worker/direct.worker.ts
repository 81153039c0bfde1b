/**
 * The baseline of the worker-overhead bench: the same training as a rerun (same data, split,
 * model, `train` options), in a plain dedicated worker with no comlink and no progress messages.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "../../../src/lib/backends/names.ts";
import { useBackend } from "../../../src/lib/backends/use-backend.ts";
import { makeSplits } from "../../../src/lib/data/splits.ts";
import { buildModel } from "../../../src/lib/model/builders.ts";
import { loadServedDataset } from "../../../src/workers/trainer/served-dataset.ts";
import { configFromRowId } from "../../../src/lib/study/study.ts";
import type { Protocol } from "../../../src/lib/study/schema.ts";
import { train } from "../../../src/lib/model/train.ts";

interface Request {
  dataUrl: string;
  wasmPaths: string;
  backend: BackendName;
  rowId: string;
  protocol: Protocol;
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const { dataUrl, wasmPaths, backend, rowId, protocol } = event.data;
  try {
    if (backend === "webgl") tf.env().set("SOFTWARE_WEBGL_ENABLED", true);
    // One thread, as the comlink side of the overhead comparison (the page is cross-origin isolated).
    await useBackend(backend, { wasmPaths, ...(backend === "wasm" ? { wasmThreads: 1 } : {}) });
    const data = await loadServedDataset(dataUrl);
    const splits = makeSplits(data.train, data.test, {
      splitSeed: protocol.splitSeed,
      trainImages: protocol.trainImages,
      validationImages: protocol.validationImages,
      testImages: protocol.testImages,
    });
    const model = buildModel(configFromRowId(rowId), protocol.seed);
    const result = await train(
      model,
      { train: splits.train },
      { epochs: protocol.epochs, batchSize: protocol.batchSize, learningRate: protocol.learningRate, seed: protocol.seed },
    );
    model.dispose();
    self.postMessage({ ok: true, epochs: result.epochs });
  } catch (error) {
    self.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
};

import { describe, expect, it } from "vitest";
import { batchText, memoryText, queueLabel } from "../../../src/client/rerun/panel-view.ts";

const batch = {
  epoch: 2,
  epochs: 3,
  batch: 40,
  batchesPerEpoch: 169,
  loss: 0.45678,
  accuracy: 0.8312,
  imagesPerSecond: 1234.4,
  etaSeconds: 185,
  fraction: 0.4,
};

describe("rerun panel view text", () => {
  it("lists a queued request with its preset and backend", () => {
    expect(queueLabel({ rowId: "cnn-32-64-3-64", preset: "quick", backend: "auto" })).toBe("cnn-32-64-3-64 · Quick · automatic backend");
    expect(queueLabel({ rowId: "resnet-2x32", preset: "smoke", backend: "wasm" })).toMatch(/^resnet-2x32 · Smoke · WebAssembly/);
  });
  it("prints a batch's progress with speed, ETA, loss and accuracy", () => {
    expect(batchText(batch)).toEqual({
      short: "Epoch 2 of 3 · batch 40 of 169 · 1,234 images/s · ETA 3 min 5 s",
      long: "Epoch 2 of 3 · batch 40 of 169 · 1,234 images/s · ETA 3 min 5 s · loss 0.457, accuracy 83.12%",
    });
    expect(batchText({ ...batch, imagesPerSecond: 0, etaSeconds: null }).short).toBe("Epoch 2 of 3 · batch 40 of 169 · measuring speed · ETA --");
  });
  it("prints the worker's memory, or that it stopped", () => {
    const memory = { numTensors: 1234, numBytes: 2_500_000, numDataBuffers: 3, unreliable: false, backend: "wasm", baselineTensors: 12, modelKept: true };
    expect(memoryText(memory)).toBe("Worker memory: 1,234 tensors (12 before training), 2.5 MB, trained model held.");
    expect(memoryText({ ...memory, baselineTensors: null, modelKept: false })).toBe("Worker memory: 1,234 tensors, 2.5 MB.");
    expect(memoryText(null)).toBe("Worker: stopped (it will restart for the next run).");
  });
});

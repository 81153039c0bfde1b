import { describe, expect, it } from "vitest";
import { dataProgressText, finishedText, PHASE_TEXT, stoppedText, trainedText } from "../../../src/client/rerun/run-text.ts";
import type { RunRecord } from "../../../src/lib/study/schema.ts";

const record = (wasmThreads: number | undefined, speeds: number[]) =>
  ({
    protocol: { trainImages: 5400, validationImages: 6000, testImages: 10000 },
    epochs: speeds.map((imagesPerSecond) => ({ imagesPerSecond })),
    environment: { wasmThreads },
  }) as unknown as RunRecord;

const download = { stage: "download", bytes: 1_000_000, totalBytes: 30_000_000, cachedBytes: 0 } as const;

describe("rerun run text", () => {
  it("names each step of the worker", () => {
    expect(PHASE_TEXT.backend).toBe("Starting the backend…");
    expect(PHASE_TEXT.done).toBe("Finished");
  });

  it("counts a download in MB, or says it reads the browser's cache", () => {
    expect(dataProgressText(download)).toBe("Downloading Fashion-MNIST: 1.0 MB of 30.0 MB");
    expect(dataProgressText({ ...download, cachedBytes: 1_000_000 })).toBe("Reading Fashion-MNIST from this browser's cache…");
  });

  it("says nothing for a download of unknown size, and names decoding", () => {
    expect(dataProgressText({ ...download, totalBytes: 0 })).toBeNull();
    expect(dataProgressText({ ...download, stage: "decode" })).toBe("Checking and decoding Fashion-MNIST…");
  });

  it("ends a finished run with its time and backend, threads for WebAssembly only", () => {
    expect(finishedText(65, "wasm", record(2, [900]), false)).toMatch(/^Finished in 1 min 5 s on WebAssembly.*2 threads.*\.$/);
    expect(finishedText(65, "webgl", record(2, [900]), false)).not.toMatch(/thread/);
  });

  it("answers a Cancel that came after training had finished: the result is kept", () => {
    expect(finishedText(5, "cpu", record(undefined, [900]), true)).toMatch(/\. Cancel came after training had finished, so the result is kept\.$/);
  });

  it("sums up what was trained and evaluated, with the last epoch's speed", () => {
    expect(trainedText(record(1, [800, 1234.4]))).toBe(
      "Trained 5,400 images × 2 epochs · 1,234 images/s in the last epoch · evaluated on 6,000 validation and 10,000 test images",
    );
    expect(trainedText(record(1, []))).toBe("Trained 5,400 images × 0 epochs · evaluated on 6,000 validation and 10,000 test images");
  });

  it("says where a cancelled run stopped, in whole percent", () => {
    expect(stoppedText(0.426)).toBe("Stopped at 43% of training.");
  });
});

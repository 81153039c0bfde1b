import { describe, expect, it } from "vitest";
import { describeFailure, workerCrashFailure } from "../../../src/workers/trainer/failure.ts";

describe("describeFailure", () => {
  it("tells a checksum mismatch from a failed download", () => {
    const checksum = describeFailure(new Error("trainImages (train-images.idx.gz): SHA-256 mismatch: expected aa, found bb"), "data");
    expect(checksum.kind).toBe("dataset-checksum");
    expect(checksum.retryOnOtherBackend).toBe(false);
    const download = describeFailure(new Error("could not download http://x/data/a.gz: HTTP 404 Not Found"), "data");
    expect(download.kind).toBe("dataset-download");
    expect(download.detail).toMatch(/HTTP 404/);
  });

  it("recognises out-of-memory errors of wasm, WebGL and JavaScript", () => {
    for (const message of ["Cannot enlarge memory arrays", "Failed to allocate 1.2 GB", "Array buffer allocation failed", "GL_OUT_OF_MEMORY"]) {
      const failure = describeFailure(new Error(message), "train", { backend: "wasm" });
      expect(failure.kind).toBe("out-of-memory");
      expect(failure.retryOnOtherBackend).toBe(true);
    }
  });

  it("reports a lost WebGL context when the backend says so, whatever the message", () => {
    const failure = describeFailure(new Error("Failed to compile fragment shader"), "train", { backend: "webgl", contextLost: true });
    expect(failure.kind).toBe("webgl-context-lost");
    expect(failure.message).toMatch(/WebGL context lost/);
  });

  it("classifies a diverged loss and an unknown training error", () => {
    expect(describeFailure(new Error("training diverged: loss is NaN at epoch 1, batch 3"), "train", { backend: "webgl" }).kind).toBe("diverged");
    const other = describeFailure("boom", "train", { backend: "cpu" });
    expect(other).toMatchObject({ kind: "unexpected", detail: "boom", backend: "cpu" });
  });

  it("says a backend failed to start at the backend stage", () => {
    expect(describeFailure(new Error("useBackend: the 'webgpu' backend failed to initialise"), "backend", { backend: "webgpu" }).kind).toBe("backend-failed");
  });
});

describe("workerCrashFailure", () => {
  it("offers a retry on another backend", () => {
    expect(workerCrashFailure("worker error event", "webgl")).toMatchObject({ kind: "worker-crashed", backend: "webgl", retryOnOtherBackend: true });
  });
});

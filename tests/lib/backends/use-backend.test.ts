import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { getKernel } from "@tensorflow/tfjs-core";
import { describeBackend, useBackend } from "../../../src/lib/backends/use-backend.ts";
import type { BackendName } from "../../../src/lib/backends/names.ts";

afterAll(async () => {
  await tf.setBackend("cpu");
});

describe("useBackend", () => {
  it("switches to cpu and returns its name", async () => {
    expect(await useBackend("cpu")).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
  });

  it("switches to wasm with the gradient kernels registered", async () => {
    expect(await useBackend("wasm")).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
  });

  it("trains a conv layer on wasm", async () => {
    await useBackend("wasm");
    const x = tf.ones([2, 5, 5, 1]);
    const w = tf.variable(tf.fill([3, 3, 1, 2], 0.5) as tf.Tensor4D);
    const { grads, value } = tf.variableGrads(() => tf.conv2d(x as tf.Tensor4D, w as tf.Variable<tf.Rank.R4>, 1, "valid").sum() as tf.Scalar, [w]);
    // Every filter tap sees 2 images x 3 x 3 output pixels of ones.
    expect(Array.from(await grads[w.name].data())).toEqual(new Array(18).fill(18));
    tf.dispose([x, w, value, grads[w.name]]);
  });

  it("reports a backend this environment lacks (WebGL outside a browser)", async () => {
    await useBackend("cpu");
    await expect(useBackend("webgl")).rejects.toThrow(/'webgl' backend is not available: WebGL needs a browser/);
    expect(tf.getBackend()).toBe("cpu");
  });

  it("reports a missing WebGPU without making it tfjs's default", async () => {
    await useBackend("wasm");
    await expect(useBackend("webgpu")).rejects.toThrow(/'webgpu' backend is not available: WebGPU/);
    expect(tf.getBackend()).toBe("wasm");
  });

  it("throws with tfjs's reason when a backend fails to start, and keeps the one running", async () => {
    // As on a machine whose navigator.gpu offers no adapter: registered, but the factory fails.
    tf.registerBackend(
      "webgpu",
      async () => {
        throw new Error("no suitable GPU adapter");
      },
      0,
    );
    try {
      await useBackend("cpu");
      await expect(useBackend("webgpu")).rejects.toThrow(/'webgpu' backend failed to initialise: .*no suitable GPU adapter/);
      expect(tf.getBackend()).toBe("cpu");
      expect(tf.tidy(() => tf.add(1, 2).arraySync())).toBe(3);
    } finally {
      tf.removeBackend("webgpu");
    }
  });

  it("rejects an unknown backend name", async () => {
    await expect(useBackend("tensorflow" as BackendName)).rejects.toThrow(/unknown backend 'tensorflow'/);
  });
});

describe("describeBackend", () => {
  it("reports the wasm build in use", async () => {
    await useBackend("wasm");
    const description = describeBackend();
    expect(description.backend).toBe("wasm");
    expect(description.tfjsVersion).toBe(tf.version.tfjs);
    expect(typeof description.simd).toBe("boolean");
    // Node has no cross-origin isolation, so the threaded build is never picked there.
    expect(description.threads).toBe(false);
  });

  it("leaves out the wasm fields for other backends", async () => {
    await useBackend("cpu");
    expect(describeBackend()).toEqual({ backend: "cpu", tfjsVersion: tf.version.tfjs });
  });
});

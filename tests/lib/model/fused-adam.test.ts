import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend, type BackendName } from "../../../src/lib/backends/use-backend.ts";
import { FUSED_ADAM } from "../../../src/lib/backends/kernels/fused-adam-op.ts";
import { FusedAdam, hasFusedAdamKernel, registerFusedAdamKernels } from "../../../src/lib/model/fused-adam.ts";

const SHAPES = [[3, 3, 2, 4], [7], [5, 10]];

/** max |a - b| over every variable. */
function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  return Math.max(...a.map((t, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]))).dataSync()[0])));
}

/** Runs `steps` Adam steps with seeded gradients through tfjs's Adam and through FusedAdam. */
function compare(steps: number, learningRate: number): { diff: number; moved: number } {
  const inits = SHAPES.map((s, i) => tf.randomNormal(s, 0, 1, "float32", 100 + i));
  const stockVars = inits.map((t) => tf.variable(t.clone()));
  const fusedVars = inits.map((t) => tf.variable(t.clone()));
  const stock = tf.train.adam(learningRate);
  const fused = new FusedAdam(learningRate);
  for (let s = 0; s < steps; s++) {
    const grads = SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 1 + s, "float32", 10 * s + i));
    stock.applyGradients(stockVars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
    fused.applyToVariables(fusedVars, grads);
    tf.dispose(grads);
  }
  const result = { diff: maxDiff(stockVars, fusedVars), moved: maxDiff(stockVars, inits) };
  stock.dispose();
  fused.dispose();
  tf.dispose([...inits, ...stockVars, ...fusedVars]);
  return result;
}

describe.each(["cpu", "wasm"] as BackendName[])("FusedAdam on %s", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it("follows tf.train.adam over several steps", () => {
    const { diff, moved } = compare(6, 0.01);
    expect(moved).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-6);
  });

  it("runs one FusedAdam kernel per variable", async () => {
    const v = [tf.variable(tf.ones([4, 4])), tf.variable(tf.ones([3]))];
    const g = [tf.fill([4, 4], 0.5), tf.fill([3], -2)];
    const fused = new FusedAdam(0.1);
    const info = await tf.profile(() => fused.applyToVariables(v, g));
    expect(info.kernels.map((k) => k.name)).toEqual([FUSED_ADAM, FUSED_ADAM]);
    // First step of Adam moves each weight by the learning rate against the gradient's sign.
    expect(Array.from(v[0].dataSync())[0]).toBeCloseTo(0.9, 5);
    expect(Array.from(v[1].dataSync())[0]).toBeCloseTo(1.1, 5);
    fused.dispose();
    tf.dispose([...v, ...g]);
  });

  it("keeps the tensor count fixed across steps and frees its moments on dispose", () => {
    const v = [tf.variable(tf.ones([8])), tf.variable(tf.ones([2, 2]))];
    const g = [tf.ones([8]), tf.ones([2, 2])];
    const before = tf.memory().numTensors;
    const fused = new FusedAdam(0.01);
    fused.applyToVariables(v, g);
    const afterFirst = tf.memory().numTensors;
    expect(afterFirst).toBe(before + 2);
    for (let i = 0; i < 3; i++) fused.applyToVariables(v, g);
    expect(tf.memory().numTensors).toBe(afterFirst);
    fused.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...v, ...g]);
  });

  it("takes gradients by name like any tf.Optimizer", () => {
    const a = tf.variable(tf.ones([3]));
    const b = tf.variable(tf.ones([3]));
    const stock = tf.train.adam(0.05);
    const fused = new FusedAdam(0.05);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(a)), [a]);
    stock.applyGradients([{ name: a.name, tensor: grads[a.name] }]);
    fused.applyGradients({ [b.name]: grads[a.name] });
    expect(maxDiff([a], [b])).toBeLessThan(1e-7);
    tf.dispose([a, b, grads[a.name]]);
    stock.dispose();
    fused.dispose();
  });
});

describe("FusedAdam without a kernel (the webgl fallback)", () => {
  it("takes the same steps with stock ops", async () => {
    // Unregistering cpu's kernel would not do: every FusedAdam step registers it again. Instead, a
    // cpu backend under another name with all of cpu's kernels but FusedAdam, which (like webgl) has none.
    registerFusedAdamKernels();
    const plain = "cpu-without-fused-adam";
    if (!tf.findBackendFactory(plain)) {
      for (const kernel of tf.getKernelsForBackend("cpu")) if (kernel.kernelName !== FUSED_ADAM) tf.registerKernel({ ...kernel, backendName: plain });
      tf.registerBackend(plain, tf.findBackendFactory("cpu")!);
    }
    expect(await tf.setBackend(plain)).toBe(true);
    try {
      expect(hasFusedAdamKernel()).toBe(false);
      const { diff, moved } = compare(4, 0.01);
      expect(moved).toBeGreaterThan(0.01);
      expect(diff).toBeLessThan(1e-6);
      const v = [tf.variable(tf.ones([3]))];
      const g = [tf.fill([3], 0.5)];
      const fused = new FusedAdam(0.1);
      const info = await tf.profile(() => fused.applyToVariables(v, g));
      expect(info.kernels.length).toBeGreaterThan(0);
      expect(info.kernels.map((k) => k.name)).not.toContain(FUSED_ADAM);
      fused.dispose();
      tf.dispose([...v, ...g]);
    } finally {
      await useBackend("cpu");
    }
    expect(tf.getKernel(FUSED_ADAM, "cpu")).toBeDefined();
  });
});

describe("FusedAdam input checks", () => {
  it("names a gradient of the wrong shape and bad hyper-parameters", async () => {
    await useBackend("cpu");
    const v = tf.variable(tf.ones([4]));
    const g = tf.ones([5]);
    const fused = new FusedAdam(0.01);
    expect(() => fused.applyToVariables([v], [g])).toThrow(/gradient shape \[5\] differs from variable shape \[4\]/);
    expect(() => fused.applyToVariables([v], [])).toThrow(/1 variables but 0 gradients/);
    expect(() => new FusedAdam(0)).toThrow(/learning rate/);
    expect(() => new FusedAdam(0.1, 1)).toThrow(/betas/);
    fused.dispose();
    tf.dispose([v, g]);
  });
});

/**
 * Profiles one training step as `train()` runs it: the step of ./train-step.ts plus the device-side
 * loss/accuracy sums of ./device-totals.ts, on random inputs. Counts the tfjs kernels per step
 * (deterministic for a model, a step kind and a backend: it does not depend on the hardware or the
 * batch size), totals `tf.profile`'s kernel times by kernel name (the median over the profiled
 * steps, so one step disturbed by another process does not decide), and times a few unprofiled steps.
 * Used by `npm run bench -- --profile` and by the kernel-count tests.
 */
import * as tf from "@tensorflow/tfjs";
import { createTrainStep, type TrainStepKind } from "./train-step.ts";
import { DeviceTotals } from "./device-totals.ts";
import { median } from "../study/statistics.ts";

/** One kernel name's share of a profiled step. */
export interface KernelShare {
  name: string;
  /** Calls in one step. */
  count: number;
  /** Sum of tf.profile's kernelTimeMs over those calls, milliseconds (median over the profiled steps). */
  ms: number;
}

/** What {@link profileTrainStep} measured. */
export interface StepProfile {
  kind: TrainStepKind;
  /** tfjs kernels dispatched by one training step (tf.profile's `kernels.length`). */
  kernelsPerStep: number;
  /** Per kernel name, sorted by total time, then count. */
  kernels: KernelShare[];
  /** Wall time of one unprofiled step (mean over `timedSteps`, results read back), milliseconds; null when timedSteps is 0. */
  stepMs: number | null;
  batchSize: number;
}

/** Options of {@link profileTrainStep}. */
export interface StepProfileOptions {
  /** Images per step (default 64). */
  batchSize?: number;
  /** "fast" (default) or "stock" (trainOnBatch), as in TrainOptions.step. */
  mode?: "fast" | "stock";
  /** Steps run under tf.profile after the warm-up (default 1); kernel times are their medians. */
  profiledSteps?: number;
  /** Unprofiled steps timed after the profiled ones (default 3; 0 skips timing). */
  timedSteps?: number;
  /** Input shape of one image (default [28, 28, 1]). */
  imageShape?: number[];
  /** Number of classes of the softmax output (default 10). */
  classes?: number;
}

/**
 * Runs one warm-up step, `profiledSteps` profiled steps and `timedSteps` timed steps of `model` (which is
 * trained by them: pass a throwaway model). Leaves `tf.memory().numTensors` where it found it.
 */
export async function profileTrainStep(model: tf.LayersModel, options: StepProfileOptions = {}): Promise<StepProfile> {
  const batchSize = options.batchSize ?? 64;
  const timedSteps = options.timedSteps ?? 3;
  const classes = options.classes ?? 10;
  const imageShape = options.imageShape ?? [28, 28, 1];
  const step = createTrainStep(model, { learningRate: 1e-3, mode: options.mode ?? "fast" });
  const xs = tf.randomUniform([batchSize, ...imageShape], 0, 1, "float32", 7);
  const ids = Int32Array.from({ length: batchSize }, (_, i) => i % classes);
  const hot = new Float32Array(batchSize * classes);
  ids.forEach((c, i) => (hot[i * classes + c] = 1));
  const labels = tf.tensor1d(ids, "int32");
  const ys = tf.tensor2d(hot, [batchSize, classes]);
  const totals = new DeviceTotals();
  try {
    // Warm-up: Adam's moments, shader compilation, XNNPACK set-up; the first totals need no Add.
    totals.add(await step.run(xs, ys, labels), batchSize);
    await totals.settle();
    const profiledSteps = Math.max(1, options.profiledSteps ?? 1);
    const timesByName = new Map<string, number[]>();
    let counts = new Map<string, number>();
    let kernelsPerStep = 0;
    for (let i = 0; i < profiledSteps; i++) {
      const info = await tf.profile(async () => {
        totals.add(await step.run(xs, ys, labels), batchSize);
      });
      await totals.settle();
      kernelsPerStep = info.kernels.length;
      const stepMs = new Map<string, number>();
      counts = new Map();
      for (const k of info.kernels) {
        counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
        stepMs.set(k.name, (stepMs.get(k.name) ?? 0) + (typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0));
      }
      for (const [name, ms] of stepMs) timesByName.set(name, [...(timesByName.get(name) ?? []), ms]);
    }
    const kernels: KernelShare[] = [...counts].map(([name, count]) => ({ name, count, ms: median(timesByName.get(name) ?? [0]) }));
    kernels.sort((a, b) => b.ms - a.ms || b.count - a.count);
    let stepMs: number | null = null;
    if (timedSteps > 0) {
      const t0 = performance.now();
      for (let i = 0; i < timedSteps; i++) totals.add(await step.run(xs, ys, labels), batchSize);
      await totals.settle();
      stepMs = (performance.now() - t0) / timedSteps;
    }
    return { kind: step.kind, kernelsPerStep, kernels, stepMs, batchSize };
  } finally {
    await totals.close();
    step.dispose();
    tf.dispose([xs, ys, labels]);
  }
}

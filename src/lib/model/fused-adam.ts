/**
 * Adam with one `FusedAdam` kernel per variable (src/lib/backends/kernels/fused-adam-op.ts) instead
 * of the ~14 kernels per variable of tfjs's `AdamOptimizer`, with the same arithmetic, so the
 * weights follow `tf.train.adam` within float32 rounding. Backends without the kernel (webgl) run
 * the same step as stock ops.
 *
 * State per variable: one float32 tensor [2*S] holding m then v (S = the variable's size), kept
 * until `dispose()`. The bias corrections 1 - beta^t are computed in float32, as tfjs does.
 */
import * as tf from "@tensorflow/tfjs";
import { saveTensors, toTensor, type SavedTensor } from "./saved-tensors.ts";

/** A tensor with its variable's name, as tfjs optimisers take gradients ({ name, tensor }). */
type NamedTensor = { name: string; tensor: tf.Tensor };
import { FUSED_ADAM, type FusedAdamAttrs } from "../backends/kernels/fused-adam-op.ts";
import { registerOnce } from "../backends/kernels/replace-kernel.ts";
import { fusedAdamCpuConfig } from "../backends/kernels/cpu/fused-adam.ts";
import { fusedAdamWasmConfig } from "../backends/kernels/wasm/fused-adam.ts";
import { fusedAdamWebGpuConfig } from "../backends/kernels/webgpu/fused-adam.ts";

/** Registers the FusedAdam kernels for cpu, wasm and webgpu (idempotent; no backend is started). */
export function registerFusedAdamKernels(): void {
  registerOnce(fusedAdamCpuConfig);
  registerOnce(fusedAdamWasmConfig);
  registerOnce(fusedAdamWebGpuConfig);
}

/** Whether the active backend has a FusedAdam kernel (otherwise the stock-op fallback runs). */
export function hasFusedAdamKernel(): boolean {
  registerFusedAdamKernels();
  return tf.getKernel(FUSED_ADAM, tf.getBackend()) !== undefined;
}

/**
 * One Adam step for `variable` through the FusedAdam kernel, or stock ops where the active backend
 * has none. Returns [new variable value, new moments [2S]]; the caller assigns and disposes them.
 */
export function fusedAdamStep(variable: tf.Tensor, gradient: tf.Tensor, moments: tf.Tensor1D, attrs: FusedAdamAttrs): [tf.Tensor, tf.Tensor1D] {
  if (hasFusedAdamKernel()) {
    const out = tf.engine().runKernel(FUSED_ADAM, { variable, gradient, moments }, attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
    return [out[0], out[1] as tf.Tensor1D];
  }
  // Stock ops, in the order of tfjs's AdamOptimizer (webgl and any other backend).
  return tf.tidy(() => {
    const size = variable.size;
    const [m, v] = tf.split(moments, [size, size]);
    const g = gradient.reshape([size]);
    const newM = tf.add(tf.mul(m, attrs.beta1), tf.mul(g, 1 - attrs.beta1));
    const newV = tf.add(tf.mul(v, attrs.beta2), tf.mul(tf.square(g), 1 - attrs.beta2));
    const mHat = tf.div(newM, attrs.biasCorrection1);
    const vHat = tf.div(newV, attrs.biasCorrection2);
    const step = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), attrs.epsilon)), -attrs.learningRate);
    const newValue = tf.add(step.reshape(variable.shape), variable);
    return [newValue, tf.concat([newM, newV]) as tf.Tensor1D];
  });
}

/**
 * Adam (Kingma & Ba) with tfjs's defaults (beta1 0.9, beta2 0.999, epsilon 1e-7), one fused
 * kernel per variable. Usable wherever a `tf.Optimizer` is (e.g. `model.compile`), and by the
 * training step of ./train-step.ts through {@link FusedAdam.applyToVariables}.
 */
export class FusedAdam extends tf.Optimizer {
  /** Class name for tfjs serialization. */
  static get className(): string {
    return "FusedAdam";
  }
  private readonly moments = new Map<tf.Variable, tf.Tensor1D>();
  private accBeta1 = 1;
  private accBeta2 = 1;

  /**
   * @param learningRate step size, > 0
   * @param beta1 decay of the first moment, in [0, 1)
   * @param beta2 decay of the second moment, in [0, 1)
   * @param epsilon added to sqrt(v-hat), > 0
   */
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    super();
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    if (!(learningRate > 0)) throw new Error(`FusedAdam: learning rate must be positive, got ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new Error(`FusedAdam: betas must be in [0, 1), got ${beta1}, ${beta2}`);
    if (!(epsilon > 0)) throw new Error(`FusedAdam: epsilon must be positive, got ${epsilon}`);
    registerFusedAdamKernels();
  }

  /**
   * One Adam step: variables[i] -= update(gradients[i]), one kernel per variable. Gradients are
   * not disposed. Each variable's moments start at zero on its first step.
   * @param variables trainable float32 variables
   * @param gradients same shapes, same order
   */
  applyToVariables(variables: tf.Variable[], gradients: tf.Tensor[]): void {
    if (variables.length !== gradients.length) {
      throw new Error(`FusedAdam: ${variables.length} variables but ${gradients.length} gradients`);
    }
    // tfjs keeps beta^t in float32 variables multiplied once per step.
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    const attrs: FusedAdamAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      biasCorrection1: Math.fround(1 - this.accBeta1),
      biasCorrection2: Math.fround(1 - this.accBeta2),
    };
    for (let i = 0; i < variables.length; i++) {
      const variable = variables[i];
      let moments = this.moments.get(variable);
      if (moments === undefined) {
        moments = tf.keep(tf.zeros([2 * variable.size], "float32"));
        this.moments.set(variable, moments);
      }
      const [value, newMoments] = fusedAdamStep(variable, gradients[i], moments, attrs);
      variable.assign(value);
      value.dispose();
      moments.dispose();
      this.moments.set(variable, tf.keep(newMoments));
    }
    this.incrementIterations();
  }

  /** tf.Optimizer's entry point: gradients by variable name (as from `tf.variableGrads`). */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const pairs = named.filter((n) => n.tensor != null);
    const variables = pairs.map((n) => {
      const v = tf.engine().registeredVariables[n.name];
      if (v === undefined) throw new Error(`FusedAdam: no variable named '${n.name}'`);
      return v;
    });
    this.applyToVariables(
      variables,
      pairs.map((n) => n.tensor),
    );
  }

  /** Frees the moments of every variable. */
  override dispose(): void {
    for (const m of this.moments.values()) m.dispose();
    this.moments.clear();
    super.dispose();
  }

  /** Hyper-parameters, as tfjs's Adam reports them. */
  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /**
   * The state a resumed run needs: each variable's moments (in `variables`' order, named after the
   * variable; none for a variable not stepped yet) and the running beta powers.
   * @param variables the variables this optimiser steps, in a fixed order
   */
  async saveState(variables: readonly tf.Variable[]): Promise<SavedTensor[]> {
    const stepped = variables.filter((v) => this.moments.has(v));
    const saved = await saveTensors(
      stepped.map((v) => this.moments.get(v)!),
      stepped.map((v) => `moments/${variables.indexOf(v)}`),
    );
    saved.push({ name: "adam/accBeta", shape: [2], dtype: "float32", values: Float32Array.of(this.accBeta1, this.accBeta2) });
    return saved;
  }

  /**
   * Put back a state from {@link FusedAdam.saveState} for the same variables.
   * @throws Error when a saved moment does not fit its variable, or the beta powers are missing
   */
  restoreState(variables: readonly tf.Variable[], saved: readonly SavedTensor[]): void {
    const betas = saved.find((s) => s.name === "adam/accBeta");
    if (!betas || betas.values.length !== 2) throw new Error("FusedAdam: the saved state has no beta powers");
    for (const s of saved) {
      if (!s.name.startsWith("moments/")) continue;
      const variable = variables[Number(s.name.slice("moments/".length))];
      if (variable === undefined || s.values.length !== 2 * variable.size)
        throw new Error(`FusedAdam: saved ${s.name} (${s.values.length} values) does not fit the model's variables`);
      this.moments.get(variable)?.dispose();
      this.moments.set(variable, tf.keep(toTensor(s) as tf.Tensor1D));
    }
    this.accBeta1 = betas.values[0];
    this.accBeta2 = betas.values[1];
  }

  /** The moments are not exported (tfjs-compatible weight files hold model weights only). */
  override async getWeights(): Promise<NamedTensor[]> {
    throw new Error("FusedAdam: saving optimizer state is not supported");
  }

  override async setWeights(): Promise<void> {
    throw new Error("FusedAdam: loading optimizer state is not supported");
  }
}

/**
 * The `FusedAdam` kernel: one Adam step for one variable in a single dispatch, where tfjs's own
 * `AdamOptimizer` runs about 14 kernels per variable (mul, add, square, div, sqrt, ...).
 *
 * Inputs: `variable` (float32, any shape, S elements), `gradient` (same shape) and `moments`
 * (float32 [2*S]: the first moment m in [0, S), the second moment v in [S, 2S)).
 * Outputs: [new variable (the variable's shape), new moments ([2*S])]. Inputs are never written.
 *
 * The arithmetic follows tfjs's AdamOptimizer op by op, each result rounded to float32:
 *   m' = m*b1 + g*(1-b1);  v' = v*b2 + g*g*(1-b2)
 *   w' = (m'/c1) / (sqrt(v'/c2) + eps) * (-lr) + w,   c1 = 1 - b1^t, c2 = 1 - b2^t
 * (the bias corrections c1, c2 come as attributes, computed by the optimiser in float32 as tfjs does).
 *
 * No tfjs import: the wasm kernel's helper threads run `fusedAdamLoop` (./wasm/heap-jobs.ts).
 *
 * Implementations: ./cpu/fused-adam.ts, ./wasm/fused-adam.ts, ./webgpu/fused-adam.ts; other
 * backends (webgl) take the stock-op fallback of src/lib/model/fused-adam.ts.
 */
/** Kernel name registered with tfjs. */
export const FUSED_ADAM = "FusedAdam";

/** Attributes of one FusedAdam call (plain numbers; rounded to float32 inside the kernels). */
export interface FusedAdamAttrs {
  /** Learning rate, > 0. */
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t for step t (1-based), in float32. */
  biasCorrection1: number;
  /** 1 - beta2^t for step t (1-based), in float32. */
  biasCorrection2: number;
}

/** The float32 constants one step uses, rounded once per call. */
export interface FusedAdamConstants {
  b1: number;
  oneMinusB1: number;
  b2: number;
  oneMinusB2: number;
  c1: number;
  c2: number;
  eps: number;
  negLr: number;
}

/** Rounds the attributes to the float32 values tfjs's ops would use. */
export function fusedAdamConstants(attrs: FusedAdamAttrs): FusedAdamConstants {
  const f = Math.fround;
  return {
    b1: f(attrs.beta1),
    oneMinusB1: f(1 - attrs.beta1),
    b2: f(attrs.beta2),
    oneMinusB2: f(1 - attrs.beta2),
    c1: f(attrs.biasCorrection1),
    c2: f(attrs.biasCorrection2),
    eps: f(attrs.epsilon),
    negLr: f(-attrs.learningRate),
  };
}

/**
 * The Adam step as a plain loop over typed arrays (the cpu and wasm kernels share it), over the
 * elements [lo, hi) (all by default; the wasm kernel splits a large variable between threads).
 * @param w variable [S]; g gradient [S]; mv moments [2S]; outW [S] and outMv [2S] receive the results
 *   (they may not alias the inputs).
 */
export function fusedAdamLoop(
  w: Float32Array,
  g: Float32Array,
  mv: Float32Array,
  outW: Float32Array,
  outMv: Float32Array,
  k: FusedAdamConstants,
  lo = 0,
  hi = w.length,
): void {
  const f = Math.fround;
  const size = w.length;
  for (let i = lo; i < hi; i++) {
    const gi = g[i];
    const m = f(f(mv[i] * k.b1) + f(gi * k.oneMinusB1));
    const v = f(f(mv[size + i] * k.b2) + f(f(gi * gi) * k.oneMinusB2));
    outMv[i] = m;
    outMv[size + i] = v;
    const mHat = f(m / k.c1);
    const vHat = f(v / k.c2);
    outW[i] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + k.eps)) * k.negLr) + w[i]);
  }
}

/** Checks the shapes of one call; throws a message naming the mismatch. */
export function checkFusedAdamShapes(
  variable: { shape: number[]; dtype: string },
  gradient: { shape: number[]; dtype: string },
  moments: { shape: number[]; dtype: string },
): number {
  const size = variable.shape.reduce((a, b) => a * b, 1);
  if (variable.dtype !== "float32" || gradient.dtype !== "float32" || moments.dtype !== "float32") {
    throw new Error(`FusedAdam: float32 tensors only (variable ${variable.dtype}, gradient ${gradient.dtype}, moments ${moments.dtype})`);
  }
  if (gradient.shape.join(",") !== variable.shape.join(",")) {
    throw new Error(`FusedAdam: gradient shape [${gradient.shape}] differs from variable shape [${variable.shape}]`);
  }
  if (moments.shape.length !== 1 || moments.shape[0] !== 2 * size) {
    throw new Error(`FusedAdam: moments must have shape [${2 * size}], got [${moments.shape}]`);
  }
  return size;
}

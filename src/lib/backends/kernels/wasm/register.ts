/**
 * The registry of kernels that let tfjs's `wasm` backend train conv nets, and train them fast;
 * one file per kernel beside this one, shared helpers in ./shared.ts.
 *
 * tfjs-backend-wasm 4.22 ships no `Conv2DBackpropFilter` at all, and its `Conv2DBackpropInput` is
 * a plain loop nest (~2.6 GFLOP/s). The input gradient of a stride-1 convolution is itself a
 * stride-1 convolution, and its filter gradient a matrix product of the input's patches by dy, so
 * they are rewritten onto the backend's own XNNPACK-backed `Conv2D` and `BatchMatMul` kernels plus
 * layout changes; shapes the rewrite does not cover (stride > 1, NCHW, pads it cannot express)
 * take a slower but correct path. Profiling a training step then showed several other
 * stock kernels costing more than the convolutions (MaxPoolGrad, Tile, Sum/Mean over the batch
 * axes, transposed BatchMatMul, copying Identity, FusedBatchNorm); those are replaced as well.
 */
import { AvgPool, BatchMatMul, Conv2D, getKernel, Transpose } from "@tensorflow/tfjs-core";
import { replaceKernel } from "../replace-kernel.ts";
import { BACKEND } from "./shared.ts";
import type { WasmKernel } from "./shared.ts";
import { batchMatMulKernel } from "./batch-mat-mul.ts";
import { castKernel } from "./cast.ts";
import { conv2DBackpropFilterKernel } from "./conv2d-backprop-filter.ts";
import { conv2DBackpropInputKernel } from "./conv2d-backprop-input.ts";
import { fusedBatchNormKernel } from "./fused-batch-norm.ts";
import { identityKernel } from "./identity.ts";
import { maxPoolGradKernel } from "./max-pool-grad.ts";
import { meanKernel } from "./mean.ts";
import { registerReductionGradients } from "./reduction-grads.ts";
import { sumKernel } from "./sum.ts";
import { tileKernel } from "./tile.ts";

/** Every kernel registered, in registration order. */
const KERNELS: WasmKernel[] = [
  conv2DBackpropFilterKernel,
  conv2DBackpropInputKernel,
  maxPoolGradKernel,
  tileKernel,
  sumKernel,
  meanKernel,
  batchMatMulKernel,
  identityKernel,
  fusedBatchNormKernel,
  castKernel,
];

/** Kernels that need a stock wasm kernel underneath, checked before anything is replaced. */
const BUILDING_BLOCKS = [AvgPool, BatchMatMul, Conv2D, Transpose];

/**
 * Makes tfjs's `wasm` backend able to train conv nets, and fast at it. Registers for 'wasm':
 * - `Conv2DBackpropFilter` (absent from tfjs-backend-wasm): x [N,H,W,Cin] and dy [N,Ho,Wo,Cout]
 *   to dW [kh,kw,Cin,Cout], as one XNNPACK matrix product for NHWC, stride 1 ('same', 'valid' or
 *   explicit pads, odd or even kernels), by direct summation otherwise (stride > 1, NCHW).
 * - `Conv2DBackpropInput`: dy [N,Ho,Wo,Cout] and W [kh,kw,Cin,Cout] to dx [N,H,W,Cin], as one
 *   XNNPACK convolution in the same stride-1 cases, the stock kernel otherwise.
 * - `MaxPoolGrad` (JS on the wasm heap, cpu-backend semantics: gradient to a window's first
 *   maximum), `Tile`, `Sum` and `Mean` over leading/middle axes, `BatchMatMul` with transposed
 *   operands, a copy-free `Identity` and same-dtype `Cast`, and a one-pass `FusedBatchNorm`:
 *   stock versions of these made a training step several times slower.
 * - Gradients of `Sum` and `Mean` as broadcasts instead of products with a full-size tensor of
 *   ones built in JavaScript (./reduction-grads.ts); these are registered for every backend, with
 *   bit-identical values.
 *
 * Safe to call any number of times, before or after `tf.setBackend('wasm')`: a second call finds
 * its kernels in place and does nothing. Requires `@tensorflow/tfjs-backend-wasm` to have been
 * imported (it registers the stock kernels this builds on); throws otherwise.
 */
export function registerWasmGradientKernels(): void {
  for (const name of BUILDING_BLOCKS) {
    if (getKernel(name, BACKEND) === undefined) {
      throw new Error(`registerWasmGradientKernels: wasm kernel '${name}' is missing; import '@tensorflow/tfjs-backend-wasm' first`);
    }
  }
  for (const { kernelName, make, required } of KERNELS) {
    replaceKernel({ backend: BACKEND, kernelName, make, required, registrar: "registerWasmGradientKernels" });
  }
  registerReductionGradients();
}

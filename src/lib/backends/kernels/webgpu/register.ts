/**
 * Kernels that make tfjs's `webgpu` backend train this project's conv nets fast, registered in
 * place of the stock ones (one module per kernel beside this file).
 *
 * Measured on an NVIDIA H200 (Dawn in Node), stock tfjs-backend-webgpu 4.22 spent 80% of a ResNet
 * 3x64 training step's GPU time (39 of 49 ms) and 87% of a CNN step's in `Conv2DBackpropFilter`,
 * a one-thread-per-weight loop; ./conv2d-backprop-filter.ts replaces it with a tiled matrix product.
 * Each replacement keeps the stock kernel and calls it for inputs it does not cover.
 */
import { Conv2DBackpropFilter, getKernel, registerKernel, unregisterKernel } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs-core";
import { makeConv2DBackpropFilter } from "./conv2d-backprop-filter.ts";

const BACKEND = "webgpu";
/** Marks kernel functions defined here, so registering twice can recognise its own work. */
const OURS = Symbol.for("fashion-mnist-live.webgpu-kernels");

type MarkedKernelFunc = KernelFunc & { [OURS]?: true };

function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config.kernelFunc as MarkedKernelFunc)[OURS] === true;
}

/** Puts `make(stock)` in place of the webgpu kernel `name`; does nothing when ours is already there. */
function replaceKernel(name: string, make: (stock: KernelFunc) => KernelFunc): void {
  const current = getKernel(name, BACKEND);
  if (isOurs(current)) return;
  if (current === undefined) {
    throw new Error(`registerWebGpuKernels: webgpu kernel '${name}' is missing; import '@tensorflow/tfjs-backend-webgpu' first`);
  }
  const kernelFunc = make(current.kernelFunc) as MarkedKernelFunc;
  kernelFunc[OURS] = true;
  unregisterKernel(name, BACKEND);
  registerKernel({ kernelName: name, backendName: BACKEND, setupFunc: current.setupFunc, disposeFunc: current.disposeFunc, kernelFunc });
}

/** Names of the kernels {@link registerWebGpuKernels} replaces. */
export const WEBGPU_KERNELS: readonly string[] = [Conv2DBackpropFilter];

/**
 * Registers this project's kernels for tfjs's `webgpu` backend:
 * - `Conv2DBackpropFilter`: x [N,H,W,Cin] and dy [N,Ho,Wo,Cout] to dW [kh,kw,Cin,Cout] as a tiled,
 *   split-reduction matrix product (NHWC float32, any stride and padding); the stock kernel otherwise.
 *
 * Safe to call any number of times, before or after `tf.setBackend('webgpu')`: a second call finds
 * its kernels in place and does nothing. Requires `@tensorflow/tfjs-backend-webgpu` to have been
 * imported (its kernels are registered on import even where WebGPU is missing); throws otherwise.
 */
export function registerWebGpuKernels(): void {
  replaceKernel(Conv2DBackpropFilter, makeConv2DBackpropFilter);
}

/**
 * Kernels that make tfjs's `webgpu` backend train this project's conv nets fast, registered in
 * place of the stock ones (one module per kernel beside this file).
 *
 * Measured on an NVIDIA H200 (Dawn in Node), stock tfjs-backend-webgpu 4.22 spent 80% of a ResNet
 * 3x64 training step's GPU time (39 of 49 ms) and 87% of a CNN step's in `Conv2DBackpropFilter`,
 * a one-thread-per-weight loop; ./conv2d-backprop-filter.ts replaces it with a tiled matrix product.
 * Each replacement keeps the stock kernel and calls it for inputs it does not cover.
 */
import { Conv2DBackpropFilter } from "@tensorflow/tfjs-core";
import { replaceKernel } from "../replace-kernel.ts";
import { makeConv2DBackpropFilter } from "./conv2d-backprop-filter.ts";

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
  replaceKernel({ backend: "webgpu", kernelName: Conv2DBackpropFilter, make: makeConv2DBackpropFilter, registrar: "registerWebGpuKernels" });
}

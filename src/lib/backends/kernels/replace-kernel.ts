/**
 * Putting one of this project's kernels in place of a backend's stock kernel, once: shared by the
 * wasm and webgpu registers (./wasm/register.ts, ./webgpu/register.ts); and registering a kernel
 * tfjs has no stock version of (FusedAdam), once.
 */
import { getKernel, registerKernel, unregisterKernel } from "@tensorflow/tfjs-core";
import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs-core";

/** Marks kernel functions made here, so registering twice can recognise its own work. */
const OURS = Symbol.for("fashion-mnist-live.kernels");

type MarkedKernelFunc = KernelFunc & { [OURS]?: true };

/** Whether a registered kernel is one this project put there. */
export function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config.kernelFunc as MarkedKernelFunc)[OURS] === true;
}

/** One replacement. */
export interface KernelReplacement {
  backend: string;
  kernelName: string;
  /** Our kernel, given the stock one (which it calls for inputs it does not cover). */
  make: (stock: KernelFunc) => KernelFunc;
  /** Whether the backend must have a stock kernel of that name (default true); else a missing one throws when called. */
  required?: boolean;
  /** The public function registering it, named in the error when the backend's package is not loaded. */
  registrar: string;
}

/**
 * Puts `make(stock)` in place of the backend's kernel, keeping the stock kernel's setup and
 * dispose functions (the setup binds what the stock fallback calls). Does nothing when ours is
 * already registered.
 * @throws Error naming the backend's package when a required stock kernel is missing
 */
export function replaceKernel({ backend, kernelName: name, make, required = true, registrar }: KernelReplacement): void {
  const current = getKernel(name, backend);
  if (isOurs(current)) return;
  if (current === undefined && required) {
    throw new Error(`${registrar}: ${backend} kernel '${name}' is missing; import '@tensorflow/tfjs-backend-${backend}' first`);
  }
  const stock: KernelFunc =
    current?.kernelFunc ??
    (() => {
      throw new Error(`${backend} backend has no stock '${name}' kernel`);
    });
  const kernelFunc = make(stock) as MarkedKernelFunc;
  kernelFunc[OURS] = true;
  if (current !== undefined) unregisterKernel(name, backend);
  registerKernel({ kernelName: name, backendName: backend, setupFunc: current?.setupFunc, disposeFunc: current?.disposeFunc, kernelFunc });
}

/** Registers `config` unless a kernel of that name is already registered for its backend. */
export function registerOnce(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName) === undefined) registerKernel(config);
}

/**
 * Choosing the TensorFlow.js backend, the same way in Node, in a Web Worker and on the page.
 *
 * tfjs's own `tf.setBackend` resolves to `false` when a backend fails to start and then quietly
 * runs on whichever backend it finds next; `useBackend` turns that into an error instead.
 */
import * as tf from "@tensorflow/tfjs";
import { readyKernelHelpers } from "./kernels/wasm/helper-threads.ts";
import { registerWasmGradientKernels } from "./kernels/wasm/register.ts";
import { BACKEND_NAMES, isBackendName, type BackendName } from "./names.ts";
import { THREADED_WASM_SCRIPT, withServedThreadScript } from "./threaded-wasm-script.ts";

export type { BackendName };

/** Options for {@link useBackend}. */
export type UseBackendOptions = {
  /**
   * Folder (URL prefix ending in "/") holding tfjs-backend-wasm's `.wasm` binaries, for bundled
   * browser code where the package cannot find them itself. Not needed in Node. Only for 'wasm'.
   */
  wasmPaths?: string;
  /**
   * Only for 'wasm' in a browser: XNNPACK threads to start (tfjs-backend-wasm's `setThreadsCount`).
   * Threads run only where tfjs loads its threaded SIMD build, i.e. in a cross-origin-isolated page
   * or worker; elsewhere the single-threaded build runs whatever is asked. See thread-count.ts.
   */
  wasmThreads?: number;
};

/** What {@link describeBackend} reports about the active backend. */
export type BackendDescription = {
  /** Name of the active tfjs backend, e.g. "wasm". */
  backend: string;
  /** tfjs version, e.g. "4.22.0". */
  tfjsVersion: string;
  /** wasm only: whether the SIMD build of the wasm binary runs. */
  simd?: boolean;
  /** wasm only: whether the multi-threaded build runs (needs SIMD and cross-origin isolation). */
  threads?: boolean;
  /** wasm only: XNNPACK threads of the running backend (1 on the single-threaded builds). */
  wasmThreads?: number;
  /**
   * wasm only, when helpers were started: the helper threads ready to share this project's
   * JavaScript kernels (kernels/wasm/helper-threads.ts).
   */
  kernelHelpers?: number;
};

/** Registers the backend `name` with tfjs if it is not part of the `@tensorflow/tfjs` bundle. */
async function loadBackend(name: BackendName, options: UseBackendOptions): Promise<void> {
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
    if (options.wasmThreads !== undefined) wasm.setThreadsCount(options.wasmThreads);
    registerWasmGradientKernels();
  } else if (name === "webgpu") {
    // Imported only on request: the package registers itself with the highest priority, so a
    // static import would make it tfjs's default choice wherever WebGPU exists.
    await import("@tensorflow/tfjs-backend-webgpu");
    const { registerWebGpuKernels } = await import("./kernels/webgpu/register.ts");
    registerWebGpuKernels();
  }
  // 'cpu' and 'webgl' come with @tensorflow/tfjs, which registers 'webgl' in browsers only.
  if (tf.findBackendFactory(name) == null) {
    const why =
      name === "webgpu"
        ? "WebGPU is not available here (no navigator.gpu; in Node, call installNodeWebGpu() of " +
          "scripts/lib/node-webgpu.ts first, which needs the optional npm package 'webgpu')"
        : name === "webgl"
          ? "WebGL needs a browser (tfjs registers it only there)"
          : "tfjs has no such backend registered";
    throw new Error(`useBackend: the '${name}' backend is not available: ${why}`);
  }
}

/** Runs `f` while recording console.warn calls (tfjs reports why a backend failed that way). */
async function captureWarnings<T>(f: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
  };
  try {
    return { result: await f(), warnings };
  } finally {
    console.warn = original;
  }
}

/**
 * Makes `name` the active tfjs backend and waits until it is ready. For 'wasm' this also
 * registers the conv-net gradient kernels of ./kernels/wasm/register.ts (wasm cannot train conv nets
 * without them) and applies `options.wasmPaths`; 'webgpu' is imported on demand and gets the
 * kernels of ./kernels/webgpu/register.ts. In Node, 'webgpu' needs `installNodeWebGpu()` first.
 *
 * @returns the name of the backend now active (equal to `name`).
 * @throws Error naming the backend and tfjs's reason when it cannot start (no WebGL context,
 *   no WebGPU adapter, wasm binary not found, ...). The previously active backend, if any,
 *   stays active.
 */
export async function useBackend(name: BackendName, options: UseBackendOptions = {}): Promise<string> {
  if (!isBackendName(name)) {
    throw new Error(`useBackend: unknown backend '${String(name)}'; expected one of ${BACKEND_NAMES.join(", ")}`);
  }
  // The backend running now, if one has started (the registry holds initialised backends only).
  const previous: string | undefined = tf.engine().backendName;
  const hadInstance = previous != null && tf.engine().registry[previous] != null;
  await loadBackend(name, options);
  const threaded = name === "wasm" && options.wasmThreads !== undefined;
  const setBackend = () => tf.setBackend(name);
  // The threads load the package's unminified script from wasmPaths (threaded-wasm-script.ts).
  const start =
    threaded && options.wasmPaths !== undefined ? () => withServedThreadScript(`${options.wasmPaths}${THREADED_WASM_SCRIPT}`, setBackend) : setBackend;
  const { result: ok, warnings } = await captureWarnings(threaded ? () => withLogicalCores(2 * options.wasmThreads!, start) : start);
  if (!ok) {
    // tfjs left its engine pointing at the failed name; restore what ran before, if anything did.
    if (hadInstance && previous !== undefined && previous !== name) await tf.setBackend(previous);
    // tfjs warns "Initialization of backend X failed" and then the error's stack: keep the error line.
    const reasons = warnings.map((w) => w.split("\n")[0]).filter((w) => !w.startsWith("Initialization of backend"));
    const reason = reasons.length > 0 ? `: ${reasons.join("; ")}` : "";
    throw new Error(`useBackend: the '${name}' backend failed to initialise${reason}`);
  }
  for (const warning of warnings) console.warn(warning);
  await tf.ready();
  const active = tf.getBackend();
  if (active !== name) {
    throw new Error(`useBackend: asked for '${name}' but tfjs is running '${active}'`);
  }
  return active;
}

/**
 * Starts a backend picked by `planBackends` (choice.ts), as the site's workers do: like
 * {@link useBackend}, but software WebGL (SwiftShader, llvmpipe), which tfjs refuses unless told,
 * is allowed, because the plan has already ranked it after the faster backends.
 * @returns the name of the backend now active (equal to `name`)
 * @throws like {@link useBackend}
 */
export async function startPlannedBackend(name: BackendName, options: UseBackendOptions = {}): Promise<string> {
  if (name === "webgl") tf.env().set("SOFTWARE_WEBGL_ENABLED", true);
  return useBackend(name, options);
}

/**
 * Runs `f` while navigator.hardwareConcurrency reads `cores` (browsers only; elsewhere just runs
 * `f`). tfjs-backend-wasm's threaded binary caps its XNNPACK pool at half the logical cores
 * emscripten reports (it assumes two hyper-threads per core), so a count from setThreadsCount above
 * that cap would be cut; scripts/lib/wasm-threads.ts does the same for Node's os.cpus().
 */
async function withLogicalCores<T>(cores: number, f: () => Promise<T>): Promise<T> {
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined || Object.prototype.hasOwnProperty.call(nav, "hardwareConcurrency")) return f();
  try {
    Object.defineProperty(nav, "hardwareConcurrency", { value: cores, configurable: true });
  } catch {
    return f();
  }
  try {
    return await f();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** XNNPACK threads of the running wasm backend, from the binary itself. */
function runningWasmThreads(): number | undefined {
  const wasm = (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
  const count = wasm?.tfjs?.getThreadsCount?.();
  return typeof count === "number" && count > 0 ? count : undefined;
}

function readFlag(name: string): boolean | undefined {
  // wasm flags are evaluated asynchronously during backend start-up; afterwards they are cached.
  const flags = tf.env().features;
  return name in flags ? Boolean(flags[name]) : undefined;
}

/**
 * Describes the active backend: its name, the tfjs version, and for 'wasm' whether the SIMD and
 * multi-threaded builds are in use and on how many XNNPACK threads. Call after {@link useBackend} (or any backend start).
 */
export function describeBackend(): BackendDescription {
  const backend = tf.getBackend();
  const description: BackendDescription = { backend, tfjsVersion: tf.version.tfjs };
  if (backend === "wasm") {
    const simd = readFlag("WASM_HAS_SIMD_SUPPORT");
    const threads = readFlag("WASM_HAS_MULTITHREAD_SUPPORT");
    if (simd !== undefined) description.simd = simd;
    if (simd !== undefined && threads !== undefined) description.threads = simd && threads;
    const count = runningWasmThreads();
    if (count !== undefined) description.wasmThreads = count;
    const helpers = readyKernelHelpers();
    if (helpers > 0) description.kernelHelpers = helpers;
  }
  return description;
}

/**
 * tfjs-backend-wasm's multi-threaded build in Node. The package only starts it in browsers
 * (tensorflow/tfjs#3830: its loader hands emscripten a Blob URL for the pthread worker, which Node's
 * worker_threads cannot load, and its WASM_HAS_MULTITHREAD_SUPPORT flag is false under Node), so
 * Node gets one thread. Here the backend named "wasm" is re-registered with a factory that loads
 * the same threaded-SIMD binary with the worker script written to a file, so XNNPACK's convolutions
 * and matrix products run on `threads` threads; every kernel registered for "wasm" (the stock ones
 * and this project's) runs unchanged.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os, { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { BackendWasm, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { sharedWasmMemory, startKernelHelpers, type HelperPort } from "../../src/lib/backends/kernels/wasm/helper-threads.ts";

const require = createRequire(import.meta.url);

/** What emscripten's factory resolves to, as far as this module uses it. */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: unknown;
}

/**
 * Make the "wasm" backend tfjs-backend-wasm's threaded-SIMD build on `threads` threads. Call
 * before the first `tf.setBackend("wasm")` (a running "wasm" backend is replaced). Its threads
 * (worker_threads) keep Node alive: a script that uses it ends with `process.exit`.
 * @param threads XNNPACK threads, >= 2 (1 is what the stock Node backend already gives)
 */
export function registerThreadedWasm(threads: number): void {
  if (!Number.isInteger(threads) || threads < 2) throw new Error(`registerThreadedWasm: threads must be an integer >= 2, got ${threads}`);
  const dir = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "wasm-out");
  const factory = require(join(dir, "tfjs-backend-wasm-threaded-simd.js")) as (config: object) => Promise<EmscriptenModule>;
  const { version } = require("@tensorflow/tfjs-backend-wasm/package.json") as { version: string };
  // Importing tfjs-backend-wasm registered its own factory; this one replaces it.
  if (tf.engine().registryFactory.wasm !== undefined) tf.removeBackend("wasm");
  // describeBackend() reports the build from these flags (tfjs sets threads false under Node); the
  // threaded build is also the SIMD build.
  tf.env().set("WASM_HAS_SIMD_SUPPORT", true);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  tf.registerBackend(
    "wasm",
    async () => {
      // The pthread worker script ships as a string (`wasmWorkerContents`); Node's Worker needs a file.
      const folder = join(tmpdir(), `fashion-mnist-live-wasm-${version}`);
      mkdirSync(folder, { recursive: true });
      const workerFile = join(folder, "pthread-worker.cjs");
      const { wasmWorkerContents } = require(join(dir, "tfjs-backend-wasm-threaded-simd.worker.js")) as { wasmWorkerContents: string };
      writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, "\\n"));
      // The binary caps its thread pool at half the logical cores emscripten reports (it assumes two
      // hyper-threads per core), which emscripten reads from os.cpus() in Node: report 2 x threads
      // while the module starts, so the pool gets the threads asked for.
      const cpus = os.cpus;
      const one = cpus()[0];
      os.cpus = () => Array.from({ length: 2 * threads }, () => one);
      try {
        const module = await factory({
          locateFile: (path: string) => (path.endsWith(".worker.js") ? workerFile : join(dir, path)),
          mainScriptUrlOrBlob: join(dir, "tfjs-backend-wasm-threaded-simd.js"),
          wasmBinary: readFileSync(join(dir, "tfjs-backend-wasm-threaded-simd.wasm")),
        });
        // The same bindings tfjs-backend-wasm's own loader attaches (src/backend_wasm.ts, init()).
        module.tfjs = {
          init: module.cwrap("init", null, []),
          initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
          getThreadsCount: module.cwrap("get_threads_count", "number", []),
          registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
          disposeData: module.cwrap("dispose_data", null, ["number"]),
          dispose: module.cwrap("dispose", null, []),
        };
        setThreadsCount(threads);
        const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
        // The JavaScript kernels' loops get the other threads too (helper-threads.ts).
        const memory = sharedWasmMemory(backend);
        if (memory !== undefined) startKernelHelpers(memory, threads - 1, spawnNodeHelper);
        return backend;
      } finally {
        os.cpus = cpus;
      }
    },
    2,
  );
}

/** One kernel helper thread (kernel-helper-thread.ts); it does not keep Node alive. */
function spawnNodeHelper(): HelperPort {
  const worker = new Worker(new URL("./kernel-helper-thread.ts", import.meta.url));
  worker.unref();
  return worker;
}

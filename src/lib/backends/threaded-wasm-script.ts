/**
 * tfjs-backend-wasm's threaded build starts each XNNPACK thread in a Web Worker that loads the
 * emscripten script from a Blob tfjs makes of `wasmFactoryThreadedSimd.toString()`. Once a bundler
 * has minified that function, its text names variables of the bundle that the thread's worker
 * does not have ("ReferenceError: e is not defined"), so every thread dies. The fix used here: while
 * the backend starts, that one Blob is made to load the package's own, unminified script instead
 * (`tfjs-backend-wasm-threaded-simd.js`, copied next to the .wasm binaries by scripts/copy-wasm.ts).
 */

/** The start of the script tfjs hands its threads (src/backend_wasm.ts, init()). */
const THREAD_SCRIPT_PREFIX = "var WasmBackendModuleThreadedSimd = ";

/** File name of the unminified script, served next to the .wasm binaries. */
export const THREADED_WASM_SCRIPT = "tfjs-backend-wasm-threaded-simd.js";

/**
 * Runs `f` (a wasm backend start) while a Blob holding tfjs's thread script is replaced by one
 * that imports `scriptUrl` (an absolute URL of {@link THREADED_WASM_SCRIPT}). Other Blobs are made
 * as usual; where Blob does not exist, `f` just runs.
 */
export async function withServedThreadScript<T>(scriptUrl: string, f: () => Promise<T>): Promise<T> {
  const g = globalThis as { Blob?: typeof Blob };
  const Original = g.Blob;
  if (Original === undefined) return f();
  class ThreadScriptBlob extends Original {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      const first = parts?.[0];
      const isThreadScript = parts?.length === 1 && typeof first === "string" && first.startsWith(THREAD_SCRIPT_PREFIX);
      super(isThreadScript ? [`importScripts(${JSON.stringify(scriptUrl)});`] : parts, options);
    }
  }
  g.Blob = ThreadScriptBlob;
  try {
    return await f();
  } finally {
    g.Blob = Original;
  }
}

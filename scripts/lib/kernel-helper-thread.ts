/**
 * A worker_threads entry running one helper of the wasm kernels' JavaScript loops in Node
 * (src/lib/backends/kernels/wasm/helper-threads.ts); started by wasm-threads.ts.
 */
import { parentPort } from "node:worker_threads";
import { serveHeapJobs, type HelperStart } from "../../src/lib/backends/kernels/wasm/helper-threads.ts";

parentPort?.once("message", (start: HelperStart) => serveHeapJobs(start));

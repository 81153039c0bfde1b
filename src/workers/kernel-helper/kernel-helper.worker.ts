/**
 * A Web Worker running one helper of the wasm kernels' JavaScript loops
 * (src/lib/backends/kernels/wasm/helper-threads.ts), started by the trainer worker when its wasm
 * backend runs threaded. Not a comlink api: after its one message it stays in a loop of
 * `Atomics.wait`, woken through shared memory, and never returns to its event loop.
 */
import { serveHeapJobs, type HelperStart } from "../../lib/backends/kernels/wasm/helper-threads.ts";

self.addEventListener("message", (event: MessageEvent<HelperStart>) => serveHeapJobs(event.data), { once: true });
